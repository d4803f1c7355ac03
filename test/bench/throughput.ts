import type { IngestContext } from './ingest-context.js';
import { ceilingSender, ingestSender, roundsFor } from './ingest-context.js';
import { closedLoop } from './load.js';
import { measured, type PhaseFigures, SlicedPhase } from './measure.js';
import { round } from './stats.js';
import type { BenchEvent } from './workload.js';

/**
 * Throughput at fixed concurrency: the ceiling and the function take turns at
 * each level on twin workloads (the same objects and new states in their own
 * namespaces), so drift in the machine's load hits both alike. Then the
 * function gets the latest event of every object again: exact redeliveries.
 */
export type LevelFigures = {
  readonly concurrency: number;
  readonly ceiling: PhaseFigures;
  readonly ingest: PhaseFigures;
  readonly redelivery: PhaseFigures;
  /** Ingest events/s over ceiling events/s. */
  readonly ratio: number;
};

export const LEVELS = [1, 4, 16, 32] as const;
const ROUNDS_PER_LEVEL = 2;
const LEVEL_MAX_MS = 30_000;
/** Ceiling and ingest take turns this many times per level (see SlicedPhase). */
const SLICES = 4;
const WARM_UP_ROUNDS = 2;

export async function measureLevel(context: IngestContext, concurrency: number): Promise<LevelFigures> {
  const events = roundsFor(context, ROUNDS_PER_LEVEL);
  const options = { concurrency, maxMs: LEVEL_MAX_MS / SLICES };
  const ceiling = new SlicedPhase(context.probes);
  const ingest = new SlicedPhase(context.probes);
  const applied: BenchEvent[] = [];
  for (let slice = 0; slice < SLICES; slice++) {
    await ceiling.run((outcomes) =>
      closedLoop(sliceOf(events.ceiling, slice), options, ceilingSender(context, outcomes)),
    );
    await ingest.run((outcomes) =>
      closedLoop(sliceOf(events.ingest, slice), options, ingestSender(context, outcomes, applied)),
    );
  }
  const latest = latestPerObject(applied);
  const redelivery = await measured(context.probes, (outcomes) =>
    closedLoop(latest, { concurrency, maxMs: LEVEL_MAX_MS }, ingestSender(context, outcomes)),
  );
  const [ceilingFigures, ingestFigures] = [ceiling.figures(), ingest.figures()];
  return {
    concurrency,
    ceiling: ceilingFigures,
    ingest: ingestFigures,
    redelivery,
    ratio: round(ingestFigures.eventsPerS / ceilingFigures.eventsPerS, 3),
  };
}

function sliceOf<T>(items: readonly T[], slice: number): readonly T[] {
  const size = Math.ceil(items.length / SLICES);
  return items.slice(slice * size, (slice + 1) * size);
}

/**
 * Warm-up (not reported): two new states for every object on both sides, so
 * the objects exist, both JITs have settled, and the once-per-object costs of
 * the function are paid (the pod Event created on the first state, its series
 * started on the second). The levels then see the steady state; the
 * many-objects phase reports the first-state costs.
 */
export async function warmUp(context: IngestContext): Promise<void> {
  const options = { concurrency: 8, maxMs: 60_000 };
  const noTally = { add: () => undefined, counts: {} };
  for (let round = 0; round < WARM_UP_ROUNDS; round++) {
    const events = roundsFor(context, 1);
    const ceiling = await closedLoop(events.ceiling, options, ceilingSender(context, noTally));
    const ingest = await closedLoop(events.ingest, options, ingestSender(context, noTally));
    const failed = ceiling.failed + ingest.failed;
    if (failed > 0)
      throw new Error(`warm-up: ${failed} events failed: ${ceiling.firstError ?? ingest.firstError ?? ''}`);
  }
}

/** The newest applied event of each object, i.e. what is stored: sending it again must change nothing. */
function latestPerObject(applied: readonly BenchEvent[]): BenchEvent[] {
  const byKey = new Map<string, BenchEvent>();
  for (const event of applied) {
    const seen = byKey.get(event.key);
    if (seen === undefined || event.timestamp > seen.timestamp) byKey.set(event.key, event);
  }
  return [...byKey.values()];
}
