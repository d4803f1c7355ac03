import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_MAP, MONITOR_ANNOTATION } from '../../lib/api/group.js';
import type { Pod } from '../../lib/core/pod.js';
import { type ConfigMap, desiredMonitoredPods } from '../../lib/core/sweep-monitored-pods.js';
import { KubeApiError } from '../../lib/errors.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { adminApi, freshNamespace } from './support/cluster.js';

/**
 * The API server refuses a ConfigMap holding more than 1 MiB of data. The
 * monitored-pods ConfigMap of ~7,000 pods with long names would pass it, and
 * every sweep's write would fail; the sweep lists as many as fit instead.
 */
let api: KubeApi & { close(): void };
let namespace: string;

beforeAll(async () => {
  api = await adminApi();
  namespace = await freshNamespace(api, 'monitored-limit');
});
afterAll(() => api.close());

const policy = { mode: 'annotated', skipNamespaces: new Set<string>() } as const;

/** Pods as the sweep sees them; none is created, only the ConfigMap that lists them is written. */
function pods(count: number): Pod[] {
  return Array.from({ length: count }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `web-${'x'.repeat(50)}-${i}`,
      namespace: `team-${'y'.repeat(20)}`,
      uid: `${String(i).padStart(8, '0')}-aaaa-bbbb-cccc-dddddddddddd`,
      annotations: { [MONITOR_ANNOTATION]: 'true' },
    },
    spec: { containers: [{ name: 'app' }] },
    status: { phase: 'Running' },
  }));
}

function planned(count: number): ConfigMap {
  const map = desiredMonitoredPods(pods(count), undefined, { namespace, policy, nowMs: Date.now() });
  if (map === undefined) throw new Error('nothing planned');
  return map;
}

describe('the monitored-pods ConfigMap of a large cluster', () => {
  it('is accepted by the API server, listing as many pods as fit', async () => {
    const map = planned(7_000);
    expect(map.data).toMatchObject({ total: '7000', truncated: 'true' });
    const stored = await api.apply(CONFIG_MAP, map, { fieldManager: 'kernel-gossip-sweep' });
    expect(stored.metadata.resourceVersion).toBeDefined();
  });

  it('would be refused whole (the limit the cut keeps under)', async () => {
    const map = planned(7_000);
    const all = pods(7_000);
    const whole = {
      ...map,
      metadata: { ...map.metadata, name: 'uncut' },
      data: {
        ...map.data,
        pods: all.map((pod) => `${pod.metadata.name}:${pod.metadata.uid}`).join(','),
        'pods.namespaced': all
          .map((pod) => `${pod.metadata.namespace}/${pod.metadata.name}:${pod.metadata.uid}`)
          .join(','),
      },
    };
    const refused = await api.apply(CONFIG_MAP, whole, { fieldManager: 'test' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(KubeApiError);
    expect((refused as KubeApiError).statusCode).toBe(422);
  });
});
