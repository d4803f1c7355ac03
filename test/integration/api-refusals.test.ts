import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildIngest } from '../../functions/ingest/create.js';
import { createIngestMetrics, type IngestMetrics } from '../../functions/ingest/metrics.js';
import { isRace } from '../../functions/ingest/writer.js';
import { KERNEL_WHISPER, POD_BIRTH_CERTIFICATE, type ResourceType } from '../../lib/api/group.js';
import { parseConfig } from '../../lib/config.js';
import { KubeApiError } from '../../lib/errors.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { connectKubeApi } from '../../lib/k8s/client.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import { createLogger } from '../../lib/log.js';
import { binaryEvent, creationData, throttleData } from '../fixtures/events.js';
import { installRefusingPolicy } from './support/admission.js';
import { adminApi, createPod, freshNamespace, kubectlRun } from './support/cluster.js';

/**
 * Which refusals of the real API server are races (re-read and re-planned) and
 * which are answered at once: decided by the Status's structured causes.
 */
const THROTTLE = 'io.gossip.kernel.cpu_throttle.v1';
const CREATION = 'io.gossip.kernel.pod_creation.v1';
const MANAGER = 'kernel-gossip-ingest';

let api: KubeApi & { close(): void };
let namespace: string;

beforeAll(async () => {
  api = await adminApi();
  namespace = await freshNamespace(api, 'refusals');
  for (const pod of ['p-rule', 'p-race', 'p-policy', 'p-probe', 'p-birth']) await createPod(api, namespace, pod);
});
afterAll(() => api.close());

function ingestApp(kube: KubeApi, metrics: IngestMetrics = createIngestMetrics()): Hono {
  return buildIngest({
    config: parseConfig({ KERNEL_GOSSIP_FUNCTION: 'ingest', AUTH_REQUIRED: 'false' }),
    api: kube,
    log: createLogger({ level: 'silent', name: 'test' }),
    metrics,
  });
}

// Observations of pods created moments before: an older time would be an earlier pod's (docs/design.md).
const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

function throttle(pod: string, timestamp: string, id: string) {
  return binaryEvent(THROTTLE, { ...throttleData, namespace, pod_name: pod, timestamp }, id);
}

async function post(app: Hono, fixture: { headers: Record<string, string>; body: string }): Promise<Response> {
  return app.request('/', { method: 'POST', headers: fixture.headers, body: fixture.body });
}

async function refusal(write: () => Promise<unknown>): Promise<KubeApiError> {
  try {
    await write();
  } catch (error) {
    if (error instanceof KubeApiError) return error;
    throw error;
  }
  throw new Error('the API server accepted the write');
}

function specOnly(type: ResourceType, stored: KubeObject, spec: unknown): KubeObject {
  return {
    apiVersion: `${type.group}/${type.version}`,
    kind: type.kind,
    metadata: { name: stored.metadata.name, namespace },
    spec,
  };
}

