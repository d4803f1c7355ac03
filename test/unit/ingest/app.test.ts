import { describe, expect, it } from 'vitest';
import { KERNEL_WHISPER, POD, POD_BIRTH_CERTIFICATE } from '../../../lib/api/group.js';
import { KubeApiError } from '../../../lib/errors.js';
import {
  batchEvents,
  binaryEvent,
  creationData,
  legacyThrottle,
  structuredEvent,
  throttleData,
} from '../../fixtures/events.js';
import { ingestHarness, monitoredPod, send } from '../support/ingest-app.js';

const THROTTLE = 'io.gossip.kernel.cpu_throttle.v1';
const CREATION = 'io.gossip.kernel.pod_creation.v1';

describe('POST / (CloudEvents)', () => {
  it.each([
    ['binary', binaryEvent(THROTTLE, throttleData)],
    ['structured', structuredEvent(THROTTLE, throttleData)],
    ['batch', batchEvents([{ type: THROTTLE, data: throttleData, id: 'a' }])],
  ])('applies a %s mode event and answers 202 with an empty body', async (_mode, fixture) => {
    const { app, api } = ingestHarness();
    const response = await send(app, '/', fixture);
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');
    expect(response.headers.get('kernel-gossip-outcome')).toBe('applied');
    expect(api.all(KERNEL_WHISPER).map((object) => object.metadata.name)).toEqual(['throttled-pod.app']);
  });

  it('writes spec and status once, tells the pod once, and does nothing for a redelivery', async () => {
    const { app, api } = ingestHarness();
    await send(app, '/', binaryEvent(THROTTLE, throttleData));
    expect(api.writes()).toEqual([
      { verb: 'apply', type: 'kernelwhispers', name: 'throttled-pod.app' },
      { verb: 'apply_status', type: 'kernelwhispers', name: 'throttled-pod.app' },
      { verb: 'create', type: 'events', name: 'throttled-pod.app.cputhrottled.uidthrot' },
    ]);
    const calls = api.calls.length;
    const again = await send(app, '/', binaryEvent(THROTTLE, throttleData));
    expect(again.headers.get('kernel-gossip-outcome')).toBe('unchanged');
    expect(api.calls.length).toBe(calls);
  });

  it('still applies when the pod Event cannot be written, and counts the failure', async () => {
    const { app, api, metrics } = ingestHarness();
    api.failNext = { verb: 'create', error: new KubeApiError('forbidden', 'forbidden', 403) };
    const response = await send(app, '/', binaryEvent(THROTTLE, throttleData));
    expect(response.headers.get('kernel-gossip-outcome')).toBe('applied');
    expect(api.all(KERNEL_WHISPER)).toHaveLength(1);
    expect((await metrics.podEvents.get()).values).toEqual([
      { labels: { reason: 'CPUThrottled', outcome: 'failed' }, value: 1 },
    ]);
  });

  it('merges an older observation into the history only, and acknowledges its redelivery as stale', async () => {
    const { app, api } = ingestHarness();
    await send(app, '/', binaryEvent(THROTTLE, throttleData));
    const olderEvent = binaryEvent(THROTTLE, {
      ...throttleData,
      throttle_percentage: 10,
      timestamp: '2023-12-31T23:00:00Z',
    });
    const older = await send(app, '/', olderEvent);
    expect(older.headers.get('kernel-gossip-outcome')).toBe('applied');
    const spec = api.all(KERNEL_WHISPER)[0]?.spec as {
      kernel_truth: unknown;
      history: { throttled_percent: number }[];
    };
    expect(spec.kernel_truth).toMatchObject({ throttled_percent: 85.5 });
    expect(spec.history.map((entry) => entry.throttled_percent)).toEqual([10, 85.5]);
    const again = await send(app, '/', { ...olderEvent, headers: { ...olderEvent.headers, 'ce-id': 'another-id' } });
    expect(again.status).toBe(202);
    expect(again.headers.get('kernel-gossip-outcome')).toBe('stale');
  });

  it('merges two birth reports into one certificate', async () => {
    const { app, api } = ingestHarness();
    await send(app, '/', binaryEvent(CREATION, creationData));
    await send(
      app,
      '/',
      binaryEvent(CREATION, { ...creationData, container_name: 'sidecar', total_syscalls: 100 }, 'evt-9'),
    );
    const [certificate] = api.all(POD_BIRTH_CERTIFICATE);
    expect(certificate?.spec).toMatchObject({ kernel_stats: { total_syscalls: 4621 } });
    expect(api.all(POD_BIRTH_CERTIFICATE)).toHaveLength(1);
  });
});

