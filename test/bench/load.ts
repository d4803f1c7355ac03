import { setTimeout as sleep } from 'node:timers/promises';
import { round } from './stats.js';

/**
 * Two ways to drive load, both bounded in count (the items given) and in time
 * (`maxMs`): a closed loop (N workers, each sends its next item when the last
 * one answered: measures throughput at a concurrency) and an open loop (items
 * due at a fixed rate whatever the answers: measures latency at a load, and
 * counts from the due time so a stalled server cannot hide its queueing).
 */
export type LoadResult = {
  readonly completed: number;
  readonly failed: number;
  readonly elapsedMs: number;
  readonly eventsPerS: number;
  readonly latenciesMs: readonly number[];
  readonly firstError: string | undefined;
};

type Tally = { latenciesMs: number[]; failed: number; firstError: string | undefined };

async function timed<T>(tally: Tally, item: T, since: number, send: (item: T) => Promise<void>): Promise<void> {
  try {
    await send(item);
    tally.latenciesMs.push(performance.now() - since);
  } catch (error) {
    tally.failed++;
    tally.firstError ??= error instanceof Error ? error.message : String(error);
  }
}

function result(tally: Tally, started: number): LoadResult {
  const elapsedMs = performance.now() - started;
  const completed = tally.latenciesMs.length;
  return {
    completed,
    failed: tally.failed,
    elapsedMs: round(elapsedMs),
    eventsPerS: round((completed / elapsedMs) * 1000, 1),
    latenciesMs: tally.latenciesMs,
    firstError: tally.firstError,
  };
}

export async function closedLoop<T>(
  items: readonly T[],
  options: { concurrency: number; maxMs: number },
  send: (item: T) => Promise<void>,
): Promise<LoadResult> {
  const tally: Tally = { latenciesMs: [], failed: 0, firstError: undefined };
  const started = performance.now();
  const deadline = started + options.maxMs;
  // One iterator shared by the workers hands out each item exactly once.
  const queue = items.values();
  const worker = async (): Promise<void> => {
    for (const item of queue) {
      if (performance.now() > deadline) return;
      await timed(tally, item, performance.now(), send);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return result(tally, started);
}

export async function openLoop<T>(
  items: readonly T[],
  options: { ratePerS: number; maxInFlight: number; maxMs: number },
  send: (item: T) => Promise<void>,
): Promise<LoadResult> {
  const tally: Tally = { latenciesMs: [], failed: 0, firstError: undefined };
  const started = performance.now();
  const intervalMs = 1000 / options.ratePerS;
  const inFlight = new Set<Promise<void>>();
  for (const [index, item] of items.entries()) {
    const due = started + index * intervalMs;
    if (due - started > options.maxMs) break;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    // Past the in-flight bound the sender waits; the latency still counts from `due`.
    while (inFlight.size >= options.maxInFlight) await Promise.race(inFlight);
    const running: Promise<void> = timed(tally, item, due, send).finally(() => inFlight.delete(running));
    inFlight.add(running);
  }
  await Promise.all(inFlight);
  return result(tally, started);
}

/** Several runs as one: throughput over their summed time, all latencies together. */
export function mergeResults(results: readonly LoadResult[]): LoadResult {
  const latenciesMs = results.flatMap((r) => r.latenciesMs);
  const elapsedMs = results.reduce((sum, r) => sum + r.elapsedMs, 0);
  const failed = results.reduce((sum, r) => sum + r.failed, 0);
  const firstError = results.find((r) => r.firstError !== undefined)?.firstError;
  return {
    completed: latenciesMs.length,
    failed,
    elapsedMs: round(elapsedMs),
    eventsPerS: round((latenciesMs.length / elapsedMs) * 1000, 1),
    latenciesMs,
    firstError,
  };
}
