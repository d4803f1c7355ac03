import fc from 'fast-check';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildIngest } from '../../functions/ingest/create.js';
import { createIngestMetrics, type IngestMetrics } from '../../functions/ingest/metrics.js';
import { buildSweep } from '../../functions/sweep/create.js';
import { createSweepMetrics, type SweepMetrics } from '../../functions/sweep/metrics.js';
import { parseConfig } from '../../lib/config.js';
import { connectKubeApi } from '../../lib/k8s/client.js';
import { createLogger } from '../../lib/log.js';
import type { HttpFixture } from '../fixtures/events.js';
import { adminApi, createPod, writesCounted } from './support/cluster.js';
import { hostileCloudEventRequest, hostileLegacyRequest, hostileSweepRequest } from './support/hostile.js';

/**
 * Property: for input that can never succeed, the ingest function answers a
 * non-retried 4xx within a second, and writes nothing to the API server.
 * Runs against the real API server so a write would really land.
 */
const CASES = { cloudEvents: 6000, legacy: 2000, sweep: 2000 };
const REFUSED = [400, 401, 403, 413, 415, 422];

let app: Hono;
let sweepApp: Hono;
let sweepMetrics: SweepMetrics;
let metrics: IngestMetrics;
let close: () => void;

beforeAll(async () => {
  const admin = await adminApi();
  await admin
    .create(
      { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'production' } },
      { fieldManager: 'test' },
    )
    .catch(() => undefined);
  await createPod(admin, 'production', 'throttled-pod').catch(() => undefined);
  admin.close();
  metrics = createIngestMetrics();
  const api = await connectKubeApi({ kubeconfigPath: inject('kubeconfig'), observe: metrics.observeApiRequest });
  close = () => api.close();
  app = buildIngest({
    config: parseConfig({ BODY_LIMIT_BYTES: '65536', AUTH_REQUIRED: 'false' }),
    api,
    log: createLogger({ level: 'silent', name: 'fuzz' }),
    metrics,
  });
  sweepMetrics = createSweepMetrics();
  const sweepConfig = parseConfig({
    AUTH_REQUIRED: 'false',
    KERNEL_GOSSIP_FUNCTION: 'sweep',
    BODY_LIMIT_BYTES: '65536',
    ALLOWED_NAMESPACES: 'production',
    MONITORED_PODS_NAMESPACE: 'production',
  });
  sweepApp = buildSweep({
    config: sweepConfig,
    api,
    log: createLogger({ level: 'silent', name: 'fuzz' }),
    metrics: sweepMetrics,
  });
});
afterAll(() => close());

function writesSoFar(): Promise<number> {
  return writesCounted(metrics);
}

async function refusedQuickly(path: string, fixture: HttpFixture, target: Hono = app): Promise<boolean> {
  const started = performance.now();
  const response = await target.request(path, { method: 'POST', headers: fixture.headers, body: fixture.body });
  await response.arrayBuffer();
  const elapsed = performance.now() - started;
  if (!REFUSED.includes(response.status) || elapsed >= 1000) {
    throw new Error(`answered ${response.status} after ${Math.round(elapsed)} ms to ${fixture.body.slice(0, 120)}`);
  }
  return true;
}

describe('hostile input at the HTTP edge', () => {
  it(`refuses ${CASES.cloudEvents} generated bad CloudEvent requests without a write`, async () => {
    await fc.assert(
      fc.asyncProperty(hostileCloudEventRequest, (fixture) => refusedQuickly('/', fixture)),
      { numRuns: CASES.cloudEvents },
    );
    expect(await writesSoFar()).toBe(0);
  }, 300_000);

  it(`refuses ${CASES.legacy} generated bad legacy webhook requests without a write`, async () => {
    await fc.assert(
      fc.asyncProperty(hostileLegacyRequest, (fixture) => refusedQuickly('/webhook/ebpf', fixture)),
      { numRuns: CASES.legacy },
    );
    expect(await writesSoFar()).toBe(0);
  }, 300_000);
});

describe('hostile input at the sweep', () => {
  it(`refuses ${CASES.sweep} generated bad CloudEvent requests without sweeping`, async () => {
    await fc.assert(
      fc.asyncProperty(hostileSweepRequest, (fixture) => refusedQuickly('/', fixture, sweepApp)),
      { numRuns: CASES.sweep },
    );
    const sweeps = await sweepMetrics.registry.getSingleMetricAsString('kernel_gossip_sweeps_total');
    expect(sweeps).not.toMatch(/kernel_gossip_sweeps_total\{[^}]*\} [1-9]/);
    expect(await writesSoFar()).toBe(0);
  }, 300_000);
});

describe('slow and oversized bodies over a real socket', () => {
  async function overSocket(
    chunks: readonly string[],
    pauseMs: number,
    headers: Record<string, string>,
  ): Promise<{ status: number; ms: number }> {
    const { serve } = await import('@hono/node-server');
    const http = await import('node:http');
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const started = performance.now();
    try {
      return await new Promise((resolve, reject) => {
        const request = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers }, (response) => {
          response.resume();
          resolve({ status: response.statusCode ?? 0, ms: performance.now() - started });
        });
        request.on('error', reject);
        let i = 0;
        const next = () => {
          const chunk = chunks[i++];
          if (chunk === undefined) return;
          if (!request.write(chunk)) request.once('drain', () => setTimeout(next, pauseMs));
          else setTimeout(next, pauseMs);
        };
        next();
      });
    } finally {
      server.close();
    }
  }

  it('answers a trickling body with a retried 408 well under a second', async () => {
    const headers = {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': 'slow',
      'ce-source': '/fuzz',
      'ce-type': 'io.gossip.kernel.cpu_throttle.v1',
      'content-length': '1000',
    };
    const result = await overSocket(
      Array.from({ length: 50 }, () => '{'),
      100,
      headers,
    );
    expect(result.status).toBe(408);
    expect(result.ms).toBeLessThan(1000);
  });

  it('answers an oversized streamed body with 413 before reading all of it', async () => {
    const headers = {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': 'big',
      'ce-source': '/fuzz',
      'ce-type': 'io.gossip.kernel.cpu_throttle.v1',
      'transfer-encoding': 'chunked',
    };
    const result = await overSocket(
      Array.from({ length: 40 }, () => 'x'.repeat(16_384)),
      1,
      headers,
    );
    expect(result.status).toBe(413);
    expect(await writesSoFar()).toBe(0);
  });
});