describe('bad input changes nothing', () => {
  it.each([
    ['malformed JSON data', { headers: binaryEvent(THROTTLE, {}).headers, body: '{"pod_name":' }, 400],
    ['a percentage over 100', binaryEvent(THROTTLE, { ...throttleData, throttle_percentage: 101 }), 400],
    ['an invalid pod name', binaryEvent(THROTTLE, { ...throttleData, pod_name: 'Not_A_Name' }), 400],
    [
      'no observation time',
      binaryEvent(THROTTLE, { ...throttleData, timestamp: undefined }, 'x', { 'ce-time': '' }),
      400,
    ],
    ['a time far in the future', binaryEvent(THROTTLE, { ...throttleData, timestamp: '2030-01-01T00:00:00Z' }), 400],
    ['an unsupported type', binaryEvent('com.example.other', throttleData), 422],
    ['an unsupported content type', { headers: { 'content-type': 'text/plain' }, body: 'hello' }, 415],
    ['JSON without CloudEvent headers', { headers: { 'content-type': 'application/json' }, body: '{}' }, 400],
  ])('%s is refused with %i', async (_name, fixture, status) => {
    const { app, api } = ingestHarness();
    const response = await send(app, '/', fixture);
    expect(response.status).toBe(status);
    expect(api.writes()).toEqual([]);
  });

  it('names the failing fields without echoing the payload', async () => {
    const { app } = ingestHarness();
    const response = await send(
      app,
      '/',
      binaryEvent(THROTTLE, { ...throttleData, throttle_percentage: 'secret-value' }),
    );
    const body = (await response.json()) as { message: string };
    expect(body.message).toContain('throttle_percentage');
    expect(body.message).not.toContain('secret-value');
  });

  it('refuses a body over the limit with 413', async () => {
    const { app, api } = ingestHarness({ BODY_LIMIT_BYTES: '2048' });
    const response = await send(app, '/', binaryEvent(THROTTLE, { ...throttleData, padding: 'x'.repeat(4096) }));
    expect(response.status).toBe(413);
    expect(api.writes()).toEqual([]);
  });
});

describe('skips and retries', () => {
  it('skips a pod that did not opt in, with the reason', async () => {
    const { app, api } = ingestHarness();
    api.seed(POD, monitoredPod('production', 'quiet-pod', {}));
    const response = await send(app, '/', binaryEvent(THROTTLE, { ...throttleData, pod_name: 'quiet-pod' }));
    expect(response.status).toBe(202);
    expect(response.headers.get('kernel-gossip-outcome')).toBe('skipped');
    expect(response.headers.get('kernel-gossip-reason')).toContain('not opted in');
    expect(api.writes()).toEqual([]);
  });

  it('skips system namespaces without reading the pod', async () => {
    const { app, api } = ingestHarness();
    const response = await send(app, '/', binaryEvent(THROTTLE, { ...throttleData, namespace: 'kube-system' }));
    expect(response.headers.get('kernel-gossip-reason')).toBe('namespace kube-system is a system namespace');
    expect(api.calls).toEqual([]);
  });

  it('answers 503 when the API server is unavailable, so Knative retries', async () => {
    const { app, api } = ingestHarness();
    api.failNext = { verb: 'get', error: new KubeApiError('down', 'unavailable', undefined) };
    const response = await send(app, '/', binaryEvent(THROTTLE, throttleData));
    expect(response.status).toBe(503);
  });

  it('refuses namespaces outside the allowlist with a non-retried 403', async () => {
    const { app, api } = ingestHarness({ ALLOWED_NAMESPACES: 'staging' });
    const response = await send(app, '/', binaryEvent(THROTTLE, throttleData));
    expect(response.status).toBe(403);
    expect(api.calls).toEqual([]);
  });
});

describe('legacy webhook', () => {
  const json = (body: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it.each([
    ['internally tagged', legacyThrottle],
    ['externally tagged', { cpu_throttle: { ...legacyThrottle, type: undefined } }],
  ])('accepts the %s shape with the earlier reply', async (_name, body) => {
    const { app, api } = ingestHarness();
    const response = await send(app, '/webhook/ebpf', json(body));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'accepted', message: 'applied' });
    expect(api.all(KERNEL_WHISPER)).toHaveLength(1);
  });

  it('answers errors in the earlier shape', async () => {
    const { app } = ingestHarness();
    const response = await send(app, '/webhook/pixie', json({ type: 'cpu_throttle' }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ status: 'error' });
  });

  it('requires the shared token when one is configured', async () => {
    const { app, api } = ingestHarness({ WEBHOOK_TOKEN: 's3cret' });
    const refused = await send(app, '/webhook/ebpf', json(legacyThrottle));
    const accepted = await send(app, '/webhook/ebpf', {
      headers: { 'content-type': 'application/json', authorization: 'Bearer s3cret' },
      body: JSON.stringify(legacyThrottle),
    });
    expect(refused.status).toBe(401);
    expect(accepted.status).toBe(200);
    expect(api.all(KERNEL_WHISPER)).toHaveLength(1);
  });
});

describe('health and metrics', () => {
  it('serves the probes and counts outcomes', async () => {
    const { app } = ingestHarness();
    expect(await (await app.request('/health')).text()).toBe('OK');
    expect((await app.request('/health/readiness')).status).toBe(200);
    expect((await app.request('/health/liveness')).status).toBe(200);
    await send(app, '/', binaryEvent(THROTTLE, throttleData));
    const metrics = await (await app.request('/metrics')).text();
    expect(metrics).toContain('kernel_gossip_events_total{type="cpu_throttle",outcome="applied"} 1');
  });
});
