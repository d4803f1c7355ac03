import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildIngest } from '../../functions/ingest/create.js';
import { createIngestMetrics } from '../../functions/ingest/metrics.js';
import { buildSweep } from '../../functions/sweep/create.js';
import { createSweepMetrics } from '../../functions/sweep/metrics.js';
import { CONFIG_MAP, KERNEL_WHISPER, POD_BIRTH_CERTIFICATE } from '../../lib/api/group.js';
import type { KernelWhisperSpec } from '../../lib/api/kernel-whisper.js';
import { kernelWhisperName, podBirthCertificateName } from '../../lib/api/names.js';
import { parseConfig } from '../../lib/config.js';
import type { ConfigMap } from '../../lib/core/sweep-monitored-pods.js';
import { EVENT_TYPE, PING_EVENT_TYPE } from '../../lib/events/types.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { connectKubeApi } from '../../lib/k8s/client.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import { createLogger } from '../../lib/log.js';
import { controlPlaneControl } from '../controlplane/control-client.js';
import { binaryEvent, creationData, throttleData } from '../fixtures/events.js';
import { adminApi, createPod, freshNamespace } from '../integration/support/cluster.js';
import { deployKernelGossip, observerEvent, postToBroker, throttleObserved } from './support/broker.js';
import { conflictOnFirstWrites } from './support/conflict-webhook.js';
import { ingestTriggerDelivery, retryGapsMs, until } from './support/delivery.js';
import { senderIdentity } from './support/senders.js';
import { type RecordingServer, serveDeadLetterSink, serveRecorded } from './support/servers.js';

/**
 * End to end through the real Knative Eventing data plane (test/eventing/): events posted to
 * our Broker from knative/ reach the functions through our Triggers, with their delivery
 * settings and dead-letter sink, and the PingSource from knative/ (fired every minute here
 * instead of every five) starts a sweep.
 */
const POD = 'throttled-pod';

let admin: KubeApi & { close(): void };
let functionsApi: KubeApi & { close(): void };
let namespace: string;
let ingest: RecordingServer;
let sweep: RecordingServer;
let deadLetter: RecordingServer;

beforeAll(async () => {
  // Sender identity off, as in the other event tests; sender-identity.test.ts runs the same path with it on.
  await senderIdentity(false);
  admin = await adminApi();
  functionsApi = await connectKubeApi({ kubeconfigPath: inject('kubeconfig') });
  namespace = await freshNamespace(admin, 'broker');
  await createPod(admin, namespace, POD);
  const log = createLogger({ level: 'silent', name: 'knative' });
  const ingestConfig = parseConfig({ AUTH_REQUIRED: 'false' });
  ingest = await serveRecorded(
    buildIngest({ config: ingestConfig, api: functionsApi, log, metrics: createIngestMetrics() }),
  );
  const sweepConfig = parseConfig({
    KERNEL_GOSSIP_FUNCTION: 'sweep',
    ALLOWED_NAMESPACES: namespace,
    MONITORED_PODS_NAMESPACE: namespace,
    AUTH_REQUIRED: 'false',
  });
  sweep = await serveRecorded(
    buildSweep({ config: sweepConfig, api: functionsApi, log, metrics: createSweepMetrics() }),
  );
  deadLetter = await serveDeadLetterSink();
  await deployKernelGossip({
    namespace,
    services: {
      'kernel-gossip-ingest': ingest.url,
      'kernel-gossip-sweep': sweep.url,
      'kernel-gossip-dead-letter': deadLetter.url,
    },
    schedule: '* * * * *',
  });
});

afterAll(async () => {
  await Promise.all([ingest?.close(), sweep?.close(), deadLetter?.close()]);
  functionsApi?.close();
  admin?.close();
});

// Observed now, after the pod was created: an older time is an earlier pod's (docs/design.md).
const now = () => new Date().toISOString();
const throttle = (id: string, extra: Record<string, unknown> = {}) =>
  throttleObserved({ namespace, pod: POD }, id, extra);

/** The throttled percentage the stored KernelWhisper says. */
const storedPercent = async (): Promise<number | undefined> => {
  const name = kernelWhisperName(POD, 'app');
  return (await admin.get<KubeObject<KernelWhisperSpec>>(KERNEL_WHISPER, { namespace, name }))?.spec?.kernel_truth
    .throttled_percent;
};

