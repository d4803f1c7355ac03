import { Counter, Histogram } from 'prom-client';
import { createMetrics, type Metrics } from '../../lib/metrics.js';

/** Ingest metrics: every event counted by type and outcome, with its latency. */
export type IngestMetrics = Metrics & {
  readonly events: Counter<'type' | 'outcome'>;
  readonly eventLatency: Histogram<'type'>;
  readonly podEvents: Counter<'reason' | 'outcome'>;
};

export function createIngestMetrics(): IngestMetrics {
  const base = createMetrics();
  const events = new Counter({
    name: 'kernel_gossip_events_total',
    help: 'Events received, by event type and outcome (applied, unchanged, stale, skipped, rejected, failed; unresolved = pod not found yet, retried; unresolvable = given up).',
    labelNames: ['type', 'outcome'] as const,
    registers: [base.registry],
  });
  const eventLatency = new Histogram({
    name: 'kernel_gossip_event_duration_seconds',
    help: 'Time from receiving an event to its outcome.',
    labelNames: ['type'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [base.registry],
  });
  const podEvents = new Counter({
    name: 'kernel_gossip_pod_events_total',
    help: 'Kubernetes Events about pods, by reason and outcome (created, series_updated, deferred = counted for a later series update, failed).',
    labelNames: ['reason', 'outcome'] as const,
    registers: [base.registry],
  });
  return { ...base, events, eventLatency, podEvents };
}
