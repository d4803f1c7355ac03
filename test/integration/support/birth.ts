import type { Hono } from 'hono';
import { buildIngest } from '../../../functions/ingest/create.js';
import { createIngestMetrics } from '../../../functions/ingest/metrics.js';
import type { ResourceType } from '../../../lib/api/group.js';
import { POD } from '../../../lib/api/group.js';
import { parseConfig } from '../../../lib/config.js';
import type { KubeApi } from '../../../lib/k8s/api.js';
import type { KubeObject } from '../../../lib/k8s/objects.js';
import { createLogger } from '../../../lib/log.js';
import { structuredEvent } from '../../fixtures/events.js';

/**
 * A pod born without a kubelet: created through the API, then its conditions and
 * container statuses set through the status subresource at chosen offsets from
 * its creation, as a kubelet and scheduler would. Shared by the integration and
 * browser tests.
 */
export const BIRTH = 'io.gossip.kernel.pod_creation.v1';

export type Offsets = {
  readonly conditions: Readonly<Record<string, number>>;
  readonly init?: Readonly<Record<string, number>>;
  readonly containers?: Readonly<Record<string, number>>;
};

export async function createBirthPod(
  api: KubeApi,
  namespace: string,
  name: string,
  containers: { init: readonly string[]; main: readonly string[] },
): Promise<{ uid: string; createdMs: number }> {
  const image = 'registry.invalid/app:1';
  const pod = await api.create<KubeObject>(
    POD,
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, annotations: { 'kernel-gossip.io/monitor': 'true' } },
      spec: {
        nodeName: 'node-1',
        initContainers: containers.init.map((container) => ({ name: container, image })),
        containers: containers.main.map((container) => ({ name: container, image })),
      },
    },
    { fieldManager: 'test' },
  );
  return { uid: pod.metadata.uid ?? '', createdMs: Date.parse(pod.metadata.creationTimestamp ?? '') };
}

/** What the scheduler and kubelet would report: True conditions and started containers at `createdMs` + offset seconds. */
export async function setLifecycle(
  api: KubeApi,
  namespace: string,
  name: string,
  createdMs: number,
  offsets: Offsets,
): Promise<void> {
  const at = (seconds: number) => new Date(createdMs + seconds * 1000).toISOString().replace('.000Z', 'Z');
  const conditions = Object.entries(offsets.conditions).map(([type, seconds]) => ({
    type,
    status: 'True',
    lastTransitionTime: at(seconds),
  }));
  const started = (state: 'running' | 'terminated') => (entries: [string, number][]) =>
    entries.map(([container, seconds]) => ({
      name: container,
      image: 'registry.invalid/app:1',
      imageID: '',
      ready: state === 'running',
      restartCount: 0,
      state:
        state === 'running'
          ? { running: { startedAt: at(seconds) } }
          : { terminated: { exitCode: 0, reason: 'Completed', startedAt: at(seconds), finishedAt: at(seconds) } },
    }));
  await api.applyStatus(
    POD,
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace },
      status: {
        conditions,
        initContainerStatuses: started('terminated')(Object.entries(offsets.init ?? {})),
        containerStatuses: started('running')(Object.entries(offsets.containers ?? {})),
      },
    },
    { fieldManager: 'test-kubelet' },
  );
}

/** Calls per "verb plural" through a KubeApi, e.g. `get pods`, `applyStatus podbirthcertificates`. */
export function countingApi(api: KubeApi): { api: KubeApi; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  const counted = <T>(verb: string, type: ResourceType, call: () => T): T => {
    const key = `${verb} ${type.plural}`;
    counts[key] = (counts[key] ?? 0) + 1;
    return call();
  };
  return {
    counts,
    api: {
      get: (type, ref) => counted('get', type, () => api.get(type, ref)),
      list: (type, options) => counted('list', type, () => api.list(type, options)),
      create: (type, object, options) => counted('create', type, () => api.create(type, object, options)),
      apply: (type, object, options) => counted('apply', type, () => api.apply(type, object, options)),
      applyStatus: (type, object, options) =>
        counted('applyStatus', type, () => api.applyStatus(type, object, options)),
      delete: (type, ref, preconditions) => counted('delete', type, () => api.delete(type, ref, preconditions)),
    },
  };
}

export function ingestApp(api: KubeApi): Hono {
  return buildIngest({
    config: parseConfig({ KERNEL_GOSSIP_FUNCTION: 'ingest', AUTH_REQUIRED: 'false' }),
    api,
    log: createLogger({ level: 'silent', name: 'test' }),
    metrics: createIngestMetrics(),
  });
}

export async function postBirth(app: Hono, data: Record<string, unknown>, id: string): Promise<Response> {
  const fixture = structuredEvent(BIRTH, data, id);
  return app.request('/', { method: 'POST', headers: fixture.headers, body: fixture.body });
}
