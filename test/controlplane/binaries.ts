import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allExecutable, goIsInstalled, runToolsBuild } from './tools-build.js';

export interface ControlPlaneBinaries {
  readonly binDir: string;
  readonly release: string;
}

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const toolsDir = fileURLToPath(new URL('./tools/', import.meta.url));
const binaryNames = ['etcd', 'kube-apiserver', 'kubectl'] as const;

/** The `k8s.io/kubernetes` version (e.g. v1.36.3) and the Go version go.mod asks for. */
export async function readToolsGoMod(): Promise<{ release: string; goVersion: string }> {
  const goMod = await readFile(path.join(toolsDir, 'go.mod'), 'utf8');
  // Both the block form (`\tk8s.io/kubernetes v1.36.3`) and the one-line `require` form;
  // `replace` lines start with `replace` and so never match.
  const release = /^(?:require\s+|\s+)k8s\.io\/kubernetes\s+(v\d\S*)/m.exec(goMod)?.[1];
  if (release === undefined) {
    throw new Error(`No k8s.io/kubernetes requirement in ${path.join(toolsDir, 'go.mod')}`);
  }
  const goVersion = /^go\s+(\S+)/m.exec(goMod)?.[1] ?? 'the version in go.mod';
  return { release, goVersion };
}

export function cacheDirFor(release: string): string {
  return path.join(repoRoot, '.cache', 'controlplane', release);
}

/**
 * Builds (first run only, minutes) or reuses etcd, kube-apiserver and kubectl of the
 * pinned release. Cached binaries are used without Go, so only the first build needs it.
 */
export async function ensureControlPlaneBinaries(): Promise<ControlPlaneBinaries> {
  const { release, goVersion } = await readToolsGoMod();
  const cacheDir = cacheDirFor(release);
  const binDir = path.join(cacheDir, 'bin');
  if (await allExecutable(binDir, binaryNames)) return { binDir, release };
  if (!(await goIsInstalled())) {
    throw new Error(
      `Go is not installed; the control plane (kube-apiserver ${release}, etcd) is built from ` +
        `Go modules: install Go >= ${goVersion}, or set KERNEL_GOSSIP_KUBECONFIG to test ` +
        'against an existing cluster',
    );
  }
  await runToolsBuild(path.join(toolsDir, 'build.sh'), cacheDir, `the control plane ${release}`);
  return { binDir, release };
}
