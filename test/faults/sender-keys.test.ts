import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Hono } from 'hono';
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIngest } from '../../functions/ingest/create.js';
import { createIngestMetrics } from '../../functions/ingest/metrics.js';
import { KEY_REFRESH_COOLDOWN_MS } from '../../lib/auth/sender-verifier.js';
import { parseConfig } from '../../lib/config.js';
import { connectKubeApi, type KubeConnection } from '../../lib/k8s/client.js';
import { loadCredentials } from '../../lib/k8s/credentials.js';
import { createTransport, type Transport } from '../../lib/k8s/transport.js';
import { createLogger } from '../../lib/log.js';
import { auditedDuring } from '../controlplane/audit-log.js';
import { repoRoot } from '../controlplane/binaries.js';
import { type ControlPlane, startControlPlane } from '../controlplane/harness.js';
import { binaryEvent, throttleData } from '../fixtures/events.js';
import { createPod, SERVICE_ACCOUNT } from '../integration/support/cluster.js';

/**
 * The issuer's keys as the API server counts what we ask of it, in a control plane
 * this file owns (its API server is restarted with a new signing key): fetched once
 * for any number of senders, never for a refused one, at most once per cooldown for
 * forged key ids, and again when the cluster rotated its key.
 */
const run = promisify(execFile);
const NAMESPACE = 'senders';
const ALLOWED = `system:serviceaccount:${NAMESPACE}:trigger`;
const DISCOVERY = 'get /.well-known/openid-configuration 200';
const KEY_SET = 'get /openid/v1/jwks 200';

let controlPlane: ControlPlane;
let api: KubeConnection;
let metrics: Transport;
let app: Hono;
/** The function's clock runs ahead of the wall clock by this much, so a test can let the refresh cooldown pass. */
let aheadMs = 0;
let sent = 0;

const kubectl = async (...args: string[]) =>
  (await run(controlPlane.kubectlPath, ['--kubeconfig', controlPlane.kubeconfigPath, ...args])).stdout;
const token = async (serviceAccount: string, audience = 'kernel-gossip-ingest') =>
  (await kubectl('create', 'token', serviceAccount, '-n', NAMESPACE, `--audience=${audience}`)).trim();

beforeAll(async () => {
  controlPlane = await startControlPlane({ auditLog: true });
  const crds = readdirSync(path.join(repoRoot, 'crds')).filter((file) => file.endsWith('.yaml'));
  await kubectl('apply', '--server-side', ...crds.flatMap((file) => ['-f', path.join(repoRoot, 'crds', file)]));
  await kubectl('wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all');
  api = await connectKubeApi({ kubeconfigPath: controlPlane.kubeconfigPath });
  metrics = createTransport(await loadCredentials({ kubeconfigPath: controlPlane.kubeconfigPath }));
  await kubectl('create', 'namespace', NAMESPACE);
  for (const name of ['trigger', 'curious'])
    await api.create(
      SERVICE_ACCOUNT,
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace: NAMESPACE, name } },
      { fieldManager: 'test' },
    );
  await createPod(api, NAMESPACE, 'web');
  app = buildIngest({
    config: parseConfig({ AUTH_SUBJECTS: ALLOWED, ALLOWED_NAMESPACES: NAMESPACE }),
    api,
    issuer: api.issuer,
    log: createLogger({ level: 'silent', name: 'sender-keys' }),
    metrics: createIngestMetrics(),
    now: () => Date.now() + aheadMs,
  });
}, 180_000);

afterAll(async () => {
  api?.close();
  metrics?.close();
  await controlPlane?.stop();
});

async function post(authorization?: string): Promise<number> {
  const at = new Date(Date.now() - 1_000 + ++sent).toISOString();
  const event = binaryEvent(
    'io.gossip.kernel.cpu_throttle.v1',
    { ...throttleData, namespace: NAMESPACE, pod_name: 'web', timestamp: at },
    `keys-${sent}`,
  );
  const headers = authorization === undefined ? event.headers : { ...event.headers, authorization };
  return (await app.request('/', { method: 'POST', headers, body: event.body })).status;
}

/** The API requests `phase` caused, as the API server's audit log records them: "verb uri code" → count. */
async function requestsDuring(phase: () => Promise<void>): Promise<Record<string, number>> {
  const logFile = controlPlane.auditLogPath ?? '';
  const fence = async (uri: string) => void (await metrics.request('fence', 'GET', uri));
  const counts: Record<string, number> = {};
  for (const { verb, uri, code } of await auditedDuring(logFile, fence, phase)) {
    const key = `${verb} ${uri.split('?')[0] ?? ''} ${code}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

async function forged(claimsOf: string, kid: string): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT(decodeJwt(claimsOf)).setProtectedHeader({ alg: 'ES256', kid }).sign(privateKey);
}

describe('the issuer keys', () => {
  it('are fetched once for many events and tokens', async () => {
    const tokens = [await token('trigger'), await token('trigger')];
    const requests = await requestsDuring(async () => {
      for (let i = 0; i < 20; i++) expect(await post(`Bearer ${tokens[i % 2] ?? ''}`)).toBe(202);
    });
    expect([requests[DISCOVERY], requests[KEY_SET]]).toEqual([1, 1]);
  });

  it('are not asked for, nor is anything else, by refused requests', async () => {
    const valid = await token('trigger');
    const refused = [
      undefined,
      'Bearer x.y.z',
      `Bearer ${await token('trigger', 'kernel-gossip-sweep')}`,
      `Bearer ${await token('curious')}`,
      `Bearer ${valid.slice(0, -2)}AA`,
      `Bearer ${await forged(valid, (decodeJwt(valid).kid as string | undefined) ?? '')}`,
    ];
    const requests = await requestsDuring(async () => {
      for (let i = 0; i < 300; i++) expect(await post(refused[i % refused.length])).toBeGreaterThanOrEqual(401);
    });
    expect(requests).toEqual({});
  });

  it('are fetched at most once per cooldown for forged key ids', async () => {
    aheadMs += KEY_REFRESH_COOLDOWN_MS;
    const valid = await token('trigger');
    const unknownKids = await Promise.all(Array.from({ length: 5 }, (_, i) => forged(valid, `forged-${i}`)));
    const requests = await requestsDuring(async () => {
      for (let i = 0; i < 200; i++) expect(await post(`Bearer ${unknownKids[i % 5] ?? ''}`)).toBe(401);
    });
    expect(requests).toEqual({ [DISCOVERY]: 1, [KEY_SET]: 1 });
  });

  it('are fetched again when the cluster rotates its signing key, and the old key stops verifying', async () => {
    const old = await token('trigger');
    expect(await post(`Bearer ${old}`)).toBe(202);
    await controlPlane.rotateServiceAccountKey();
    const rotated = await token('trigger');
    expect(decodeJwt(rotated).iss).toBe(decodeJwt(old).iss);
    aheadMs += KEY_REFRESH_COOLDOWN_MS;
    const requests = await requestsDuring(async () => {
      expect(await post(`Bearer ${rotated}`)).toBe(202);
      expect(await post(`Bearer ${rotated}`)).toBe(202);
      expect(await post(`Bearer ${old}`)).toBe(401);
    });
    expect([requests[DISCOVERY], requests[KEY_SET]]).toEqual([1, 1]);
  });
});
