import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIngest } from '../../functions/ingest/create.js';
import { createIngestMetrics } from '../../functions/ingest/metrics.js';
import { KERNEL_WHISPER } from '../../lib/api/group.js';
import { parseConfig } from '../../lib/config.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { createLogger } from '../../lib/log.js';
import { batchEvents, binaryEvent, type HttpFixture, structuredEvent, throttleData } from '../fixtures/events.js';
import { adminApi, createPod, freshNamespace } from './support/cluster.js';

/**
 * The HTTP edge against the real API server: what it refuses writes nothing,
 * what it accepts lands, and a batch answers for all of its events.
 */
const THROTTLE = 'io.gossip.kernel.cpu_throttle.v1';

let api: KubeApi & { close(): void };
let namespace: string;
let app: Hono;

beforeAll(async () => {
  api = await adminApi();
  namespace = await freshNamespace(api, 'edge');
  for (const pod of ['p-spring', 'p-refused', 'p-future', 'p-batch', 'p-batch-bad'])
    await createPod(api, namespace, pod);
  app = buildIngest({
    config: parseConfig({ KERNEL_GOSSIP_FUNCTION: 'ingest', AUTH_REQUIRED: 'false', UNRESOLVED_RETRY_SECONDS: '600' }),
    api,
    log: createLogger({ level: 'silent', name: 'test' }),
    metrics: createIngestMetrics(),
  });
});
afterAll(() => api.close());

const secondsFromNow = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
const dataFor = (pod: string, timestamp = secondsFromNow(-2)) => ({
  ...throttleData,
  namespace,
  pod_name: pod,
  timestamp,
});

function post(fixture: HttpFixture): Promise<Response> {
  return Promise.resolve(app.request('/', { method: 'POST', headers: fixture.headers, body: fixture.body }));
}

function whisperOf(pod: string) {
  return api.get(KERNEL_WHISPER, { namespace, name: `${pod}.app` });
}

function without(fixture: HttpFixture, header: string): HttpFixture {
  const { [header]: _dropped, ...headers } = fixture.headers;
  return { ...fixture, headers };
}

function structuredWith(fixture: HttpFixture, attribute: string, value: unknown): HttpFixture {
  return { ...fixture, body: JSON.stringify({ ...JSON.parse(fixture.body), [attribute]: value }) };
}

describe('the envelope at the edge, against the real API server', () => {
  it('applies a binary event sent as application/json;charset=UTF-8 (the Java/Spring default)', async () => {
    const event = binaryEvent(THROTTLE, dataFor('p-spring'), 'spring', {
      'content-type': 'application/json;charset=UTF-8',
    });
    const response = await post(event);
    expect({ status: response.status, outcome: response.headers.get('kernel-gossip-outcome') }).toEqual({
      status: 202,
      outcome: 'applied',
    });
    expect(await whisperOf('p-spring')).toBeDefined();
  });

  it('refuses envelopes without type, id, source or specversion (binary, structured, batch) and writes nothing', async () => {
    const binary = binaryEvent(THROTTLE, dataFor('p-refused'), 'refused');
    const structured = structuredEvent(THROTTLE, dataFor('p-refused'), 'refused');
    const cases: [string, HttpFixture][] = [
      ...['ce-type', 'ce-id', 'ce-source', 'ce-specversion'].map((h): [string, HttpFixture] => [h, without(binary, h)]),
      ['ce-type empty', { ...binary, headers: { ...binary.headers, 'ce-type': '' } }],
      ...['type', 'id', 'source', 'specversion'].map((a): [string, HttpFixture] => [
        a,
        structuredWith(structured, a, undefined),
      ]),
      ['type empty', structuredWith(structured, 'type', '')],
      ['type a number', structuredWith(structured, 'type', 42)],
      ['batch member without type', batchEvents([{ type: '', data: dataFor('p-refused'), id: 'b' }])],
    ];
    const answers = await Promise.all(cases.map(async ([name, fixture]) => [name, (await post(fixture)).status]));
    expect(answers).toEqual(cases.map(([name]) => [name, 400]));
    expect(await whisperOf('p-refused')).toBeUndefined();
  });

  it('refuses an observation a minute ahead of the clock, then applies the correct one', async () => {
    const ahead = await post(binaryEvent(THROTTLE, dataFor('p-future', secondsFromNow(60)), 'ahead'));
    expect(ahead.status).toBe(400);
    expect(((await ahead.json()) as { message: string }).message).toContain('more than 5 s ahead');
    expect(await whisperOf('p-future')).toBeUndefined();
    const correct = await post(binaryEvent(THROTTLE, dataFor('p-future', secondsFromNow(-1)), 'correct'));
    expect(correct.headers.get('kernel-gossip-outcome')).toBe('applied');
    expect(await whisperOf('p-future')).toBeDefined();
  });
});

describe('a batch mixing valid, invalid and transiently failing events', () => {
  it('applies the valid one, writes nothing for the others, and answers a retried status', async () => {
    const response = await post(
      batchEvents([
        { type: THROTTLE, data: dataFor('p-batch'), id: 'valid' },
        { type: THROTTLE, data: { ...dataFor('p-batch-bad'), throttle_percentage: 101 }, id: 'invalid' },
        // No pod has this container yet: a retried 404 until UNRESOLVED_RETRY_SECONDS.
        {
          type: THROTTLE,
          data: { ...dataFor('p-batch'), pod_name: undefined, container_id: 'containerd://0123456789abcdef' },
          id: 'not-yet',
        },
      ]),
    );
    expect({ status: response.status, retryAfter: response.headers.get('retry-after') }).toEqual({
      status: 404,
      retryAfter: '1',
    });
    expect(((await response.json()) as { message: string }).message).toMatch(
      /^2 of 3 events failed: \[1\] \(id invalid\) 400 InvalidEvent: .*\[2\] \(id not-yet\) 404 PodNotResolvedYet/,
    );
    expect(await whisperOf('p-batch')).toBeDefined();
    expect(await whisperOf('p-batch-bad')).toBeUndefined();
  });
});
