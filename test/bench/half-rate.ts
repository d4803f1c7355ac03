import { ceilingSender, ingestSender, roundsFor, type BenchContext } from './context.js';
import { openLoop } from './load.js';
import { SlicedPhase, type PhaseFigures } from './measure.js';
import { round } from './stats.js';

/**
 * Latency the function adds when it is not saturated: events arrive at a fixed
 * rate of half the best ceiling throughput, in turns straight to the API server
 * (ceiling) and through the function; the difference of the p99s is what a
 * user waits for the function itself.
 */
export type HalfRateFigures = { readonly ratePerS: number; readonly ceiling: PhaseFigures; readonly ingest: PhaseFigures; readonly addedP99Ms: number; readonly addedP50Ms: number };

const DURATION_S = 10;
const MAX_EVENTS = 3_000;
const MAX_IN_FLIGHT = 64;
/** Ceiling and ingest take turns, as in the throughput phase. */
const SLICES = 4;

export async function measureHalfRate(context: BenchContext, bestCeilingPerS: number): Promise<HalfRateFigures> {
  const ratePerS = Math.max(1, Math.round(bestCeilingPerS / 2));
  const count = Math.min(MAX_EVENTS, ratePerS * DURATION_S);
  const objects = context.pods.length * 2;
  const events = roundsFor(context, Math.ceil(count / objects));
  const options = { ratePerS, maxInFlight: MAX_IN_FLIGHT, maxMs: (DURATION_S + 5) * 1000 };
  const ceilingPhase = new SlicedPhase(context.probes);
  const ingestPhase = new SlicedPhase(context.probes);
  const size = Math.ceil(count / SLICES);
  for (let start = 0; start < count; start += size) {
    await ceilingPhase.run((outcomes) => openLoop(events.ceiling.slice(start, Math.min(count, start + size)), options, ceilingSender(context, outcomes)));
    await ingestPhase.run((outcomes) => openLoop(events.ingest.slice(start, Math.min(count, start + size)), options, ingestSender(context, outcomes)));
  }
  const [ceiling, ingest] = [ceilingPhase.figures(), ingestPhase.figures()];
  return {
    ratePerS,
    ceiling,
    ingest,
    addedP99Ms: round(ingest.latencyMs.p99 - ceiling.latencyMs.p99),
    addedP50Ms: round(ingest.latencyMs.p50 - ceiling.latencyMs.p50),
  };
}
