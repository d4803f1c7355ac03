// `npm run build`: bundles functions/server.ts into dist/server.js, one ESM file.
// One file loads faster than hundreds of modules, which is what a scale-from-zero
// cold start pays for; the Knative func builders run this, then `npm start`.
// Code behind a dynamic import() becomes a chunk of its own under dist/chunks/, loaded
// only when called: client-node, needed only for kubeconfigs with plugins
// (lib/k8s/credentials.ts), costs an instance that does not use it neither start-up
// time nor memory. `node scripts/build.mjs <dir>` builds elsewhere (the bundle test).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.join(import.meta.dirname, '..');
const outdir = path.resolve(process.argv[2] ?? path.join(root, 'dist'));
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [path.join(root, 'functions', 'server.ts')],
  outdir,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  minify: false,
  legalComments: 'none',
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
console.log(`built ${path.relative(process.cwd(), path.join(outdir, 'server.js'))}`);
