import { Counter, Histogram } from 'prom-client';
import { createMetrics, type Metrics } from '../../lib/metrics.js';

/** Sweep metrics: runs by outcome, objects seen / changed / deleted, failures, duration. */
export type SweepMetrics = Metrics & {
  readonly sweeps: Counter<'outcome'>;
  readonly objectsSeen: Counter<'resource'>;
  readonly objectsChanged: Counter<'resource' | 'change'>;
  readonly objectsDeleted: Counter<'resource'>;
  readonly failures: Counter<'resource' | 'reason'>;
  readonly duration: Histogram;
};

export function createSweepMetrics(): SweepMetrics {
  const base = createMetrics();
  const registers = [base.registry];
  const sweeps = new Counter({
    name: 'kernel_gossip_sweeps_total',
    help: 'Sweeps run, by outcome: converged (every write done), partial (some objects failed), failed (could not list).',
    labelNames: ['outcome'] as const,
    registers,
  });
  const objectsSeen = new Counter({
    name: 'kernel_gossip_sweep_objects_seen_total',
    help: 'Objects listed by sweeps, by resource.',
    labelNames: ['resource'] as const,
    registers,
  });
  const objectsChanged = new Counter({
    name: 'kernel_gossip_sweep_objects_changed_total',
    help: 'Objects a sweep wrote, by resource and change (repaired, resolved, markedPodGone, updated, created).',
    labelNames: ['resource', 'change'] as const,
    registers,
  });
  const objectsDeleted = new Counter({
    name: 'kernel_gossip_sweep_objects_deleted_total',
    help: 'Objects a sweep deleted, by resource: after their pod was gone for the retention window, or roll-ups no live replica backs.',
    labelNames: ['resource'] as const,
    registers,
  });
  const failures = new Counter({
    name: 'kernel_gossip_sweep_failures_total',
    help: 'Objects a sweep could not converge, by resource and reason (Conflict means a concurrent write won; the next sweep retries).',
    labelNames: ['resource', 'reason'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'kernel_gossip_sweep_duration_seconds',
    help: 'Duration of a whole sweep: listing, planning and writing.',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers,
  });
  return { ...base, sweeps, objectsSeen, objectsChanged, objectsDeleted, failures, duration };
}
