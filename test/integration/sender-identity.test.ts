import { base64url, decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIngest } from '../../functions/ingest/create.js';
import { createIngestMetrics } from '../../functions/ingest/metrics.js';
import { buildSweep } from '../../functions/sweep/create.js';
import { createSweepMetrics } from '../../functions/sweep/metrics.js';
import { KERNEL_WHISPER } from '../../lib/api/group.js';
import { CLOCK_LEEWAY_SECONDS } from '../../lib/auth/sender-verifier.js';
import { parseConfig } from '../../lib/config.js';
import type { KubeConnection } from '../../lib/k8s/client.js';
import { createLogger } from '../../lib/log.js';
import { binaryEvent, throttleData } from '../fixtures/events.js';
import { pingBinary } from '../unit/sweep/ping.js';
import { adminApi, createPod, freshNamespace, SERVICE_ACCOUNT } from './support/cluster.js';
import { serviceAccountToken } from './support/identity.js';

/**
 * Tokens the run's API server issued (TokenRequest, as Knative's token provider asks
 * for them), verified against the keys that API server publishes: the right audience
 * is accepted; another audience, an expired token, another issuer's key, `alg: none`,
 * a tampered signature and an unlisted subject are refused with 401/403 and write
 * nothing. (test/faults/sender-keys.test.ts counts the API requests and rotates the key.)
 */
const THROTTLE = 'io.gossip.kernel.cpu_throttle.v1';
const quiet = createLogger({ level: 'silent', name: 'sender-identity' });

let admin: KubeConnection;
let namespace: string;
let allowed: string;
let tokens: { ingest: string; sweep: string; apiServer: string; unlisted: string };

beforeAll(async () => {
  admin = await adminApi();
  namespace = await freshNamespace(admin, 'senders');
  for (const name of ['trigger', 'curious'])
    await admin.create(
      SERVICE_ACCOUNT,
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace, name } },
      { fieldManager: 'test' },
    );
  allowed = `system:serviceaccount:${namespace}:trigger`;
  await createPod(admin, namespace, 'accepted');
  await createPod(admin, namespace, 'refused');
  const token = (name: string, audience?: string) =>
    serviceAccountToken(namespace, name, { duration: '10m', ...(audience === undefined ? {} : { audience }) });
  tokens = {
    ingest: await token('trigger', 'kernel-gossip-ingest'),
    sweep: await token('trigger', 'kernel-gossip-sweep'),
    apiServer: await token('trigger'),
    unlisted: await token('curious', 'kernel-gossip-ingest'),
  };
});
afterAll(() => admin.close());

function ingestApp(now?: () => number) {
  const config = parseConfig({ AUTH_SUBJECTS: allowed, ALLOWED_NAMESPACES: namespace });
  return buildIngest({ config, api: admin, issuer: admin.issuer, log: quiet, metrics: createIngestMetrics(), now });
}

async function post(app: ReturnType<typeof ingestApp>, pod: string, authorization?: string): Promise<Response> {
  // Observed after the pod was created (an older time is an earlier pod's: docs/design.md).
  const at = new Date(Date.now() - 1_000).toISOString();
  const event = binaryEvent(THROTTLE, { ...throttleData, namespace, pod_name: pod, timestamp: at }, `${pod}-${at}`);
  const headers = authorization === undefined ? event.headers : { ...event.headers, authorization };
  return app.request('/', { method: 'POST', headers, body: event.body });
}

/** The same claims, signed by a key that is not the cluster's. */
async function signedElsewhere(token: string, kid: string): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT(decodeJwt(token)).setProtectedHeader({ alg: 'ES256', kid }).sign(privateKey);
}

describe('a token the API server issued for the ingest audience', () => {
  it('lets an allowed sender apply its event', async () => {
    const response = await post(ingestApp(), 'accepted', `Bearer ${tokens.ingest}`);
    expect([response.status, response.headers.get('kernel-gossip-outcome')]).toEqual([202, 'applied']);
    expect(await admin.get(KERNEL_WHISPER, { namespace, name: 'accepted.app' })).toBeDefined();
  });
});

