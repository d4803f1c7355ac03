import type { Transport } from '../../lib/k8s/transport.js';
import { type ApiTally, counted, sumTallies, writesOn } from './api-counts.js';
import { sampleConnections } from './connections.js';
import { type CpuPids, cpuBetween, cpuTimes } from './cpu.js';
import { type LoadResult, mergeResults } from './load.js';
import { type LatencySummary, round, summarize } from './stats.js';

/** What one measured phase reports: throughput, latency and the API requests it cost, per event. */
export type PhaseFigures = {
  readonly events: number;
  readonly failed: number;
  readonly eventsPerS: number;
  readonly latencyMs: LatencySummary;
  readonly apiPerEvent: number;
  readonly writesPerEvent: number;
  /** Of those, writes of KernelWhispers and PodBirthCertificates (spec and status)… */
  readonly objectWritesPerEvent: number;
  /** …and of Kubernetes Events (events.k8s.io) about the pod. */
  readonly podEventWritesPerEvent: number;
  readonly api: ApiTally;
  readonly outcomes: Readonly<Record<string, number>>;
  /** CPU ms per event of each process involved (see cpu.ts). */
  readonly cpuMsPerEvent: Readonly<Record<string, number>>;
  /** TCP connections the function opened to the API server during the phase (connections.ts). */
  readonly apiConnectionsOpened?: number;
  /** Of a phase run in slices: each slice's API-server CPU and events, to tell the run's own noise. */
  readonly slices?: readonly { readonly apiServerMs: number; readonly events: number }[];
  readonly firstError?: string;
};

/**
 * Where a phase's cost is read: the API server's request counters, the CPU of
 * the processes involved, and (with `apiPort`) the function's connections to the API server.
 */
export type Probes = { readonly transport: Transport; readonly pids: CpuPids; readonly apiPort?: number };

/** Counts outcomes (the function's `kernel-gossip-outcome`, or "written" for the ceiling). */
export class OutcomeTally {
  readonly counts: Record<string, number> = {};

  add(outcome: string): void {
    this.counts[outcome] = (this.counts[outcome] ?? 0) + 1;
  }
}

export async function measured(
  probes: Probes,
  phase: (outcomes: OutcomeTally) => Promise<LoadResult>,
): Promise<PhaseFigures> {
  const slices = new SlicedPhase(probes);
  await slices.run(phase);
  return slices.figures();
}

/**
 * A phase measured in slices, so that two phases can take turns (A, B, A, B…)
 * and a burst of load from elsewhere on the machine lands on both alike.
 */
export class SlicedPhase {
  private readonly results: LoadResult[] = [];
  private readonly tallies: ApiTally[] = [];
  private readonly outcomes = new OutcomeTally();
  private readonly cpu: Record<string, number> = {};
  private readonly slices: { apiServerMs: number; events: number }[] = [];
  private opened: number | undefined;

  constructor(private readonly probes: Probes) {}

  async run(phase: (outcomes: OutcomeTally) => Promise<LoadResult>): Promise<void> {
    const { function: pid } = this.probes.pids;
    const { apiPort } = this.probes;
    const connections = pid === undefined || apiPort === undefined ? undefined : sampleConnections(pid, apiPort, 100);
    const { result, api } = await counted(this.probes.transport, async () => {
      const before = cpuTimes(this.probes.pids);
      const done = await phase(this.outcomes);
      const seen = connections?.stop();
      if (seen !== undefined) this.opened = (this.opened ?? 0) + seen.opened;
      const spent = cpuBetween(before, cpuTimes(this.probes.pids));
      for (const [name, ms] of Object.entries(spent)) this.cpu[name] = (this.cpu[name] ?? 0) + ms;
      this.slices.push({ apiServerMs: spent.apiserver ?? Number.NaN, events: done.completed });
      return done;
    });
    this.results.push(result);
    this.tallies.push(api);
  }

  figures(): PhaseFigures {
    const merged = figures(mergeResults(this.results), sumTallies(this.tallies), this.outcomes.counts, this.cpu);
    const sliced = { ...merged, slices: [...this.slices] };
    return this.opened === undefined ? sliced : { ...sliced, apiConnectionsOpened: this.opened };
  }
}

export function figures(
  result: LoadResult,
  api: ApiTally,
  outcomes: Readonly<Record<string, number>>,
  cpuMs: Readonly<Record<string, number>> = {},
): PhaseFigures {
  const events = result.completed;
  const per = (count: number) => (events === 0 ? Number.NaN : round(count / events, 3));
  return {
    events,
    failed: result.failed,
    eventsPerS: result.eventsPerS,
    latencyMs: summarize(result.latenciesMs),
    apiPerEvent: per(api.total),
    writesPerEvent: per(api.writes),
    objectWritesPerEvent: per(writesOn(api, ['kernelwhispers', 'podbirthcertificates'])),
    podEventWritesPerEvent: per(writesOn(api, ['events'])),
    api,
    outcomes,
    cpuMsPerEvent: Object.fromEntries(Object.entries(cpuMs).map(([name, ms]) => [name, per(ms)])),
    ...(result.firstError === undefined ? {} : { firstError: result.firstError }),
  };
}
