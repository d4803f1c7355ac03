import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIngest } from '../../functions/ingest/create.js';
import { createIngestMetrics } from '../../functions/ingest/metrics.js';
import { KERNEL_WHISPER, POD_BIRTH_CERTIFICATE } from '../../lib/api/group.js';
import type { KernelWhisperStatus } from '../../lib/api/kernel-whisper.js';
import type { PodBirthCertificateSpec } from '../../lib/api/pod-birth-certificate.js';
import { parseConfig } from '../../lib/config.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import { createLogger } from '../../lib/log.js';
import {
  binaryEvent,
  creationData,
  type HttpFixture,
  legacyThrottle,
  structuredEvent,
  throttleData,
} from '../fixtures/events.js';
import { adminApi, createPod, freshNamespace, kubectl } from './support/cluster.js';

const THROTTLE = 'io.gossip.kernel.cpu_throttle.v1';
const CREATION = 'io.gossip.kernel.pod_creation.v1';

let api: KubeApi & { close(): void };
let namespace: string;

function ingestApp(): Hono {
  const config = parseConfig({ KERNEL_GOSSIP_FUNCTION: 'ingest', AUTH_REQUIRED: 'false' });
  return buildIngest({
    config,
    api,
    log: createLogger({ level: 'silent', name: 'test' }),
    metrics: createIngestMetrics(),
  });
}

function post(app: Hono, fixture: HttpFixture, path = '/'): Promise<Response> {
  return Promise.resolve(app.request(path, { method: 'POST', headers: fixture.headers, body: fixture.body }));
}

const throttleFor = (pod: string, overrides: Record<string, unknown> = {}) => ({
  ...throttleData,
  namespace,
  pod_name: pod,
  timestamp: new Date(Date.now() - 3_000).toISOString(),
  ...overrides,
});

async function whisper(name: string): Promise<KubeObject<unknown, KernelWhisperStatus>> {
  const object = await api.get<KubeObject<unknown, KernelWhisperStatus>>(KERNEL_WHISPER, { namespace, name });
  if (object === undefined) throw new Error(`KernelWhisper ${name} not found`);
  return object;
}

beforeAll(async () => {
  api = await adminApi();
  namespace = await freshNamespace(api, 'ingest');
  for (const pod of [
    'p-binary',
    'p-structured',
    'p-legacy',
    'p-redeliver',
    'p-concurrent',
    'p-order',
    'p-two',
    'p-birth',
    'p-ssa',
  ])
    await createPod(api, namespace, pod, {
      containers: [
        { name: 'app', image: 'x' },
        { name: 'sidecar', image: 'x' },
      ],
    });
});
afterAll(() => api.close());

