import type { IngestContext } from './ingest-context.js';
import { ingestSender } from './ingest-context.js';
import { closedLoop } from './load.js';
import { measured, type PhaseFigures } from './measure.js';
import { memoryMB } from './memory.js';
import { round } from './stats.js';
import { newStateRound } from './workload.js';

/**
 * The first state of 5,000 objects (a KernelWhisper and a certificate for each
 * of 2,500 pods), through the running ingest instance: the load phases touch
 * 512 objects, a real cluster many more, and what the instance keeps per object
 * it has written shows only when many distinct objects pass through it. A
 * first state is also when the pod gets its Event.
 */
export type ManyObjectsFigures = PhaseFigures & {
  readonly objects: number;
  /** VmHWM before this phase: the peak over the phases on 512 objects. */
  readonly hwmBeforeMB: number;
  readonly rssBeforeMB: number;
  readonly rssAfterMB: number;
};

const CONCURRENCY = 16;
const MAX_MS = 120_000;

export async function measureManyObjects(
  context: IngestContext,
  setup: { readonly namespace: string; readonly pods: readonly string[] },
  pid: number,
): Promise<ManyObjectsFigures> {
  const events = newStateRound(setup.namespace, setup.pods, context.clock, context.nextRounds(1));
  const before = memoryMB(pid);
  const phase = await measured(context.probes, (outcomes) =>
    closedLoop(events, { concurrency: CONCURRENCY, maxMs: MAX_MS }, ingestSender(context, outcomes)),
  );
  return {
    ...phase,
    objects: events.length,
    hwmBeforeMB: round(before.hwm, 1),
    rssBeforeMB: round(before.rss, 1),
    rssAfterMB: round(memoryMB(pid).rss, 1),
  };
}
