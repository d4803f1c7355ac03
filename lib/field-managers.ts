/**
 * Field managers are named by what they compute, not by which function runs:
 * `kernel-gossip-ingest` owns the spec and every status field derived from it,
 * whichever function applies them (the ingest on an event, the sweep when it
 * refreshes a birth certificate's lifecycle); `kernel-gossip-sweep` owns what
 * only the sweep computes about those objects (PodGone, Invalid) and the
 * monitored-pods ConfigMap; `kernel-gossip-rollup` owns the WorkloadWhispers,
 * which only the sweep's roll-up computes, whole. Under server-side apply each
 * sends all it owns.
 */
export const FIELD_MANAGER = {
  ingest: 'kernel-gossip-ingest',
  sweep: 'kernel-gossip-sweep',
  rollup: 'kernel-gossip-rollup',
} as const;
