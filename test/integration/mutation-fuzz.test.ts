import fc from 'fast-check';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildIngest } from '../../functions/ingest/create.js';
import { createIngestMetrics, type IngestMetrics } from '../../functions/ingest/metrics.js';
import { KERNEL_WHISPER, POD_BIRTH_CERTIFICATE } from '../../lib/api/group.js';
import { parseConfig } from '../../lib/config.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { connectKubeApi } from '../../lib/k8s/client.js';
import { createLogger } from '../../lib/log.js';
import {
  batchEvents,
  binaryEvent,
  creationData,
  legacyThrottle,
  structuredEvent,
  throttleData,
} from '../fixtures/events.js';
import { adminApi, createPod, freshNamespace, writesCounted } from './support/cluster.js';
import { type Base, type Mutant, mutants } from './support/mutations.js';

/**
 * The captured requests (test/fixtures/events.ts), mutated blindly. Property:
 * no mutant gets a 5xx, a refused one writes nothing (the function's own write
 * count and the objects' resourceVersions on the API server both stay put), an
 * accepted one says what happened to it, and one whose only change is a spelling
 * of its Content-Type that RFC 9110 and the HTTP binding allow is accepted. Batches hold one event here: a
 * batch's valid events are applied even when others are refused.
 */
const RUNS = 3000;
const THROTTLE = 'io.gossip.kernel.cpu_throttle.v1';
const CREATION = 'io.gossip.kernel.pod_creation.v1';
const POD = 'fuzz-pod';
const OUTCOMES = ['applied', 'unchanged', 'stale', 'skipped'];

let app: Hono;
let metrics: IngestMetrics;
let namespace: string;
let admin: KubeApi;
let close: () => void;

beforeAll(async () => {
  const adminConnection = await adminApi();
  admin = adminConnection;
  namespace = await freshNamespace(admin, 'mutants');
  await createPod(admin, namespace, POD);
  metrics = createIngestMetrics();
  const api = await connectKubeApi({ kubeconfigPath: inject('kubeconfig'), observe: metrics.observeApiRequest });
  close = () => {
    api.close();
    adminConnection.close();
  };
  app = buildIngest({
    config: parseConfig({ KERNEL_GOSSIP_FUNCTION: 'ingest', AUTH_REQUIRED: 'false', BODY_LIMIT_BYTES: '65536' }),
    api,
    log: createLogger({ level: 'silent', name: 'mutants' }),
    metrics,
  });
});
afterAll(() => close());

function bases(): Base[] {
  const throttle = { ...throttleData, namespace, pod_name: POD };
  const creation = { ...creationData, namespace, pod_name: POD };
  return [
    {
      path: '/',
      mode: 'binary',
      fixture: binaryEvent(THROTTLE, throttle, 'b-1', { 'ce-subject': `${namespace}/${POD}` }),
    },
    {
      path: '/',
      mode: 'binary',
      fixture: binaryEvent(CREATION, creation, 'b-2', { 'ce-subject': `${namespace}/${POD}` }),
    },
    { path: '/', mode: 'structured', fixture: structuredEvent(THROTTLE, throttle, 's-1') },
    { path: '/', mode: 'structured', fixture: structuredEvent(CREATION, creation, 's-2') },
    { path: '/', mode: 'batch', fixture: batchEvents([{ type: THROTTLE, data: throttle, id: 'batch-1' }]) },
    {
      path: '/webhook/ebpf',
      mode: 'legacy',
      fixture: {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...legacyThrottle, namespace, pod_name: POD }),
      },
    },
  ];
}

function writesSoFar(): Promise<number> {
  return writesCounted(metrics);
}

/** What the API server holds for the pod: the objects' resourceVersions. */
async function stored(): Promise<string> {
  const whisper = await admin.get(KERNEL_WHISPER, { namespace, name: `${POD}.app` });
  const certificate = await admin.get(POD_BIRTH_CERTIFICATE, { namespace, name: POD });
  return `${whisper?.metadata.resourceVersion}/${certificate?.metadata.resourceVersion}`;
}

describe('mutated captured requests', () => {
  it(`never answer 5xx, and write nothing when refused (${RUNS} mutants)`, async () => {
    const answered = { refused: 0, accepted: 0 };
    // What a request left behind is compared with what the one before it left (one read per request).
    let before = { writes: await writesSoFar(), stored: await stored() };
    await fc.assert(
      fc.asyncProperty(mutants(bases()), async (mutant: Mutant) => {
        // Bytes, so that a dropped Content-Type stays dropped (fetch adds text/plain to a string body).
        const response = await app.request(mutant.path, {
          method: 'POST',
          headers: mutant.fixture.headers,
          body: new TextEncoder().encode(mutant.fixture.body),
        });
        await response.arrayBuffer();
        const after = { writes: await writesSoFar(), stored: await stored() };
        const unchanged = before;
        before = after;
        expect(response.status, mutant.mutations.join(', ')).toBeLessThan(500);
        if (response.status >= 400) {
          answered.refused++;
          expect(after, mutant.mutations.join(', ')).toEqual(unchanged);
        } else {
          answered.accepted++;
        }
        if (mutant.mustSucceed) expect(response.status, mutant.mutations.join(', ')).toBeLessThan(300);
        if (response.status < 300) {
          if (mutant.path === '/') expect(OUTCOMES).toContain(response.headers.get('kernel-gossip-outcome'));
        }
      }),
      { numRuns: RUNS },
    );
    // The mutants exercise both sides, or the property says little.
    expect(answered.refused).toBeGreaterThan(RUNS / 3);
    expect(answered.accepted).toBeGreaterThan(0);
  }, 600_000);
});
