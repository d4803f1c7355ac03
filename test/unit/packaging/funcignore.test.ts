import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './manifests.js';

/**
 * .funcignore keeps caches, the dev cluster, local dependencies, the local build and test
 * output out of the image `kn func deploy` builds, and never what the buildpack needs to
 * build it. knative/func reads the file two ways (pack with .gitignore rules, its own
 * fingerprint with four simpler forms, pkg/functions/client.go IsIgnored); the file uses
 * only the two forms that mean the same in both, so one matcher stands for both here.
 */
const patterns = readFileSync(path.join(repoRoot, '.funcignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));

const ROOT_NAME = /^\/[A-Za-z0-9._-]+$/;
const EXTENSION_GLOB = /^\*\.[A-Za-z0-9]+$/;

function ignored(relativePath: string): boolean {
  const base = path.posix.basename(relativePath);
  return patterns.some((pattern) =>
    ROOT_NAME.test(pattern)
      ? relativePath === pattern.slice(1) || relativePath.startsWith(`${pattern.slice(1)}/`)
      : base.endsWith(pattern.slice(1)),
  );
}

describe('.funcignore', () => {
  it('uses only root-relative names and *.ext globs, which pack and func read alike', () => {
    expect(patterns.filter((pattern) => !ROOT_NAME.test(pattern) && !EXTENSION_GLOB.test(pattern))).toEqual([]);
  });

  it.each([
    '.cache/controlplane/v1.36.3/bin/kube-apiserver',
    '.cache/eventing/v0.49.2/bin/channel_dispatcher',
    '.dev/kubeconfig',
    'node_modules/hono/package.json',
    'dist/server.js',
    'dist/chunks/client-node-credentials-X1.js',
    'coverage/index.html',
    'test/integration/ingest.test.ts',
    'test/bench/results/latest.json.tmp',
    'npm-debug.log',
  ])('leaves out %s', (file) => {
    expect(ignored(file)).toBe(true);
  });

  it.each([
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'func.yaml',
    'scripts/build.mjs',
    'functions/server.ts',
    'functions/ingest/app.ts',
    'lib/k8s/client.ts',
  ])('ships %s, which `npm run build` needs', (file) => {
    expect(existsSync(path.join(repoRoot, file))).toBe(true);
    expect(ignored(file)).toBe(false);
  });
});
