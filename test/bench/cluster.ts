import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { POD, type ResourceType } from '../../lib/api/group.js';
import type { Pod } from '../../lib/core/pod.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { connectKubeApi } from '../../lib/k8s/client.js';
import { loadCredentials } from '../../lib/k8s/credentials.js';
import { createTransport, type Transport } from '../../lib/k8s/transport.js';
import { mapBounded } from '../../lib/map-bounded.js';
import { repoRoot } from '../controlplane/binaries.js';
import { readControlFile } from '../controlplane/control-file.js';
import { type ControlPlane, startControlPlane } from '../controlplane/harness.js';
import type { CpuPids } from './cpu.js';
import { benchPod } from './observations.js';

/**
 * The API server the bench measures against: the project's embedded control
 * plane with our CRDs, an admin client for setting up fixtures, and a raw
 * transport for the API server's own /metrics.
 */
export type BenchCluster = {
  readonly controlPlane: ControlPlane;
  readonly api: KubeApi & { close(): void };
  readonly transport: Transport;
  /** kube-apiserver and etcd, for CPU accounting. */
  readonly pids: CpuPids;
  stop(): Promise<void>;
};

const NAMESPACE: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  namespaced: false,
};
const CRD_FILES = ['kernelwhisper.yaml', 'podbirthcertificate.yaml', 'workloadwhisper.yaml'].map((name) =>
  path.join(repoRoot, 'crds', name),
);
const run = promisify(execFile);

export async function startBenchCluster(): Promise<BenchCluster> {
  const controlPlane = await startControlPlane();
  try {
    const kubectl = (...args: string[]) =>
      run(controlPlane.kubectlPath, ['--kubeconfig', controlPlane.kubeconfigPath, ...args]);
    const files = CRD_FILES.flatMap((file) => ['-f', file]);
    await kubectl('apply', '--server-side', '--force-conflicts', ...files);
    await kubectl('wait', '--for=condition=Established', '--timeout=60s', ...files);
    const api = await connectKubeApi({ kubeconfigPath: controlPlane.kubeconfigPath });
    const transport = createTransport(await loadCredentials({ kubeconfigPath: controlPlane.kubeconfigPath }));
    const stop = async (): Promise<void> => {
      api.close();
      transport.close();
      await controlPlane.stop();
    };
    return { controlPlane, api, transport, pids: controlPlanePids(controlPlane), stop };
  } catch (error) {
    await controlPlane.stop();
    throw error;
  }
}

function controlPlanePids(controlPlane: ControlPlane): CpuPids {
  if (controlPlane.external) return {};
  const { components } = readControlFile(controlPlane.controlFile);
  const pids: Record<string, number> = {};
  if (typeof components.apiserver?.pid === 'number') pids.apiserver = components.apiserver.pid;
  if (typeof components.etcd?.pid === 'number') pids.etcd = components.etcd.pid;
  return pids;
}

export async function createNamespace(api: KubeApi, name: string): Promise<void> {
  await api.create(NAMESPACE, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: 'bench' });
}

/** Opted-in pods (answered with their UIDs) with one container `app`; without a kubelet they stay Pending, which the functions do not mind. */
export async function createPods(
  api: KubeApi,
  namespace: string,
  names: readonly string[],
  shape: { nodeOf?: (name: string, index: number) => string; containers?: string[] } = {},
): Promise<Map<string, Pod>> {
  const created = await mapBounded(names, 16, async (name, index) => {
    const manifest = benchPod(namespace, name, shape.nodeOf?.(name, index), shape.containers);
    const pod = await api.create<Pod>(POD, manifest, { fieldManager: 'bench' });
    return [name, pod] as const;
  });
  return new Map(created);
}

export function podNames(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);
}