describe('the transition rules are races, told by field and reason', () => {
  it('detected_at moving backwards', async () => {
    expect((await post(ingestApp(api), throttle('p-rule', secondsAgo(1), 'new'))).status).toBe(202);
    const stored = await api.get(KERNEL_WHISPER, { namespace, name: 'p-rule.app' });
    if (stored === undefined) throw new Error('no KernelWhisper');
    const older = { ...(stored.spec as object), detected_at: secondsAgo(5) };
    const error = await refusal(() =>
      api.apply(KERNEL_WHISPER, specOnly(KERNEL_WHISPER, stored, older), { fieldManager: MANAGER }),
    );
    expect({ status: error.statusCode, causes: error.causes }).toEqual({
      status: 422,
      causes: [{ reason: 'FieldValueForbidden', field: 'spec.detected_at' }],
    });
    expect(isRace(error)).toBe(true);
  });

  it('a birth report dropped', async () => {
    const birth = binaryEvent(CREATION, { ...creationData, namespace, pod_name: 'p-birth', timestamp: secondsAgo(1) });
    expect((await post(ingestApp(api), birth)).status).toBe(202);
    const stored = await api.get(POD_BIRTH_CERTIFICATE, { namespace, name: 'p-birth' });
    if (stored === undefined) throw new Error('no PodBirthCertificate');
    const spec = stored.spec as { reports: { id: string }[] };
    // The one recorded report is replaced by another: the recorded one would be dropped.
    const dropped = { ...spec, reports: spec.reports.map((report) => ({ ...report, id: `${report.id}-other` })) };
    const error = await refusal(() =>
      api.apply(POD_BIRTH_CERTIFICATE, specOnly(POD_BIRTH_CERTIFICATE, stored, dropped), { fieldManager: MANAGER }),
    );
    expect(error.causes).toEqual([{ reason: 'FieldValueForbidden', field: 'spec.reports' }]);
    expect(isRace(error)).toBe(true);
  });

  it('a create that lost to a newer observation is re-read and merged into the history', async () => {
    // Instance A reads "no object"; before it applies, instance B creates one with a newer observation.
    const b = ingestApp(api);
    let interleaved = false;
    const a: KubeApi = Object.assign(Object.create(api) as KubeApi, {
      get: async <T extends KubeObject>(type: ResourceType, ref: { namespace: string; name: string }) => {
        const found = await api.get<T>(type, ref);
        if (type === KERNEL_WHISPER && !interleaved) {
          interleaved = true;
          expect((await post(b, throttle('p-race', secondsAgo(1), 'newer'))).status).toBe(202);
        }
        return found;
      },
    });
    const response = await post(ingestApp(a), throttle('p-race', secondsAgo(3), 'older'));
    expect(interleaved).toBe(true);
    expect({ status: response.status, outcome: response.headers.get('kernel-gossip-outcome') }).toEqual({
      status: 202,
      outcome: 'applied',
    });
    const stored = await api.get<KubeObject<{ detected_at: string; history?: { at: string }[] }>>(KERNEL_WHISPER, {
      namespace,
      name: 'p-race.app',
    });
    // The newer observation keeps the top-level fields; the older one joined the history (issue 16).
    const newest = stored?.spec?.detected_at ?? '';
    expect(Date.parse(newest)).toBeGreaterThan(Date.now() - 2 * 60_000);
    expect(stored?.spec?.history?.map((entry) => entry.at)).toHaveLength(2);
    expect(stored?.spec?.history?.at(-1)?.at).toBe(newest);
  });
});

describe('anything else the API server refuses about our own object', () => {
  const policy = `refuse-${Math.random().toString(36).slice(2, 8)}`;

  afterAll(async () => {
    await kubectlRun(['delete', 'validatingadmissionpolicybinding', policy, '--ignore-not-found']);
    await kubectlRun(['delete', 'validatingadmissionpolicy', policy, '--ignore-not-found']);
  });

  it('is answered 422 at once: one apply, no retry as a race', async () => {
    expect((await post(ingestApp(api), throttle('p-probe', secondsAgo(1), 'probe'))).status).toBe(202);
    const template = await api.get(KERNEL_WHISPER, { namespace, name: 'p-probe.app' });
    await installRefusingPolicy(
      policy,
      { namespace, pod: 'p-policy' },
      { ...(template?.spec as object), pod_name: 'p-policy' },
    );
    const metrics = createIngestMetrics();
    const counted = await connectKubeApi({ kubeconfigPath: inject('kubeconfig'), observe: metrics.observeApiRequest });
    const response = await post(ingestApp(counted, metrics), throttle('p-policy', secondsAgo(1), 'refused'));
    counted.close();
    expect(response.status).toBe(422);
    expect(response.headers.get('retry-after')).toBeNull();
    expect(await response.json()).toMatchObject({ error: 'ObjectRejected' });
    const applies = (await metrics.apiRequests.get()).values.filter((value) => value.labels.verb === 'apply');
    expect(applies.map((value) => ({ code: value.labels.code, count: value.value }))).toEqual([
      { code: '422', count: 1 },
    ]);
    expect(await api.get(KERNEL_WHISPER, { namespace, name: 'p-policy.app' })).toBeUndefined();
  });
});
