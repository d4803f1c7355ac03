import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from '../controlplane/binaries.js';

/**
 * The "before" of the bundling question: the same sources compiled
 * file by file (no bundling), so Node resolves and loads every module of
 * ours and of node_modules on its own, as a plain `tsc` build would run. Only
 * the cold start is compared; the output lives in a temp dir whose
 * node_modules is a link to the project's.
 */
export async function buildUnbundled(): Promise<{ script: string; remove(): void }> {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'kernel-gossip-unbundled-'));
  const sources = ['functions', 'lib'].flatMap((dir) => typeScriptFiles(path.join(repoRoot, dir)));
  await build({
    entryPoints: sources,
    outbase: repoRoot,
    outdir,
    bundle: false,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'warning',
  });
  writeFileSync(path.join(outdir, 'package.json'), '{"type":"module"}\n');
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(outdir, 'node_modules'), 'dir');
  return {
    script: path.join(outdir, 'functions', 'server.js'),
    remove: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => path.join(dir, file));
}