describe('an event posted to the Broker', () => {
  it('becomes a KernelWhisper, delivered once through the throttle Trigger with the Broker extensions', async () => {
    expect(await postToBroker(namespace, throttle('throttle-1'))).toBe(202);
    const [delivery, ...more] = ingest.of('throttle-1');
    expect(more).toEqual([]);
    expect(delivery?.status).toBe(202);
    expect(delivery?.headers['ce-type']).toBe(EVENT_TYPE.cpuThrottle);
    expect(delivery?.headers['ce-knativearrivaltime']).toMatch(/^\d{4}-/);
    expect(await storedPercent()).toBe(throttleData.throttle_percentage);
  });

  it('becomes a PodBirthCertificate when it is a birth report', async () => {
    const event = observerEvent(
      binaryEvent(EVENT_TYPE.podCreation, { ...creationData, namespace, pod_name: POD, timestamp: now() }, 'birth-1'),
    );
    expect(await postToBroker(namespace, event)).toBe(202);
    expect(ingest.of('birth-1').map((delivery) => delivery.status)).toEqual([202]);
    const certificate = await admin.get(POD_BIRTH_CERTIFICATE, { namespace, name: podBirthCertificateName(POD) });
    expect(certificate?.spec).toMatchObject({ pod_name: POD, namespace });
  });

  it('goes once to the function and then to the dead-letter sink with the error, when it is malformed', async () => {
    await postToBroker(namespace, throttle('malformed-1', { throttle_percentage: 'a lot' }));
    expect(ingest.of('malformed-1').map((delivery) => delivery.status)).toEqual([400]);
    const [dead, ...more] = deadLetter.of('malformed-1');
    expect(more).toEqual([]);
    expect(dead?.headers['ce-knativeerrorcode']).toBe('400');
    const errorData = Buffer.from(dead?.headers['ce-knativeerrordata'] ?? '', 'base64').toString('utf8');
    expect(JSON.parse(errorData)).toMatchObject({ error: 'InvalidEvent' });
    expect(JSON.parse(dead?.body ?? '')).toMatchObject({ throttle_percentage: 'a lot' });
  });
});

describe('a retried answer from the function', () => {
  it('is retried with the Trigger backoff while the API server is down, and applied once it is back', async () => {
    const control = controlPlaneControl(inject('controlPlaneControl'));
    await control.stopApiServer();
    const posted = postToBroker(namespace, throttle('outage-1', { throttle_percentage: 61 }));
    try {
      await until(() => ingest.of('outage-1').length >= 3, 30_000, 'three deliveries while the API server is down');
    } finally {
      await control.startApiServer();
    }
    expect(await posted).toBe(202);
    const statuses = ingest.of('outage-1').map((delivery) => delivery.status);
    expect(statuses.slice(0, -1).every((status) => status === 503)).toBe(true);
    expect(statuses.at(-1)).toBe(202);
    expectTriggerBackoff(retryGapsMs(ingest.of('outage-1')));
    expect(await storedPercent()).toBe(61);
  });

  it('is retried with the Trigger backoff when the API server answers Conflict, until the write goes through', async () => {
    // The writer tries 4 times per delivery before answering 409: two deliveries fail, the third writes.
    const webhook = await conflictOnFirstWrites(namespace, 10);
    try {
      expect(await postToBroker(namespace, throttle('conflict-1', { throttle_percentage: 72 }))).toBe(202);
    } finally {
      await webhook.remove();
    }
    expect(webhook.denied()).toBe(10);
    expect(ingest.of('conflict-1').map((delivery) => delivery.status)).toEqual([409, 409, 202]);
    expectTriggerBackoff(retryGapsMs(ingest.of('conflict-1')));
    expect(await storedPercent()).toBe(72);
  });
});

describe('the PingSource from knative/', () => {
  it('fires into the Broker, and the sweep Trigger starts a sweep', async () => {
    // Pings have fired every minute since the start of the file, some while a test above had
    // the API server stopped (the sweep answers 503 then); one the sweep ran is what counts.
    await until(() => sweep.deliveries.some((ping) => ping.status === 202), 90_000, 'a ping the sweep ran');
    for (const ping of sweep.deliveries) {
      expect(ping.headers['ce-type']).toBe(PING_EVENT_TYPE);
      expect(ping.headers['ce-source']).toBe(`/apis/v1/namespaces/${namespace}/pingsources/kernel-gossip-sweep`);
    }
    const monitored = await admin.get<ConfigMap>(CONFIG_MAP, { namespace, name: 'ebpf-monitored-pods' });
    expect(monitored?.data?.pods).toMatch(new RegExp(`^${POD}:`));
  });
});

/** Knative waits backoffDelay × 2^n before retry n+1 (exponential policy); a busy machine only adds to that. */
function expectTriggerBackoff(gapsMs: readonly number[]): void {
  const { backoffDelayMs } = ingestTriggerDelivery();
  expect(gapsMs.length).toBeGreaterThan(0);
  gapsMs.forEach((gap, n) => {
    expect(gap, `wait before retry ${n + 1}`).toBeGreaterThanOrEqual(backoffDelayMs * 2 ** n);
  });
}
