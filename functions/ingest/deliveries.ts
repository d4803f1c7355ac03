import type { ReadResult, ReceivedEvent } from '../../lib/cloudevents.js';
import { asError, type BatchMemberFailure } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import { type Candidate, candidateFromCloudEvent } from './candidates.js';
import { type IngestDeps, type IngestOutcome, ingest } from './handle.js';
import type { IngestMetrics } from './metrics.js';
import { recordOutcomes } from './outcomes.js';

/**
 * One event of a request on its way in: validated into a candidate, or refused
 * with the reason. A batch is a list of these, settled one by one, so an
 * invalid event does not keep the valid ones from being applied.
 */
/** What a log line says about an event; `index` is its place in a batch. */
export type EventLabel = {
  readonly id?: string;
  readonly source?: string;
  readonly type?: string;
  readonly index?: number;
};
export type Delivery =
  | { readonly event: EventLabel; readonly candidate: Candidate }
  | { readonly event: EventLabel; readonly refused: Error };

export function deliveryOf(result: ReadResult, index: number, nowMs: number): Delivery {
  if (!result.ok) return { event: { index }, refused: result.error };
  const event = { ...labelOf(result.event), index };
  try {
    return { event, candidate: candidateFromCloudEvent(result.event, nowMs) };
  } catch (error) {
    return { event, refused: asError(error) };
  }
}

export function labelOf(event: ReceivedEvent): EventLabel {
  return { id: event.id, source: event.source, type: event.type };
}

type Deps = IngestDeps & { readonly log: Logger; readonly metrics: IngestMetrics };

/** Ingests every candidate at once, and logs and counts each event's outcome. */
export async function ingestAll(
  deps: Deps,
  deliveries: readonly Delivery[],
): Promise<PromiseSettledResult<IngestOutcome>[]> {
  const started = performance.now();
  const settled = await Promise.allSettled(
    deliveries.map((delivery) =>
      'candidate' in delivery ? ingest(deps, delivery.candidate) : Promise.reject(delivery.refused),
    ),
  );
  recordOutcomes(deps, deliveries, settled, (performance.now() - started) / 1000);
  return settled;
}

export function failuresOf(
  deliveries: readonly Delivery[],
  settled: readonly PromiseSettledResult<IngestOutcome>[],
): BatchMemberFailure[] {
  return settled.flatMap((result, index) =>
    result.status === 'rejected' ? [{ index, id: deliveries[index]?.event.id, error: asError(result.reason) }] : [],
  );
}
