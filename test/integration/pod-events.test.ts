import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIngest } from '../../functions/ingest/create.js';
import { createIngestMetrics, type IngestMetrics } from '../../functions/ingest/metrics.js';
import { EVENT } from '../../lib/api/group.js';
import { parseConfig } from '../../lib/config.js';
import type { PodEvent } from '../../lib/core/pod-event.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { createLogger } from '../../lib/log.js';
import { creationData, structuredEvent, throttleData } from '../fixtures/events.js';
import { adminApi, createPod, freshNamespace, kubectl } from './support/cluster.js';

/** Events on the pod (events.k8s.io/v1), deduplicated into one series, as `kubectl describe pod` shows them. */
let api: KubeApi & { close(): void };
let namespace: string;

function ingest(eventSeriesIntervalMs?: number): { app: Hono; metrics: IngestMetrics } {
  const metrics = createIngestMetrics();
  const config = parseConfig({ KERNEL_GOSSIP_FUNCTION: 'ingest', AUTH_REQUIRED: 'false' });
  return {
    app: buildIngest({
      config,
      api,
      log: createLogger({ level: 'silent', name: 'test' }),
      metrics,
      eventSeriesIntervalMs,
      reportingInstance: 'ingest-test',
    }),
    metrics,
  };
}

/** Observation i of n, each newer than the one before, all in the recent past. */
function observation(pod: string, i: number, n: number, overrides: Record<string, unknown> = {}) {
  return structuredEvent(
    'io.gossip.kernel.cpu_throttle.v1',
    {
      ...throttleData,
      namespace,
      pod_name: pod,
      timestamp: new Date(Date.now() - (n - i) * 50).toISOString(),
      ...overrides,
    },
    randomUUID(),
  );
}

async function post(app: Hono, fixture: { headers: Record<string, string>; body: string }): Promise<string | null> {
  const response = await app.request('/', { method: 'POST', headers: fixture.headers, body: fixture.body });
  return response.headers.get('kernel-gossip-outcome');
}

async function eventsOf(pod: string): Promise<PodEvent[]> {
  const list = await api.list<PodEvent>(EVENT, { namespace });
  return list.items.filter((event) => event.regarding?.name === pod);
}

beforeAll(async () => {
  api = await adminApi();
  namespace = await freshNamespace(api, 'pod-events');
  for (const pod of ['e-sequential', 'e-series', 'e-burst', 'e-birth', 'e-info']) await createPod(api, namespace, pod);
});
afterAll(() => api.close());

describe('Events on the pod', () => {
  it('leaves exactly one Event for 50 newer observations, shown by kubectl describe pod', async () => {
    const { app, metrics } = ingest();
    for (let i = 0; i < 50; i++) expect(await post(app, observation('e-sequential', i, 50))).toBe('applied');
    const events = await eventsOf('e-sequential');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      reason: 'CPUThrottled',
      type: 'Warning',
      reportingController: 'kernel.gossip.io/ingest',
      reportingInstance: 'ingest-test',
      action: 'ObserveThrottling',
      related: { kind: 'KernelWhisper', name: 'e-sequential.app' },
    });
    expect(events[0]?.note).toMatch(
      /^Container app throttled in 85.5% of CFS periods \(critical\); increase CPU limits by 50%/,
    );
    const outcomes = (await metrics.podEvents.get()).values.map((value) => [value.labels.outcome, value.value]);
    // Within the interval after the Event's creation, repeats are only counted: one write for 50 observations.
    expect(Object.fromEntries(outcomes)).toEqual({ created: 1, deferred: 49 });
    expect(events[0]?.series).toBeUndefined();
    const described = await kubectl(['describe', 'pod', 'e-sequential', '-n', namespace]);
    expect(described).toMatch(/Warning\s+CPUThrottled\s+.*kernel\.gossip\.io\/ingest\s+Container app throttled/);
  });

  it('counts repeats in the series when updates are due', async () => {
    const { app } = ingest(0);
    for (let i = 0; i < 50; i++) await post(app, observation('e-series', i, 50));
    const events = await eventsOf('e-series');
    expect(events).toHaveLength(1);
    expect(events[0]?.series?.count).toBe(50);
    expect(await kubectl(['describe', 'pod', 'e-series', '-n', namespace])).toMatch(
      /CPUThrottled\s+\S+ \(x50 over \S+\)/,
    );
  });

  it('makes one Event of 50 concurrent observations on three instances', async () => {
    const [a, b, c] = [ingest(0).app, ingest(0).app, ingest(0).app];
    await Promise.all(Array.from({ length: 50 }, (_, i) => post([a, b, c][i % 3] ?? a, observation('e-burst', i, 50))));
    const events = await eventsOf('e-burst');
    expect(events).toHaveLength(1);
    expect(events[0]?.series?.count ?? 1).toBeGreaterThan(1);
  });

  it('records a birth as a Normal Event, once per state change', async () => {
    const { app } = ingest();
    const born = structuredEvent(
      'io.gossip.kernel.pod_creation.v1',
      { ...creationData, namespace, pod_name: 'e-birth', timestamp: new Date().toISOString() },
      'birth-1',
    );
    expect(await post(app, born)).toBe('applied');
    expect(await post(app, born)).toBe('unchanged');
    const events = await eventsOf('e-birth');
    expect(events.map((event) => [event.type, event.reason, event.series])).toEqual([
      ['Normal', 'BirthRecorded', undefined],
    ]);
    expect(await kubectl(['describe', 'pod', 'e-birth', '-n', namespace])).toMatch(
      /Normal\s+BirthRecorded\s+.*Pod .*e-birth was born in 123 ms/,
    );
  });

  it('tells the pod nothing about throttling below the warning threshold', async () => {
    const { app } = ingest();
    expect(await post(app, observation('e-info', 0, 1, { throttle_percentage: 30 }))).toBe('applied');
    expect(await eventsOf('e-info')).toEqual([]);
  });
});
