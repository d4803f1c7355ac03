import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { IssuerKeys } from '../../lib/auth/issuer-keys.js';
import { KEY_MAX_AGE_MS, KEY_REFRESH_COOLDOWN_MS, SenderVerifier } from '../../lib/auth/sender-verifier.js';
import { connectKubeApi } from '../../lib/k8s/client.js';
import type { Transport } from '../../lib/k8s/transport.js';
import { mapBounded } from '../../lib/map-bounded.js';
import type { BenchCluster } from './cluster.js';
import { cpuBetween, cpuTimes } from './cpu.js';
import { spawnFunction, untilReady } from './function-process.js';
import { functionClient } from './http-client.js';
import { round, summarize } from './stats.js';
import { ObservationClock, throttleEvent, toHttp } from './workload.js';

/**
 * Refused senders (issue 13): 10,000 requests the ingest refuses (no token, not a JWT, a
 * token for another audience, a ServiceAccount not allowed) against an ingest started as
 * deployed (AUTH_REQUIRED=true), after one request that fetched the issuer keys. Counted:
 * every API request the API server saw meanwhile (`apiserver_request_total`, all
 * resources), and the function's own count of its requests, which also covers the
 * issuer's discovery document and keys that the API server's counter leaves out
 * (test/faults/sender-keys.test.ts counts those in an audit log). Then what verifying a
 * sender costs per event, in this process: a token verified in full, a token verified
 * before (Knative reuses one per Trigger for an hour), and one TokenReview, the alternative.
 */
export type RefusedFigures = {
  readonly requests: number;
  readonly byKind: Readonly<Record<string, string>>;
  readonly apiRequests: number;
  /** What the API server counted during the phase, by `apiserver_request_total` series: empty is the goal. */
  readonly apiSeries: Readonly<Record<string, number>>;
  readonly functionApiRequests: number;
  readonly perSecond: number;
  readonly functionCpuUsPerRequest: number;
  readonly verifyUs: { readonly full: number; readonly remembered: number };
  readonly tokenReviewMs: { readonly p50: number; readonly p99: number };
};

const REFUSED = 10_000;
const CONCURRENCY = 16;
const VERIFICATIONS = 2_000;
const TOKEN_REVIEWS = 200;
const SENDER = 'bench-sender';
const CURIOUS = 'bench-curious';
const run = promisify(execFile);

export async function measureRefused(
  cluster: BenchCluster,
  namespace: string,
  logFile: string,
): Promise<RefusedFigures> {
  const { kubectlPath, kubeconfigPath } = cluster.controlPlane;
  const kubectl = async (...args: string[]) =>
    (await run(kubectlPath, ['--kubeconfig', kubeconfigPath, ...args])).stdout;
  for (const name of [SENDER, CURIOUS]) await kubectl('create', 'serviceaccount', name, '-n', namespace);
  const token = async (name: string, audience: string) =>
    (await kubectl('create', 'token', name, '-n', namespace, `--audience=${audience}`)).trim();
  const valid = await token(SENDER, 'kernel-gossip-ingest');
  const kinds: Record<string, string | undefined> = {
    'no token': undefined,
    'not a JWT': 'Bearer not-a-jwt',
    'another audience': `Bearer ${await token(SENDER, 'kernel-gossip-sweep')}`,
    'a ServiceAccount not allowed': `Bearer ${await token(CURIOUS, 'kernel-gossip-ingest')}`,
  };
  const subject = `system:serviceaccount:${namespace}:${SENDER}`;
  const refused = await sendRefused(cluster, { namespace, subject, kinds, logFile });
  return { ...refused, ...(await verificationCost(cluster, valid, subject)) };
}

type Sending = { namespace: string; subject: string; kinds: Record<string, string | undefined>; logFile: string };

async function sendRefused(cluster: BenchCluster, sending: Sending) {
  const env = { AUTH_REQUIRED: 'true', AUTH_SUBJECTS: sending.subject };
  const fn = await spawnFunction({
    kind: 'ingest',
    kubeconfigPath: cluster.controlPlane.kubeconfigPath,
    logFile: sending.logFile,
    env,
  });
  const client = functionClient(fn.port, CONCURRENCY);
  try {
    await untilReady(fn, { timeoutMs: 15_000, intervalMs: 20 });
    const fixture = toHttp(throttleEvent(sending.namespace, 'refused', new ObservationClock(), 0, 'refused'));
    const post = (authorization: string | undefined) =>
      client.post(
        '/',
        authorization === undefined ? fixture : { ...fixture, headers: { ...fixture.headers, authorization } },
      );
    // A valid signature fetches the issuer keys: that is the one fetch any instance makes, not counted.
    await post(sending.kinds['another audience']);
    const names = Object.keys(sending.kinds);
    const statuses = new Map(names.map((name) => [name, new Set<number>()]));
    const before = {
      api: await everyApiRequest(cluster.transport),
      own: await ownApiRequests(client),
      cpu: cpuTimes({ fn: fn.pid }),
    };
    const started = performance.now();
    await mapBounded(
      Array.from({ length: REFUSED }, (_, i) => names[i % names.length] ?? ''),
      CONCURRENCY,
      async (name) => {
        statuses.get(name)?.add((await post(sending.kinds[name])).status);
      },
    );
    const seconds = (performance.now() - started) / 1000;
    const cpuMs = cpuBetween(before.cpu, cpuTimes({ fn: fn.pid })).fn ?? 0;
    const apiSeries = grownSeries(before.api, await everyApiRequest(cluster.transport));
    return {
      requests: REFUSED,
      byKind: Object.fromEntries([...statuses].map(([name, seen]) => [name, [...seen].sort().join(', ')])),
      apiRequests: Object.values(apiSeries).reduce((sum, count) => sum + count, 0),
      apiSeries,
      functionApiRequests: (await ownApiRequests(client)) - before.own,
      perSecond: Math.round(REFUSED / seconds),
      functionCpuUsPerRequest: round((cpuMs * 1000) / REFUSED, 1),
    };
  } finally {
    client.close();
    await fn.stop();
  }
}

