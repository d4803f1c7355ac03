import type { Hono } from 'hono';
import { buildSweep } from '../../../functions/sweep/create.js';
import { createSweepMetrics, type SweepMetrics } from '../../../functions/sweep/metrics.js';
import { KERNEL_WHISPER, POD } from '../../../lib/api/group.js';
import { parseConfig } from '../../../lib/config.js';
import { desiredKernelWhisper } from '../../../lib/core/kernel-whisper.js';
import type { IssuerApi } from '../../../lib/k8s/issuer.js';
import type { KubeObject } from '../../../lib/k8s/objects.js';
import { createLogger } from '../../../lib/log.js';
import { FakeKubeApi } from '../support/fake-kube-api.js';
import { monitoredPod } from '../support/ingest-app.js';
import { throttle } from '../support/observations.js';
import { FaultyKubeApi } from './faulty-api.js';

/** The sweep app over the in-memory KubeApi, wrapped so tests can inject faults and delays. */
export const NOW = Date.parse('2024-01-01T01:00:00Z');

export type SweepHarness = { app: Hono; fake: FakeKubeApi; api: FaultyKubeApi; metrics: SweepMetrics };

/** Sender identity is off unless a test gives an issuer (test/unit/auth covers it). */
export function sweepHarness(env: Record<string, string> = {}, issuer?: IssuerApi): SweepHarness {
  const fake = new FakeKubeApi();
  const api = new FaultyKubeApi(fake);
  const metrics = createSweepMetrics();
  const config = parseConfig({ KERNEL_GOSSIP_FUNCTION: 'sweep', AUTH_REQUIRED: 'false', ...env });
  const app = buildSweep({
    config,
    api,
    issuer,
    log: createLogger({ level: 'silent', name: 'test' }),
    metrics,
    now: () => NOW,
  });
  return { app, fake, api, metrics };
}

/** A KernelWhisper (no status yet) for production/<pod> detected a minute before NOW, and its pod. */
export function seedWhisper(fake: FakeKubeApi, podName: string, options: { pod?: boolean } = {}): KubeObject {
  const observation = throttle({ pod_name: podName, throttle_percentage: 85.5 }, new Date(NOW - 60_000).toISOString());
  const object = desiredKernelWhisper({ ...observation, pod: { ...observation.pod, pod_uid: `uid-${podName}` } });
  if (options.pod !== false) fake.seed(POD, monitoredPod('production', podName));
  return fake.seed(KERNEL_WHISPER, object);
}

export function post(app: Hono, headers: Record<string, string> = {}, body?: string): Promise<Response> {
  return Promise.resolve(app.request('/', { method: 'POST', headers, body }));
}
