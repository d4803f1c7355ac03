import { access, constants, mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cacheDirFor, readToolsGoMod } from './binaries.js';
import { controlFileName, dataDirPrefix, destroyNow, registerExitCleanup } from './cleanup.js';
import { controlPlaneControl } from './control-client.js';
import { writeControlFile } from './control-file.js';
import type { ControlPlane } from './harness.js';

/**
 * A ControlPlane for an existing cluster (kind, minikube): nothing is started or stopped.
 * It still gets a data dir for its control file, so fault tests find out through the
 * usual channel that they cannot restart components there.
 */
export async function connectExternalCluster(kubeconfigPath: string): Promise<ControlPlane> {
  // Imported here so that the usual, non-external path does not load client-node.
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null) throw new Error(`${kubeconfigPath} has no current cluster`);
  const caPem =
    cluster.caData !== undefined
      ? Buffer.from(cluster.caData, 'base64').toString('utf8')
      : cluster.caFile !== undefined
        ? await readFile(cluster.caFile, 'utf8')
        : '';
  const { binDir, kubectlPath } = await findKubectl();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), dataDirPrefix));
  const controlFile = path.join(dataDir, controlFileName);
  writeControlFile(controlFile, { ownerPid: process.pid, dataDir, external: true, components: {} });
  const unregister = registerExitCleanup(dataDir);
  const stop = async (): Promise<void> => {
    unregister();
    destroyNow(dataDir);
  };
  return {
    ...controlPlaneControl(controlFile),
    kubeconfigPath,
    server: cluster.server,
    caPem,
    binDir,
    kubectlPath,
    dataDir,
    controlFile,
    external: true,
    stop,
  };
}

/** The kubectl we built if there is one (no Go needed for an external cluster), else PATH's. */
async function findKubectl(): Promise<{ binDir: string; kubectlPath: string }> {
  const binDir = path.join(cacheDirFor((await readToolsGoMod()).release), 'bin');
  const built = path.join(binDir, 'kubectl');
  try {
    await access(built, constants.X_OK);
    return { binDir, kubectlPath: built };
  } catch {
    return { binDir: '', kubectlPath: 'kubectl' };
  }
}
