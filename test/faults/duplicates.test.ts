import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildIngest } from '../../functions/ingest/create.js';
import { createIngestMetrics } from '../../functions/ingest/metrics.js';
import { KERNEL_WHISPER, POD_BIRTH_CERTIFICATE } from '../../lib/api/group.js';
import { parseConfig } from '../../lib/config.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { connectKubeApi } from '../../lib/k8s/client.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import { createLogger } from '../../lib/log.js';
import type { HttpFixture } from '../fixtures/events.js';
import { adminApi, createPod, freshNamespace } from '../integration/support/cluster.js';
import { deliver, deliverAll } from './support/broker-sender.js';
import { differences } from './support/verify.js';
import { buildWorkload, podNames, shuffled, WORKLOAD_CONTAINERS, type Workload } from './support/workload.js';

/**
 * Every event delivered three times, concurrently and in shuffled order, over
 * two ingest instances: the final state equals one in-order delivery.
 */
let admin: KubeApi & { close(): void };
const clients: (KubeApi & { close(): void })[] = [];

async function ingestInstance(): Promise<Hono> {
  const api = await connectKubeApi({ kubeconfigPath: inject('kubeconfig') });
  clients.push(api);
  return buildIngest({
    config: parseConfig({ AUTH_REQUIRED: 'false' }),
    api,
    log: createLogger({ level: 'silent', name: 'dup' }),
    metrics: createIngestMetrics(),
  });
}

function poster(app: Hono) {
  return async (fixture: HttpFixture) =>
    (await app.request('/', { method: 'POST', headers: fixture.headers, body: fixture.body })).status;
}

/**
 * Both namespaces' pods first, then one workload time for both, so the two
 * deliveries carry the same observation times, all after the pods were created
 * (an older time is an earlier pod's: docs/design.md).
 */
async function prepare(...prefixes: string[]): Promise<{ namespace: string; workload: Workload }[]> {
  const pods = podNames(10);
  const namespaces: string[] = [];
  for (const prefix of prefixes) {
    const namespace = await freshNamespace(admin, prefix);
    for (const pod of pods) await createPod(admin, namespace, pod, { containers: WORKLOAD_CONTAINERS });
    namespaces.push(namespace);
  }
  const start = Date.now() - 300;
  return namespaces.map((namespace) => ({ namespace, workload: buildWorkload(namespace, pods, 300, start) }));
}

/**
 * Objects without what legitimately differs between two deliveries: pod UIDs,
 * generation counters (they count writes, and coalescing writes less), and a
 * condition's lastTransitionTime, which records when this history saw the
 * status change — a different order of arrival is a different history.
 */
async function snapshot(namespace: string): Promise<unknown[]> {
  const strip = (object: KubeObject) => ({
    name: object.metadata.name,
    labels: object.metadata.labels,
    spec: object.spec,
    status: object.status,
  });
  const whispers = (await admin.list(KERNEL_WHISPER, { namespace })).items.map(strip);
  const certificates = (await admin.list(POD_BIRTH_CERTIFICATE, { namespace })).items.map(strip);
  return [...whispers, ...certificates].sort((a, b) => a.name.localeCompare(b.name));
}

beforeAll(async () => {
  admin = await adminApi();
});
afterAll(() => {
  admin.close();
  for (const client of clients) client.close();
});

describe('duplicates and order', () => {
  it('three shuffled concurrent copies on two instances end where one in-order delivery ends', async () => {
    const [inOrder, messy] = await prepare('dup-ordered', 'dup-shuffled');
    if (inOrder === undefined || messy === undefined) throw new Error('two namespaces were prepared');
    const single = poster(await ingestInstance());
    const ordered = await deliverAll(inOrder.workload.events, 1, (event) => deliver(single, event.id, event.fixture));
    expect(ordered.every((delivery) => delivery.delivered)).toBe(true);

    const instances = [poster(await ingestInstance()), poster(await ingestInstance())];
    const copies = shuffled([...messy.workload.events, ...messy.workload.events, ...messy.workload.events], 42);
    const deliveries = await deliverAll(copies, 12, (event, i) =>
      deliver(instances[i % 2] ?? single, event.id, event.fixture),
    );
    expect(deliveries.filter((delivery) => !delivery.delivered)).toEqual([]);

    expect(await differences(admin, inOrder.namespace, inOrder.workload)).toEqual([]);
    expect(await differences(admin, messy.namespace, messy.workload)).toEqual([]);
    const varying = new Set([
      'pod_uid',
      'observed_generation',
      'observedGeneration',
      'lastTransitionTime',
      'created_at',
    ]);
    // The two namespaces' pods were created at different times: compare their lifecycles from each creation.
    const fromCreation = (timeline: { timestamp_ms: number; step?: string }[]) => {
      const created = timeline.find((entry) => entry.step === 'created')?.timestamp_ms ?? 0;
      return timeline.map((entry) =>
        entry.step === undefined ? entry : { ...entry, timestamp_ms: entry.timestamp_ms - created },
      );
    };
    const normalise = (objects: unknown[]) =>
      JSON.parse(
        JSON.stringify(objects, (key, value: unknown) =>
          varying.has(key) ? undefined : key === 'timeline' && Array.isArray(value) ? fromCreation(value) : value,
        )
          .replaceAll(messy.namespace, 'NS')
          .replaceAll(inOrder.namespace, 'NS'),
      ) as unknown;
    expect(normalise(await snapshot(messy.namespace))).toEqual(normalise(await snapshot(inOrder.namespace)));
  });
});
