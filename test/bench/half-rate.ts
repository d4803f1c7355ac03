import { ceilingSender, type IngestContext, ingestSender, roundsFor } from './ingest-context.js';
import { type LoadResult, openLoop } from './load.js';
import { type PhaseFigures, SlicedPhase } from './measure.js';
import { round, summarize } from './stats.js';

/**
 * Latency the function adds when it is not saturated: events arrive at a fixed
 * rate of half the best ceiling throughput, in turns straight to the API server
 * (ceiling) and through the function; the difference of the p99s is what a
 * user waits for the function itself.
 *
 * A p99 over a few thousand events moves with every pause of the API server,
 * etcd or the machine, so the run also measures its own resolution: the p99 of
 * the ceiling's odd slices against its even slices (the same path compared with
 * itself). An added p99 smaller than that A/A difference is not resolved.
 */
export type HalfRateFigures = {
  readonly ratePerS: number;
  readonly ceiling: PhaseFigures;
  readonly ingest: PhaseFigures;
  readonly addedP99Ms: number;
  readonly addedP50Ms: number;
  /** |p99 of the ceiling's odd slices − p99 of its even slices|. */
  readonly aaNoiseP99Ms: number;
};

const DURATION_S = 60;
const MAX_EVENTS = 10_000;
const MAX_IN_FLIGHT = 64;
/** Ceiling and ingest take turns, as in the throughput phase; an even number, for the A/A halves. */
const SLICES = 8;

export async function measureHalfRate(context: IngestContext, bestCeilingPerS: number): Promise<HalfRateFigures> {
  const ratePerS = Math.max(1, Math.round(bestCeilingPerS / 2));
  const count = Math.min(MAX_EVENTS, ratePerS * DURATION_S);
  const objects = context.pods.length * 2;
  const events = roundsFor(context, Math.ceil(count / objects));
  const options = { ratePerS, maxInFlight: MAX_IN_FLIGHT, maxMs: (DURATION_S + 5) * 1000 };
  const ceilingPhase = new SlicedPhase(context.probes);
  const ingestPhase = new SlicedPhase(context.probes);
  const ceilingHalves: [number[], number[]] = [[], []];
  const size = Math.ceil(count / SLICES);
  for (let slice = 0, start = 0; start < count; slice++, start += size) {
    const end = Math.min(count, start + size);
    await ceilingPhase.run(async (outcomes): Promise<LoadResult> => {
      const result = await openLoop(events.ceiling.slice(start, end), options, ceilingSender(context, outcomes));
      ceilingHalves[slice % 2]?.push(...result.latenciesMs);
      return result;
    });
    await ingestPhase.run((outcomes) =>
      openLoop(events.ingest.slice(start, end), options, ingestSender(context, outcomes)),
    );
  }
  const [ceiling, ingest] = [ceilingPhase.figures(), ingestPhase.figures()];
  return {
    ratePerS,
    ceiling,
    ingest,
    addedP99Ms: round(ingest.latencyMs.p99 - ceiling.latencyMs.p99),
    addedP50Ms: round(ingest.latencyMs.p50 - ceiling.latencyMs.p50),
    aaNoiseP99Ms: round(Math.abs(summarize(ceilingHalves[0]).p99 - summarize(ceilingHalves[1]).p99)),
  };
}
