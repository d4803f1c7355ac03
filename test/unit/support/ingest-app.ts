import type { Hono } from 'hono';
import { buildIngest } from '../../../functions/ingest/create.js';
import { createIngestMetrics, type IngestMetrics } from '../../../functions/ingest/metrics.js';
import { POD } from '../../../lib/api/group.js';
import { parseConfig } from '../../../lib/config.js';
import type { IssuerApi } from '../../../lib/k8s/issuer.js';
import { createLogger, type Logger } from '../../../lib/log.js';
import type { HttpFixture } from '../../fixtures/events.js';
import { FakeKubeApi } from './fake-kube-api.js';

/** The ingest app over the in-memory KubeApi, with a monitored pod in place. */
export type IngestHarness = { app: Hono; api: FakeKubeApi; metrics: IngestMetrics };

export const NOW = Date.parse('2024-01-01T00:01:00Z');

/**
 * Sender identity is off unless a test turns it on with an issuer: these tests are
 * about events, and test/unit/auth covers who may send them.
 */
export function ingestHarness(
  env: Record<string, string> = {},
  options: { issuer?: IssuerApi; log?: Logger } = {},
): IngestHarness {
  const api = new FakeKubeApi();
  api.seed(POD, monitoredPod('production', 'throttled-pod'));
  const metrics = createIngestMetrics();
  const config = parseConfig({ KERNEL_GOSSIP_FUNCTION: 'ingest', AUTH_REQUIRED: 'false', ...env });
  const app = buildIngest({
    config,
    api,
    issuer: options.issuer,
    log: options.log ?? createLogger({ level: 'silent', name: 'test' }),
    metrics,
    now: () => NOW,
  });
  return { app, api, metrics };
}

export function monitoredPod(
  namespace: string,
  name: string,
  annotations: Record<string, string> = { 'kernel-gossip.io/monitor': 'true' },
) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name, uid: `uid-${name}`, annotations },
    spec: { nodeName: 'node-1', containers: [{ name: 'app' }, { name: 'sidecar' }] },
  };
}

export function send(app: Hono, path: string, fixture: HttpFixture): Promise<Response> {
  return Promise.resolve(app.request(path, { method: 'POST', headers: fixture.headers, body: fixture.body }));
}
