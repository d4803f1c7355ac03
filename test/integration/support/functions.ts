import { afterAll, beforeAll, inject } from 'vitest';
import { KERNEL_WHISPER, POD, POD_BIRTH_CERTIFICATE } from '../../../lib/api/group.js';
import type { KubeObject } from '../../../lib/k8s/objects.js';
import { connectCluster, modelNamespace, waitForStorage } from '../../model/cluster.js';
import { type Cluster, type System, startSystem } from '../../model/system.js';

/**
 * The functions' Hono apps (two ingest instances with their own caches, and a
 * sweep) over the run's real API server, on one fresh namespace, with a
 * simulated clock the test moves: the set-up the model-based sequences use,
 * for tests that replay one finding on purpose.
 */
/** Connects before the file's tests and closes after them; call at the top of a test file. */
export function useFunctionsCluster(): () => Cluster {
  let cluster: (Cluster & { close(): void }) | undefined;
  beforeAll(async () => {
    cluster = await connectCluster(inject('kubeconfig'), inject('controlPlaneControl'));
    await waitForStorage(cluster);
  });
  afterAll(() => cluster?.close());
  return () => {
    if (cluster === undefined) throw new Error('the cluster is connected in beforeAll');
    return cluster;
  };
}

export async function functionsOn(cluster: Cluster, startMs = Math.ceil(Date.now() / 1000) * 1000): Promise<System> {
  return startSystem(cluster, await modelNamespace(cluster), startMs);
}

export type PodSetup = {
  readonly annotated?: boolean;
  readonly containers?: readonly { name: string; limit?: string; request?: string }[];
};

export async function createPod(system: System, name: string, setup: PodSetup = {}): Promise<KubeObject> {
  const containers = (setup.containers ?? [{ name: 'app', limit: '500m' }]).map((container) => ({
    name: container.name,
    image: 'registry.invalid/app:1',
    resources: {
      ...(container.request === undefined ? {} : { requests: { cpu: container.request } }),
      ...(container.limit === undefined ? {} : { limits: { cpu: container.limit } }),
    },
  }));
  const annotations: Record<string, string> = setup.annotated === false ? {} : { 'kernel-gossip.io/monitor': 'true' };
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: system.namespace, annotations },
    spec: { containers },
  };
  return system.cluster.api.create<KubeObject>(POD, pod, { fieldManager: 'test' });
}

export async function deletePod(system: System, name: string): Promise<void> {
  await system.cluster.api.delete(POD, { namespace: system.namespace, name });
}

type Throttle = {
  readonly pod: string;
  readonly container?: string;
  readonly percent: number;
  readonly atMs: number;
  readonly uid?: string;
  readonly source?: string;
  readonly reported?: number;
  readonly actual?: number;
  readonly throttleNs?: number;
  readonly periodSeconds?: number;
};

/** A binary-mode throttle CloudEvent to one ingest instance; resolves to its answer. */
export function sendThrottle(system: System, instance: number, event: Throttle): Promise<Response> {
  const data = {
    pod_name: event.pod,
    namespace: system.namespace,
    container_name: event.container ?? 'app',
    throttle_percentage: event.percent,
    actual_cpu_usage: event.actual ?? 0.4,
    ...(event.reported === undefined ? {} : { reported_cpu_usage: event.reported }),
    ...(event.throttleNs === undefined ? {} : { throttle_ns: event.throttleNs }),
    ...(event.periodSeconds === undefined ? {} : { period_seconds: event.periodSeconds }),
    timestamp: new Date(event.atMs).toISOString(),
    ...(event.uid === undefined ? {} : { pod_uid: event.uid }),
  };
  return send(system, instance, 'io.gossip.kernel.cpu_throttle.v1', data, event.source);
}

type Birth = { readonly pod: string; readonly container?: string; readonly atMs: number; readonly uid?: string };

export function sendBirth(system: System, instance: number, event: Birth): Promise<Response> {
  const data = {
    pod_name: event.pod,
    namespace: system.namespace,
    ...(event.container === undefined ? {} : { container_name: event.container }),
    total_syscalls: 100,
    namespace_ops: 6,
    cgroup_writes: 12,
    duration_ns: 50_000_000,
    timestamp: new Date(event.atMs).toISOString(),
    ...(event.uid === undefined ? {} : { pod_uid: event.uid }),
  };
  return send(system, instance, 'io.gossip.kernel.pod_creation.v1', data);
}

function send(system: System, instance: number, type: string, data: object, source = '/kernel-observer/node-1') {
  system.nextEventId += 1;
  const headers = {
    'content-type': 'application/json',
    'ce-specversion': '1.0',
    'ce-id': `test-${system.nextEventId}`,
    'ce-source': source,
    'ce-type': type,
  };
  const app = system.ingest[instance];
  if (app === undefined) throw new Error(`no ingest instance ${instance}`);
  return Promise.resolve(app.request('/', { method: 'POST', headers, body: JSON.stringify(data) }));
}

export function outcomeOf(response: Response): string {
  return `${response.status} ${response.headers.get('kernel-gossip-outcome') ?? ''}`.trim();
}

export async function runSweep(system: System): Promise<Record<string, unknown>> {
  const response = await system.sweep.request('/', { method: 'POST' });
  const summary = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200) throw new Error(`sweep answered ${response.status}: ${JSON.stringify(summary)}`);
  return summary;
}

export function whisper(system: System, name: string): Promise<KubeObject | undefined> {
  return system.cluster.api.get(KERNEL_WHISPER, { namespace: system.namespace, name });
}

export function certificate(system: System, name: string): Promise<KubeObject | undefined> {
  return system.cluster.api.get(POD_BIRTH_CERTIFICATE, { namespace: system.namespace, name });
}

type ManagedFieldsEntry = { manager: string; subresource?: string; fieldsV1?: Record<string, unknown> };

/** The object's managedFields as the API server keeps them (our KubeApi drops them). */
export async function managedFields(system: System, plural: string, name: string): Promise<ManagedFieldsEntry[]> {
  const path = `/apis/kernel.gossip.io/v1alpha1/namespaces/${system.namespace}/${plural}/${name}`;
  const result = await system.cluster.request('GET', path);
  return (result.body as { metadata?: { managedFields?: ManagedFieldsEntry[] } }).metadata?.managedFields ?? [];
}

/** Top-level status fields (and condition keys) each manager owns. */
export function statusOwners(entries: readonly ManagedFieldsEntry[]): Record<string, string[]> {
  const owners: Record<string, string[]> = {};
  for (const entry of entries.filter((item) => item.subresource === 'status')) {
    const status = (entry.fieldsV1?.['f:status'] ?? {}) as Record<string, Record<string, unknown>>;
    const conditions = Object.keys(status['f:conditions'] ?? {}).filter((key) => key !== '.');
    const fields = Object.keys(status).filter((key) => key !== '.' && key !== 'f:conditions');
    owners[entry.manager] = [...fields, ...conditions].sort();
  }
  return owners;
}