/** µs per verification in this process: in full (a new verifier each time, keys cached), and remembered. */
async function verificationCost(cluster: BenchCluster, token: string, subject: string) {
  const connection = await connectKubeApi({ kubeconfigPath: cluster.controlPlane.kubeconfigPath });
  try {
    const now = Date.now;
    const keys = new IssuerKeys(connection.issuer, {
      now,
      refreshCooldownMs: KEY_REFRESH_COOLDOWN_MS,
      maxAgeMs: KEY_MAX_AGE_MS,
    });
    const options = { audience: 'kernel-gossip-ingest', subjects: new Set([subject]), now };
    const header = `Bearer ${token}`;
    const timed = async (verifierFor: () => SenderVerifier): Promise<number> => {
      for (let i = 0; i < 200; i++) await verifierFor().verify(header);
      const started = performance.now();
      for (let i = 0; i < VERIFICATIONS; i++) await verifierFor().verify(header);
      return round(((performance.now() - started) * 1000) / VERIFICATIONS, 1);
    };
    const shared = new SenderVerifier(keys, options);
    const verifyUs = {
      full: await timed(() => new SenderVerifier(keys, options)),
      remembered: await timed(() => shared),
    };
    return { verifyUs, tokenReviewMs: await tokenReviewCost(cluster.transport, token) };
  } finally {
    connection.close();
  }
}

/** One TokenReview per event is what verifying through the API server would cost: its round trip, as the admin here. */
async function tokenReviewCost(transport: Transport, token: string): Promise<{ p50: number; p99: number }> {
  const review = {
    contentType: 'application/json',
    json: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token, audiences: ['kernel-gossip-ingest'] },
    },
  };
  const latencies: number[] = [];
  for (let i = 0; i < TOKEN_REVIEWS; i++) {
    const started = performance.now();
    const answer = await transport.request(
      'tokenreview',
      'POST',
      '/apis/authentication.k8s.io/v1/tokenreviews',
      review,
    );
    latencies.push(performance.now() - started);
    const authenticated = (answer.body as { status?: { authenticated?: boolean } } | undefined)?.status?.authenticated;
    if (answer.status !== 201 || authenticated !== true) throw new Error(`TokenReview answered ${answer.status}`);
  }
  const { p50, p99 } = summarize(latencies);
  return { p50, p99 };
}

/**
 * Every request the API server counted, by series, except what it does on its own clock
 * (leases; its aggregator re-reading OpenAPI after the CRDs changed) and the scrapes of
 * /metrics themselves. The function has no code that asks for either.
 */
async function everyApiRequest(transport: Transport): Promise<Map<string, number>> {
  const response = await transport.request('metrics', 'GET', '/metrics', undefined, 'text/plain');
  if (typeof response.body !== 'string') throw new Error(`API server /metrics answered ${response.status}`);
  const series = new Map<string, number>();
  for (const line of response.body.split('\n')) {
    if (
      !line.startsWith('apiserver_request_total{') ||
      /resource="leases"|subresource="(\/metrics|openapi\/v[23]\/?)"/.test(line)
    )
      continue;
    const at = line.lastIndexOf(' ');
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}

/** Requests counted between two readings, by series (only those that grew). */
function grownSeries(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): Record<string, number> {
  const grown: Record<string, number> = {};
  for (const [key, value] of after) if (value > (before.get(key) ?? 0)) grown[key] = value - (before.get(key) ?? 0);
  return grown;
}

/** The function's own count of its API requests (kernel_gossip_api_requests_total), issuer keys included. */
async function ownApiRequests(client: ReturnType<typeof functionClient>): Promise<number> {
  const { body } = await client.get('/metrics');
  return body
    .split('\n')
    .filter((line) => line.startsWith('kernel_gossip_api_requests_total{'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** The report's rows for this phase. */
export function refusedRows(figures: RefusedFigures): string[][] {
  const kinds = Object.entries(figures.byKind).map(([kind, statuses]) => `${kind} → ${statuses}`);
  return [
    [
      'refused senders',
      `${figures.requests} requests at c=${CONCURRENCY} (${kinds.join('; ')}): ${figures.perSecond}/s, ${figures.functionCpuUsPerRequest} µs of function CPU each; API requests ${figures.apiRequests} (API server), ${figures.functionApiRequests} (function)`,
    ],
    [
      'verifying a sender, per event',
      `token verified in full ${figures.verifyUs.full} µs, verified before ${figures.verifyUs.remembered} µs (this process); TokenReview instead: one API request, ${figures.tokenReviewMs.p50} ms p50 / ${figures.tokenReviewMs.p99} ms p99`,
    ],
  ];
}
