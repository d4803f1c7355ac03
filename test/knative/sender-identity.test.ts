import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildIngest } from '../../functions/ingest/create.js';
import { createIngestMetrics } from '../../functions/ingest/metrics.js';
import { buildSweep } from '../../functions/sweep/create.js';
import { createSweepMetrics } from '../../functions/sweep/metrics.js';
import { KERNEL_WHISPER, POD_BIRTH_CERTIFICATE } from '../../lib/api/group.js';
import type { KernelWhisperSpec } from '../../lib/api/kernel-whisper.js';
import { kernelWhisperName, podBirthCertificateName } from '../../lib/api/names.js';
import { parseConfig } from '../../lib/config.js';
import { EVENT_TYPE } from '../../lib/events/types.js';
import { connectKubeApi, type KubeConnection } from '../../lib/k8s/client.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import { createLogger } from '../../lib/log.js';
import { runKubectl } from '../controlplane/kubectl.js';
import { localSenderSettings } from '../eventing/local-settings.js';
import { binaryEvent, creationData, throttleData } from '../fixtures/events.js';
import { adminApi, createPod, freshNamespace, SERVICE_ACCOUNT } from '../integration/support/cluster.js';
import { oidcServiceAccountName, serviceAccountSubject } from '../unit/packaging/oidc-identity.js';
import {
  BROKER,
  deployKernelGossip,
  eventingTarget,
  observerEvent,
  postToBroker,
  throttleObserved,
} from './support/broker.js';
import { until } from './support/delivery.js';
import {
  claimsOf,
  ELSEWHERE,
  IMPOSTORS,
  identityOf,
  impostorSource,
  impostors,
  OBSERVER,
  observerToken,
  senderIdentity,
  withToken,
} from './support/senders.js';
import { type RecordingServer, serveDeadLetterSink, serveRecorded } from './support/servers.js';

/**
 * broker.test.ts again with Knative's sender identity on (authentication-oidc, switched on
 * the running set as an operator patches config-features): every hop carries a token the
 * test API server issued through TokenRequest, and the functions run as deployed, with
 * AUTH_REQUIRED and the audiences and subjects of func.yaml and knative/sweep/ (moved to the
 * test namespace). Triggers the ingest does not trust reach it and are refused, and Knative
 * sends their events to the dead-letter sink with the function's answer.
 */
const POD = 'throttled-pod';
const KNATIVE_TRIGGER = ['eventing.knative.dev', 'Trigger'] as const;

let admin: KubeConnection;
let functionsApi: KubeConnection;
let namespace: string;
let ingest: RecordingServer;
let sweep: RecordingServer;
let deadLetter: RecordingServer;
let tokens: { broker: string; elsewhere: string };

beforeAll(async () => {
  await senderIdentity(true);
  admin = await adminApi();
  functionsApi = await connectKubeApi({ kubeconfigPath: inject('kubeconfig') });
  namespace = await freshNamespace(admin, 'oidc');
  await createPod(admin, namespace, POD);
  const serviceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace, name: OBSERVER } };
  await admin.create(SERVICE_ACCOUNT, serviceAccount, { fieldManager: 'test' });
  const log = createLogger({ level: 'silent', name: 'knative-oidc' });
  const common = { api: functionsApi, issuer: functionsApi.issuer, log };
  const ingestConfig = parseConfig(localSenderSettings('kernel-gossip-ingest', namespace));
  ingest = await serveRecorded(buildIngest({ ...common, config: ingestConfig, metrics: createIngestMetrics() }));
  const sweepConfig = parseConfig({
    ...localSenderSettings('kernel-gossip-sweep', namespace),
    KERNEL_GOSSIP_FUNCTION: 'sweep',
    ALLOWED_NAMESPACES: namespace,
    MONITORED_PODS_NAMESPACE: namespace,
  });
  sweep = await serveRecorded(buildSweep({ ...common, config: sweepConfig, metrics: createSweepMetrics() }));
  deadLetter = await serveDeadLetterSink();
  const targets = {
    namespace,
    services: {
      'kernel-gossip-ingest': ingest.url,
      'kernel-gossip-sweep': sweep.url,
      'kernel-gossip-dead-letter': deadLetter.url,
    },
    // Knative's schedules take an optional seconds field: a ping every 10 s, so the last test waits little.
    schedule: '*/10 * * * * *',
  };
  await deployKernelGossip(targets, impostors(targets));
  tokens = { broker: await observerToken(namespace, BROKER), elsewhere: await observerToken(namespace, ELSEWHERE) };
});

afterAll(async () => {
  // Its pings would go on every 10 s into servers that are gone.
  if (namespace !== undefined) await runKubectl(eventingTarget(), ['-n', namespace, 'delete', 'pingsources', '--all']);
  await Promise.all([ingest?.close(), sweep?.close(), deadLetter?.close()]);
  functionsApi?.close();
  admin?.close();
});

// Observed now, after the pod was created: an older time is an earlier pod's (docs/design.md).
const now = () => new Date().toISOString();
const throttle = (id: string, extra: Record<string, unknown> = {}) =>
  throttleObserved({ namespace, pod: POD }, id, extra);

