import { counted } from './api-counts.js';
import { type IngestContext, ingestSender } from './ingest-context.js';
import { closedLoop, type LoadResult, mergeResults } from './load.js';
import { figures, OutcomeTally, type PhaseFigures } from './measure.js';
import { round } from './stats.js';
import { type BenchEvent, birthEvent, throttleEvent } from './workload.js';

/**
 * Bursts for one object: BURST_SIZE new states of the same KernelWhisper (or
 * PodBirthCertificate) arrive at once, as when an observer flushes a backlog.
 * Without coalescing that is 2 writes per event; the target is fewer writes than events.
 */
export type BurstFigures = PhaseFigures & {
  readonly bursts: number;
  readonly burstSize: number;
  readonly writesPerBurst: number;
};

const BURSTS = 32;
const BURST_SIZE = 16;

export async function measureBursts(context: IngestContext): Promise<BurstFigures> {
  const first = context.nextRounds(BURSTS);
  const bursts = Array.from({ length: BURSTS }, (_, b) => burst(context, b, first + b));
  const outcomes = new OutcomeTally();
  const { result, api } = await counted(context.cluster.transport, async () => {
    const results: LoadResult[] = [];
    for (const events of bursts)
      results.push(
        await closedLoop(events, { concurrency: BURST_SIZE, maxMs: 10_000 }, ingestSender(context, outcomes)),
      );
    return mergeResults(results);
  });
  return {
    ...figures(result, api, outcomes.counts),
    bursts: BURSTS,
    burstSize: BURST_SIZE,
    writesPerBurst: round(api.writes / BURSTS, 2),
  };
}

function burst(context: IngestContext, index: number, roundNumber: number): BenchEvent[] {
  const pod = context.pods[index % context.pods.length] ?? 'missing';
  const make = index % 2 === 0 ? throttleEvent : birthEvent;
  return Array.from({ length: BURST_SIZE }, (_, i) =>
    make(
      context.ingestNamespace,
      pod,
      context.clock,
      roundNumber * 97 + i,
      `${context.ingestNamespace}-${pod}-burst-${roundNumber}-${i}`,
    ),
  );
}
