import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildIngest } from '../../functions/ingest/create.js';
import { createIngestMetrics } from '../../functions/ingest/metrics.js';
import { parseConfig } from '../../lib/config.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { connectKubeApi } from '../../lib/k8s/client.js';
import { createLogger } from '../../lib/log.js';
import { controlPlaneControl } from '../controlplane/control-client.js';
import type { HttpFixture } from '../fixtures/events.js';
import { adminApi, createPod, freshNamespace } from '../integration/support/cluster.js';
import { deliver, deliverAll, isRetried } from './support/broker-sender.js';
import { differences } from './support/verify.js';
import { buildWorkload, podNames, WORKLOAD_CONTAINERS } from './support/workload.js';

/**
 * 1,000 events delivered as a Knative Broker would while kube-apiserver, then
 * etcd, is killed and restarted midway. Every event's effect must be present,
 * nothing duplicated, and no 2xx answered while the component was down.
 */
const EVENTS = 1000;
const PODS = 40;
const OUTAGE_AFTER = 300;
/** etcd outages outlast the client's 10 s request timeout: the API server holds requests while etcd is away. */
const OUTAGE_MS = { apiserver: 3000, etcd: 12_000 } as const;

type Answer = { status: number; startedAt: number; endedAt: number };

let admin: KubeApi & { close(): void };
let ingestApi: KubeApi & { close(): void };
let app: Hono;

beforeAll(async () => {
  admin = await adminApi();
  ingestApi = await connectKubeApi({ kubeconfigPath: inject('kubeconfig') });
  app = buildIngest({
    config: parseConfig({ AUTH_REQUIRED: 'false' }),
    api: ingestApi,
    log: createLogger({ level: 'silent', name: 'faults' }),
    metrics: createIngestMetrics(),
  });
});
afterAll(() => {
  admin.close();
  ingestApi.close();
});

async function runWithOutage(
  component: 'apiserver' | 'etcd',
): Promise<{ problems: string[]; answers: Answer[]; outage: { from: number; to: number }; undelivered: string[] }> {
  const namespace = await freshNamespace(admin, `fault-${component}`);
  const pods = podNames(PODS);
  for (const pod of pods) await createPod(admin, namespace, pod, { containers: WORKLOAD_CONTAINERS });
  // Observed after the pods were created: an older time is an earlier pod's (docs/design.md).
  const workload = buildWorkload(namespace, pods, EVENTS, Date.now() - EVENTS);
  const answers: Answer[] = [];
  const post = async (fixture: HttpFixture) => {
    const startedAt = Date.now();
    const response = await app.request('/', { method: 'POST', headers: fixture.headers, body: fixture.body });
    answers.push({ status: response.status, startedAt, endedAt: Date.now() });
    return response.status;
  };
  const control = controlPlaneControl(inject('controlPlaneControl'));
  const outage = { from: 0, to: 0 };
  let outageDone: Promise<void> = Promise.resolve();
  const deliveries = await deliverAll(
    workload.events,
    8,
    (event) => deliver(post, event.id, event.fixture),
    (done) => {
      if (done !== OUTAGE_AFTER) return;
      outageDone = (async () => {
        await (component === 'apiserver' ? control.stopApiServer() : control.stopEtcd());
        outage.from = Date.now();
        await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS[component]));
        outage.to = Date.now();
        await (component === 'apiserver' ? control.startApiServer() : control.startEtcd());
      })();
    },
  );
  await outageDone;
  const undelivered = deliveries.filter((delivery) => !delivery.delivered).map((delivery) => delivery.id);
  return { problems: await differences(admin, namespace, workload), answers, outage, undelivered };
}

describe.each(['apiserver', 'etcd'] as const)('%s killed and restarted during 1,000 events', (component) => {
  it('loses nothing, duplicates nothing, and never answers 2xx while down', async () => {
    const result = await runWithOutage(component);
    // Every answer given while the component was down (the API server holds requests while etcd is away, so they end in a timeout).
    const duringOutage = result.answers.filter(
      (answer) => answer.endedAt >= result.outage.from && answer.endedAt <= result.outage.to,
    );
    console.log(
      `${component}: ${EVENTS} events, ${result.answers.length} answers, ${duringOutage.length} during the ${result.outage.to - result.outage.from} ms outage, ${result.undelivered.length} undelivered`,
    );
    expect(result.undelivered).toEqual([]);
    expect(result.problems).toEqual([]);
    expect(duringOutage.length).toBeGreaterThan(0);
    expect(duringOutage.filter((answer) => !isRetried(answer.status))).toEqual([]);
  });
});
