import type { CeilingWriter } from './ceiling.js';
import type { BenchCluster } from './cluster.js';
import type { FunctionClient } from './http-client.js';
import { sendEvent } from './http-client.js';
import type { OutcomeTally, Probes } from './measure.js';
import { type BenchEvent, newStates, type ObservationClock, toHttp } from './workload.js';

/** What the ingest phases share: the cluster, both writers under test and the event generator. */
export type IngestContext = {
  readonly cluster: BenchCluster;
  /** The API server's counters and the processes whose CPU each phase reports. */
  readonly probes: Probes;
  readonly ceiling: CeilingWriter;
  readonly client: FunctionClient;
  readonly clock: ObservationClock;
  readonly pods: readonly string[];
  readonly ingestNamespace: string;
  readonly ceilingNamespace: string;
  /** Hands out round numbers so every event id of the run is unique. */
  nextRounds(count: number): number;
};

/** Events giving every ingest object `rounds` new states, and the same for the ceiling's twin objects. */
export function roundsFor(context: IngestContext, rounds: number): { ingest: BenchEvent[]; ceiling: BenchEvent[] } {
  const first = context.nextRounds(rounds);
  return {
    ingest: newStates(context.ingestNamespace, context.pods, context.clock, first, rounds),
    ceiling: newStates(context.ceilingNamespace, context.pods, context.clock, first, rounds),
  };
}

/** Sender for the load drivers: one event to the function, its outcome tallied (and remembered per event when asked). */
export function ingestSender(
  context: IngestContext,
  outcomes: OutcomeTally,
  applied?: BenchEvent[],
): (event: BenchEvent) => Promise<void> {
  return async (event) => {
    const outcome = await sendEvent(context.client, toHttp(event));
    outcomes.add(outcome);
    if (outcome === 'applied') applied?.push(event);
  };
}

export function ceilingSender(context: IngestContext, outcomes: OutcomeTally): (event: BenchEvent) => Promise<void> {
  return async (event) => {
    await context.ceiling.write(event);
    outcomes.add('written');
  };
}