/** The subject of the ServiceAccount Knative gave a Trigger, checked against how we say Knative names it. */
async function triggerSubject(trigger: string): Promise<string> {
  const serviceAccount = await identityOf(namespace, `trigger/${trigger}`);
  expect(serviceAccount).toBe(oidcServiceAccountName(...KNATIVE_TRIGGER, trigger));
  return serviceAccountSubject(namespace, serviceAccount);
}

describe('with sender identity on, an event posted to the Broker', () => {
  it('is refused by the Broker without a token, and reaches no function', async () => {
    expect(await postToBroker(namespace, throttle('anonymous-1'))).toBe(401);
    expect(ingest.of('anonymous-1')).toEqual([]);
  });

  it("becomes a KernelWhisper, delivered with the throttle Trigger's token for the ingest audience", async () => {
    expect(await postToBroker(namespace, withToken(throttle('throttle-1'), tokens.broker))).toBe(202);
    const [delivery, ...more] = ingest.of('throttle-1');
    expect(more).toEqual([]);
    expect(delivery?.status).toBe(202);
    expect(claimsOf(delivery)).toEqual({
      sub: await triggerSubject('kernel-gossip-ingest-cpu-throttle'),
      aud: ['kernel-gossip-ingest'],
    });
    const stored = await admin.get<KubeObject<KernelWhisperSpec>>(KERNEL_WHISPER, {
      namespace,
      name: kernelWhisperName(POD, 'app'),
    });
    expect(stored?.spec?.kernel_truth.throttled_percent).toBe(throttleData.throttle_percentage);
  });

  it('becomes a PodBirthCertificate through the birth Trigger, whose ServiceAccount name Knative shortens', async () => {
    const data = { ...creationData, namespace, pod_name: POD, timestamp: now() };
    const event = observerEvent(binaryEvent(EVENT_TYPE.podCreation, data, 'birth-1'));
    expect(await postToBroker(namespace, withToken(event, tokens.broker))).toBe(202);
    const [delivery, ...more] = ingest.of('birth-1');
    expect([delivery?.status, more]).toEqual([202, []]);
    expect(claimsOf(delivery).sub).toBe(await triggerSubject('kernel-gossip-ingest-pod-creation'));
    const certificate = await admin.get(POD_BIRTH_CERTIFICATE, { namespace, name: podBirthCertificateName(POD) });
    expect(certificate?.spec).toMatchObject({ pod_name: POD, namespace });
  });

  it('goes once to the function and then to the dead-letter sink with the error, when it is malformed', async () => {
    const event = withToken(throttle('malformed-1', { throttle_percentage: 'a lot' }), tokens.broker);
    await postToBroker(namespace, event);
    expect(ingest.of('malformed-1').map((delivery) => delivery.status)).toEqual([400]);
    expectDeadLetter('malformed-1', 400, 'InvalidEvent');
  });
});

describe('a Trigger the function does not trust', () => {
  const impostorEvent = (id: string, trigger: string) => {
    const event = throttle(id, { throttle_percentage: 13 });
    return withToken(
      { ...event, headers: { ...event.headers, 'ce-source': impostorSource(trigger) } },
      tokens.elsewhere,
    );
  };

  it.each([
    {
      trigger: IMPOSTORS.otherAudience,
      asking: "for another function's audience",
      audience: 'kernel-gossip-sweep',
      status: 401,
      error: 'Unauthenticated',
    },
    {
      trigger: IMPOSTORS.unlisted,
      asking: 'as a ServiceAccount not in AUTH_SUBJECTS',
      audience: 'kernel-gossip-ingest',
      status: 403,
      error: 'SenderNotAllowed',
    },
  ])('$asking is refused with $status, and Knative dead-letters the event', async (impostor) => {
    const id = `${impostor.trigger}-1`;
    await postToBroker(namespace, impostorEvent(id, impostor.trigger), ELSEWHERE);
    const [delivery, ...more] = ingest.of(id);
    expect([delivery?.status, more]).toEqual([impostor.status, []]);
    expect(claimsOf(delivery)).toEqual({ sub: await triggerSubject(impostor.trigger), aud: [impostor.audience] });
    expectDeadLetter(id, impostor.status, impostor.error);
  });
});

describe('the PingSource from knative/', () => {
  it("fires into the Broker with its own token, and the sweep Trigger's token starts a sweep", async () => {
    await until(() => sweep.deliveries.some((ping) => ping.status === 202), 60_000, 'a ping the sweep ran');
    const ran = sweep.deliveries.find((ping) => ping.status === 202);
    expect(claimsOf(ran)).toEqual({ sub: await triggerSubject('kernel-gossip-sweep'), aud: ['kernel-gossip-sweep'] });
    // The Broker let the ping in: it came with a token of the PingSource's own ServiceAccount.
    expect(await identityOf(namespace, 'pingsource/kernel-gossip-sweep')).toBe(
      oidcServiceAccountName('sources.knative.dev', 'PingSource', 'kernel-gossip-sweep'),
    );
  });
});

/** One dead letter of the event, with Knative's error extensions: the function's status and its error body. */
function expectDeadLetter(id: string, code: number, error: string): void {
  const [dead, ...more] = deadLetter.of(id);
  expect(more).toEqual([]);
  expect(dead?.headers['ce-knativeerrorcode']).toBe(String(code));
  const errorData = Buffer.from(dead?.headers['ce-knativeerrordata'] ?? '', 'base64').toString('utf8');
  expect(JSON.parse(errorData)).toMatchObject({ error });
}