describe('ingest against the real API server', () => {
  it('applies binary, structured and legacy events, with insight, recommendation and evidence', async () => {
    const app = ingestApp();
    expect((await post(app, binaryEvent(THROTTLE, throttleFor('p-binary')))).status).toBe(202);
    expect((await post(app, structuredEvent(THROTTLE, throttleFor('p-structured')))).status).toBe(202);
    const legacy = await post(
      app,
      {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          ...legacyThrottle,
          namespace,
          pod_name: 'p-legacy',
          timestamp: new Date().toISOString(),
        }),
      },
      '/webhook/ebpf',
    );
    expect(await legacy.json()).toEqual({ status: 'accepted', message: 'applied' });
    const stored = await whisper('p-binary.app');
    // These pods set no CPU limit, so the earlier text is followed by the inconsistency, not a number.
    expect(stored.status).toMatchObject({
      recommendation: expect.stringMatching(
        /^increase CPU limits by 50%: container app has no CPU limit/,
      ) as unknown as string,
      priority: 'high',
      current_cpu_limit: 'none',
      observed_generation: 1,
    });
    expect(stored.status?.insight).toContain('85.5% of CFS periods');
    expect(stored.status?.kernel_evidence).toContain('123.46 ms throttled');
    expect(stored.status?.conditions?.[0]).toMatchObject({
      type: 'Throttled',
      status: 'True',
      reason: 'CriticalThrottling',
    });
    await whisper('p-structured.app');
    await whisper('p-legacy.app');
  });

  it('leaves resourceVersion unchanged on redelivery, also from a fresh instance', async () => {
    const event = binaryEvent(THROTTLE, throttleFor('p-redeliver'));
    await post(ingestApp(), event);
    const before = (await whisper('p-redeliver.app')).metadata.resourceVersion;
    const response = await post(ingestApp(), event);
    expect(response.headers.get('kernel-gossip-outcome')).toBe('unchanged');
    expect((await whisper('p-redeliver.app')).metadata.resourceVersion).toBe(before);
  });

  it('leaves exactly one object after 5 concurrent copies on 5 instances', async () => {
    const event = binaryEvent(THROTTLE, throttleFor('p-concurrent'));
    const responses = await Promise.all(Array.from({ length: 5 }, () => post(ingestApp(), event)));
    expect(responses.map((response) => response.status)).toEqual([202, 202, 202, 202, 202]);
    const list = await api.list(KERNEL_WHISPER, { namespace, labelSelector: 'kernel.gossip.io/pod=p-concurrent' });
    expect(list.items).toHaveLength(1);
  });

  it('keeps the newer state when an older event arrives after it, even on another instance', async () => {
    const newer = binaryEvent(
      THROTTLE,
      throttleFor('p-order', { throttle_percentage: 90, timestamp: new Date(Date.now() - 1_000).toISOString() }),
    );
    const older = binaryEvent(
      THROTTLE,
      throttleFor('p-order', { throttle_percentage: 20, timestamp: new Date(Date.now() - 4_000).toISOString() }),
    );
    await post(ingestApp(), newer);
    // The older observation joins the history only (issue 16); delivered again, it brings nothing new.
    const response = await post(ingestApp(), older);
    expect(response.headers.get('kernel-gossip-outcome')).toBe('applied');
    const again = await post(ingestApp(), { ...older, headers: { ...older.headers, 'ce-id': randomUUID() } });
    expect(again.headers.get('kernel-gossip-outcome')).toBe('stale');
    const spec = (await whisper('p-order.app')).spec as { history?: { throttled_percent: number }[] };
    expect(spec).toMatchObject({ kernel_truth: { throttled_percent: 90 }, severity: 'critical' });
    expect(spec.history?.map((entry) => entry.throttled_percent)).toEqual([20, 90]);
  });

  it('refuses an older observation at the API server too (CRD transition rule)', async () => {
    const stored = await whisper('p-order.app');
    const rewind = {
      ...stored,
      metadata: { name: stored.metadata.name, namespace },
      spec: { ...(stored.spec as object), detected_at: '2020-01-01T00:00:00.000Z' },
    };
    await expect(api.apply(KERNEL_WHISPER, rewind, { fieldManager: 'kernel-gossip-ingest' })).rejects.toMatchObject({
      failure: 'rejected',
      statusCode: 422,
    });
  });

  it('creates one KernelWhisper per throttled container, selectable by label', async () => {
    const app = ingestApp();
    await post(app, binaryEvent(THROTTLE, throttleFor('p-two', { container_name: 'app' })));
    await post(app, binaryEvent(THROTTLE, throttleFor('p-two', { container_name: 'sidecar' })));
    const list = await api.list(KERNEL_WHISPER, { namespace, labelSelector: 'kernel.gossip.io/pod=p-two' });
    expect(list.items.map((item) => item.metadata.name).sort()).toEqual(['p-two.app', 'p-two.sidecar']);
    const onlySidecar = await api.list(KERNEL_WHISPER, {
      namespace,
      labelSelector: 'kernel.gossip.io/pod=p-two,kernel.gossip.io/container=sidecar',
    });
    expect(onlySidecar.items).toHaveLength(1);
  });

  it('merges two birth reports into one certificate that a redelivery leaves alone', async () => {
    const app = ingestApp();
    const timestamp = new Date().toISOString();
    const first = binaryEvent(CREATION, {
      ...creationData,
      namespace,
      pod_name: 'p-birth',
      container_name: 'app',
      timestamp,
    });
    const second = binaryEvent(
      CREATION,
      { ...creationData, namespace, pod_name: 'p-birth', container_name: 'sidecar', total_syscalls: 79, timestamp },
      'evt-birth-2',
    );
    await post(app, first);
    await post(app, second);
    const merged = await api.get<KubeObject<PodBirthCertificateSpec>>(POD_BIRTH_CERTIFICATE, {
      namespace,
      name: 'p-birth',
    });
    expect(merged?.spec?.kernel_stats.total_syscalls).toBe(4600);
    await post(ingestApp(), first);
    const after = await api.get(POD_BIRTH_CERTIFICATE, { namespace, name: 'p-birth' });
    expect(after?.metadata.resourceVersion).toBe(merged?.metadata.resourceVersion);
  });

  it('shows the printer columns in kubectl get', async () => {
    const table = await kubectl(['get', 'kw', '-n', namespace, 'p-binary.app']);
    expect(table.split('\n')[0]?.split(/\s{2,}/)).toEqual([
      'NAME',
      'POD',
      'CONTAINER',
      'THROTTLED%',
      'METRICS%',
      'SEVERITY',
      'THROTTLING',
      'TREND',
      'POD GONE',
      'AGE',
    ]);
    expect(table).toMatch(/p-binary\.app\s+p-binary\s+app\s+85\.5\s+50\s+critical\s+CriticalThrottling/);
    const both = await kubectl(['get', 'kernel-gossip', '-n', namespace, '-o', 'name']);
    expect(both).toContain('kernelwhisper.kernel.gossip.io/p-binary.app');
    expect(both).toContain('podbirthcertificate.kernel.gossip.io/p-birth');
  });
});

describe('server-side apply ownership', () => {
  it('drops a field the ingest manager stops sending (no stale co-owner)', async () => {
    const app = ingestApp();
    await post(
      app,
      binaryEvent(THROTTLE, throttleFor('p-ssa', { timestamp: new Date(Date.now() - 2_000).toISOString() })),
    );
    expect((await whisper('p-ssa.app')).spec).toMatchObject({ metrics_lie: { cpu_percent: 50 } });
    await post(
      app,
      binaryEvent(
        THROTTLE,
        throttleFor('p-ssa', { reported_cpu_usage: undefined, timestamp: new Date(Date.now() - 1_000).toISOString() }),
      ),
    );
    const stored = await whisper('p-ssa.app');
    expect(stored.spec).toMatchObject({ metrics_lie: { reported_status: 'unknown' } });
    expect((stored.spec as { metrics_lie: object }).metrics_lie).not.toHaveProperty('cpu_percent');
    expect(stored.status?.metrics_comparison).toEqual({ kernel_cpu_usage: 0.8 });
  });
});