describe('refused, and nothing written', () => {
  const kidOf = (token: string) => decodeProtectedHeader(token).kid ?? '';
  const tamper = (token: string) => {
    const [header, payload, signature = ''] = token.split('.');
    const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    return `${header}.${payload}.${flipped}`;
  };
  const cases: [string, () => Promise<string | undefined>, number][] = [
    ['no token', async () => undefined, 401],
    ['a token for the sweep', async () => `Bearer ${tokens.sweep}`, 401],
    ['a token for the API server itself', async () => `Bearer ${tokens.apiServer}`, 401],
    [
      'the claims signed by another key under the cluster key id',
      async () => `Bearer ${await signedElsewhere(tokens.ingest, kidOf(tokens.ingest))}`,
      401,
    ],
    [
      'the claims signed by another issuer key',
      async () => `Bearer ${await signedElsewhere(tokens.ingest, 'elsewhere')}`,
      401,
    ],
    [
      'alg: none',
      async () => {
        const header = base64url.encode(JSON.stringify({ alg: 'none', kid: kidOf(tokens.ingest) }));
        return `Bearer ${header}.${tokens.ingest.split('.')[1] ?? ''}.`;
      },
      401,
    ],
    ['a tampered signature', async () => `Bearer ${tamper(tokens.ingest)}`, 401],
    [
      "an unlisted sender's token with an allowed subject pasted in",
      async () => {
        const [header, payload = '', signature] = tokens.unlisted.split('.');
        const claims = { ...decodeJwt(`${header}.${payload}.${signature}`), sub: allowed };
        return `Bearer ${header}.${base64url.encode(JSON.stringify(claims))}.${signature}`;
      },
      401,
    ],
    ['a token of a sender not listed', async () => `Bearer ${tokens.unlisted}`, 403],
  ];

  it.each(cases)('%s', async (_label, authorization, status) => {
    const response = await post(ingestApp(), 'refused', await authorization());
    expect(response.status).toBe(status);
    expect(await admin.get(KERNEL_WHISPER, { namespace, name: 'refused.app' })).toBeUndefined();
  });

  it('an expired token: the same token, with the clock past its exp', async () => {
    const expiresAtMs = (decodeJwt(tokens.ingest).exp ?? 0) * 1000;
    const afterExpiry = () => expiresAtMs + (CLOCK_LEEWAY_SECONDS + 1) * 1000;
    const response = await post(ingestApp(afterExpiry), 'refused', `Bearer ${tokens.ingest}`);
    expect([response.status, (await response.json()) as unknown]).toEqual([
      401,
      { error: 'Unauthenticated', message: 'The token has expired' },
    ]);
    // The same token with the real clock is fine: expiry alone made the difference.
    expect((await post(ingestApp(), 'accepted', `Bearer ${tokens.ingest}`)).status).toBe(202);
  });
});

describe('the sweep', () => {
  it('runs for a token of its own audience, not for one of the ingest', async () => {
    const config = parseConfig({
      KERNEL_GOSSIP_FUNCTION: 'sweep',
      AUTH_SUBJECTS: allowed,
      ALLOWED_NAMESPACES: namespace,
      MONITORED_PODS_NAMESPACE: namespace,
    });
    const app = buildSweep({ config, api: admin, issuer: admin.issuer, log: quiet, metrics: createSweepMetrics() });
    const ping = pingBinary();
    const send = (token: string) =>
      app.request('/', {
        method: 'POST',
        headers: { ...ping.headers, authorization: `Bearer ${token}` },
        body: ping.body,
      });
    expect((await send(tokens.ingest)).status).toBe(401);
    expect((await send(tokens.sweep)).status).toBe(202);
  });
});
