import { spawn } from 'node:child_process';
import { access, constants, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
  if (await allExecutable(binDir)) return { binDir, release };
  if (!(await goIsInstalled())) {
    throw new Error(
      `Go is not installed; the control plane (kube-apiserver ${release}, etcd) is built from ` +
        `Go modules: install Go >= ${goVersion}, or set KERNEL_GOSSIP_KUBECONFIG to test ` +
        'against an existing cluster',
    );
  }
  await runBuild(cacheDir, release);
  return { binDir, release };
}

async function allExecutable(binDir: string): Promise<boolean> {
  const checks = binaryNames.map((name) => access(path.join(binDir, name), constants.X_OK));
  return Promise.all(checks).then(
    () => true,
    () => false,
  );
}

function goIsInstalled(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('go', ['version'], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

/**
 * Forwards the build's output to our stderr as it comes (the first build takes minutes,
 * silence would look like a hang) and keeps its tail for the one error we throw.
 */
function runBuild(cacheDir: string, release: string): Promise<void> {
  const script = path.join(toolsDir, 'build.sh');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, cacheDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const forward = (chunk: Buffer): void => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.once('error', (cause) => reject(new Error(`Could not run ${script} to build the control plane`, { cause })));
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      const how = signal === null ? `exited with code ${String(code)}` : `was killed by ${signal}`;
      const lastLines = tail.trimEnd().split('\n').slice(-15).join('\n');
      const what = `Building the control plane ${release} into ${cacheDir} failed`;
      reject(new Error(`${what}: build.sh ${how}:\n${lastLines}`));
    });
  });
}
