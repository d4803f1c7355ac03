// `npm run build`: bundles functions/server.ts into one ESM file (dist/server.js).
// One file loads faster than hundreds of modules, which is what a scale-from-zero
// cold start pays for; the Knative func builders run this, then `npm start`.
import { build } from 'esbuild';

await build({
  entryPoints: ['functions/server.ts'],
  outfile: 'dist/server.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  minify: false,
  legalComments: 'none',
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
console.log('built dist/server.js');
