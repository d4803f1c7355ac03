import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildIngest } from '../../functions/ingest/create.js';
import { createIngestMetrics } from '../../functions/ingest/metrics.js';
import { buildSweep } from '../../functions/sweep/create.js';
import { createSweepMetrics } from '../../functions/sweep/metrics.js';
import { parseConfig } from '../../lib/config.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { connectKubeApi } from '../../lib/k8s/client.js';
import { createLogger } from '../../lib/log.js';
import type { HttpFixture } from '../fixtures/events.js';
import { adminApi, createPod, freshNamespace } from '../integration/support/cluster.js';
import { deliver, deliverAll } from './support/broker-sender.js';
import { differences } from './support/verify.js';
import { buildWorkload, podNames, WORKLOAD_CONTAINERS } from './support/workload.js';

/**
 * Two ingest instances and two sweep instances, sweeping over and over while the
 * events arrive, on the same objects: no ingest write is lost to a sweep, and the
 * cluster converges (a last sweep finds nothing to write).
 */
const quiet = createLogger({ level: 'silent', name: 'concurrency' });
const clients: (KubeApi & { close(): void })[] = [];
let admin: KubeApi & { close(): void };

async function client(): Promise<KubeApi & { close(): void }> {
  const api = await connectKubeApi({ kubeconfigPath: inject('kubeconfig') });
  clients.push(api);
  return api;
}

type SweepSummary = { writes: number; failures: unknown[] };

async function sweepOnce(app: Hono): Promise<SweepSummary> {
  const response = await app.request('/', { method: 'POST' });
  return (await response.json()) as SweepSummary;
}

beforeAll(async () => {
  admin = await adminApi();
});
afterAll(() => {
  admin.close();
  for (const api of clients) api.close();
});

describe('two ingest instances and two overlapping sweeps', () => {
  it('lose no write and converge', async () => {
    const namespace = await freshNamespace(admin, 'concurrent');
    const pods = podNames(20);
    for (const pod of pods) await createPod(admin, namespace, pod, { containers: WORKLOAD_CONTAINERS });
    const workload = buildWorkload(namespace, pods, 400, Date.now() - 400);
    const ingests = await Promise.all(
      [0, 1].map(async () =>
        buildIngest({
          config: parseConfig({ AUTH_REQUIRED: 'false' }),
          api: await client(),
          log: quiet,
          metrics: createIngestMetrics(),
        }),
      ),
    );
    const sweepConfig = parseConfig({
      AUTH_REQUIRED: 'false',
      KERNEL_GOSSIP_FUNCTION: 'sweep',
      ALLOWED_NAMESPACES: namespace,
      MONITORED_PODS_NAMESPACE: namespace,
    });
    const sweeps = await Promise.all(
      [0, 1].map(async () =>
        buildSweep({ config: sweepConfig, api: await client(), log: quiet, metrics: createSweepMetrics() }),
      ),
    );

    let delivering = true;
    let sweepWrites = 0;
    const sweepLoops = sweeps.map(async (app) => {
      let rounds = 0;
      while (delivering && rounds < 200) {
        sweepWrites += (await sweepOnce(app)).writes;
        rounds++;
      }
      return rounds;
    });
    const post = (app: Hono) => async (fixture: HttpFixture) =>
      (await app.request('/', { method: 'POST', headers: fixture.headers, body: fixture.body })).status;
    const deliveries = await deliverAll(workload.events, 8, (event, i) =>
      deliver(post(ingests[i % 2] ?? (ingests[0] as Hono)), event.id, event.fixture),
    );
    delivering = false;
    const rounds = await Promise.all(sweepLoops);

    console.log(
      `${workload.events.length} events over 2 ingest instances; ${rounds.join(' + ')} overlapping sweeps wrote ${sweepWrites} times`,
    );
    expect(deliveries.filter((delivery) => !delivery.delivered)).toEqual([]);
    expect(rounds.every((count) => count > 0)).toBe(true);
    await sweepOnce(sweeps[0] as Hono);
    expect(await differences(admin, namespace, workload)).toEqual([]);
    const last = await sweepOnce(sweeps[1] as Hono);
    expect(last).toMatchObject({ writes: 0, failures: [] });
  });
});
