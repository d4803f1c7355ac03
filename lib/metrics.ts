import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { RequestObserver } from './k8s/api.js';

/**
 * Prometheus metrics shared by both functions; each app gets its own registry
 * so tests can build several apps in one process.
 */
export type Metrics = {
  readonly registry: Registry;
  readonly apiRequests: Counter<'verb' | 'code'>;
  readonly apiLatency: Histogram<'verb'>;
  readonly observeApiRequest: RequestObserver;
};

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const apiRequests = new Counter({
    name: 'kernel_gossip_api_requests_total',
    help: 'Requests to the Kubernetes API server by verb and HTTP status code.',
    labelNames: ['verb', 'code'] as const,
    registers: [registry],
  });
  const apiLatency = new Histogram({
    name: 'kernel_gossip_api_request_duration_seconds',
    help: 'Latency of requests to the Kubernetes API server.',
    labelNames: ['verb'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const observeApiRequest: RequestObserver = (verb, code, seconds) => {
    apiRequests.inc({ verb, code: String(code) });
    apiLatency.observe({ verb }, seconds);
  };
  return { registry, apiRequests, apiLatency, observeApiRequest };
}
