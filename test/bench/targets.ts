import type { BurstFigures } from './bursts.js';
import type { ColdStartFigures } from './cold-start.js';
import type { HalfRateFigures } from './half-rate.js';
import type { ManyObjectsFigures } from './many-objects.js';
import type { HeapFigures, MemoryPeaks } from './memory.js';
import type { RefusedFigures } from './refused.js';
import type { SweepFigures } from './sweep.js';
import type { LevelFigures } from './throughput.js';
import type { TwinSizes } from './twins.js';

/** The ingest process's memory: after start-up, its peaks over every load phase, and V8's heap at the end. */
export type MemoryFigures = MemoryPeaks & { readonly idleMB: number; readonly heapAtEnd: HeapFigures };

/** The targets of issue 7, each judged on figures from the same run. */
export type Figures = {
  readonly levels: readonly LevelFigures[];
  /** The ceiling's objects against the function's, to show both write the same. */
  readonly twins: TwinSizes;
  readonly bursts: BurstFigures;
  readonly halfRate: HalfRateFigures;
  readonly manyObjects: ManyObjectsFigures;
  readonly memory: MemoryFigures;
  readonly coldStart: ColdStartFigures;
  /** Issue 13: what refused senders cost. */
  readonly refused: RefusedFigures;
  /** Undefined with `sweepError` when the sweep could not be measured. */
  readonly sweep: SweepFigures | undefined;
  readonly sweepError?: string;
};

/** `unresolved`: the run's own noise is larger than the margin the target asks about, so neither pass nor fail is shown. */
export type TargetResult = {
  readonly target: string;
  readonly goal: string;
  readonly value: string;
  readonly pass: boolean;
  readonly unresolved?: boolean;
};

const best = (values: readonly number[]) => Math.max(...values);

export function judge(figures: Figures): TargetResult[] {
  const { levels, bursts, halfRate, coldStart, sweep } = figures;
  const bestIngest = best(levels.map((level) => level.ingest.eventsPerS));
  const bestCeiling = best(levels.map((level) => level.ceiling.eventsPerS));
  const throughputRatio = bestIngest / bestCeiling;
  // Every event of the levels and of the many-objects phase changes its object.
  const changing = [
    ...levels.map((level) => ({ label: `c=${level.concurrency}`, figures: level.ingest })),
    { label: 'first states of 5,000 objects', figures: figures.manyObjects },
  ];
  const worst = changing.reduce((a, b) => (b.figures.objectWritesPerEvent > a.figures.objectWritesPerEvent ? b : a));
  const changingWrites = worst.figures.objectWritesPerEvent;
  const podEventsAtLevels = best(levels.map((level) => level.ingest.podEventWritesPerEvent));
  const podEventsAtFirstStates = figures.manyObjects.podEventWritesPerEvent;
  const redeliveryWrites = best(levels.map((level) => level.redelivery.writesPerEvent));
  const burstWrites = bursts.api.writes;
  return [
    {
      target: 'Ingest throughput vs ceiling (best of each)',
      goal: '≥ 0.9×',
      value: `${throughputRatio.toFixed(3)}× (${bestIngest} / ${bestCeiling} events/s)`,
      pass: throughputRatio >= 0.9,
    },
    {
      target: 'API writes per state-changing event: KernelWhisper/PodBirthCertificate spec + status (worst phase)',
      goal: '≤ 2',
      value: `${changingWrites.toFixed(3)} at ${worst.label}`,
      pass: changingWrites <= 2,
    },
    {
      // Issue 6 asks for an Event on the pod when an object becomes warning/critical or a birth is
      // recorded; we count it outside the 2-write budget (README, Benchmark) and check it stays one.
      target: 'pod Events (issue 6) per state-changing event: first states / later states',
      goal: '≤ 1 / series update at most every 5 min',
      value: `${podEventsAtFirstStates} / ${podEventsAtLevels.toFixed(3)}`,
      pass: podEventsAtFirstStates <= 1,
    },
    {
      target: 'API writes per exact redelivery (worst level)',
      goal: '0',
      value: redeliveryWrites.toFixed(3),
      pass: redeliveryWrites === 0,
    },
    {
      target: 'Bursts for one object coalesce',
      goal: 'writes < events',
      value: `${burstWrites} writes for ${bursts.events} events (${bursts.writesPerBurst} per burst of ${bursts.burstSize})`,
      pass: burstWrites < bursts.events,
    },
    {
      target: `p99 latency added at half the ceiling rate (${halfRate.ratePerS}/s)`,
      goal: '≤ 5 ms',
      value: `${halfRate.addedP99Ms} ms (${halfRate.ingest.latencyMs.p99} − ${halfRate.ceiling.latencyMs.p99}); the ceiling against itself differs by ${halfRate.aaNoiseP99Ms} ms`,
      pass: halfRate.addedP99Ms <= 5,
      unresolved: halfRate.aaNoiseP99Ms > 5,
    },
    {
      target: 'Cold start to readiness (median)',
      goal: '≤ 300 ms',
      value: `${coldStart.readiness.medianMs} ms`,
      pass: coldStart.readiness.medianMs <= 300,
    },
    {
      target: 'Peak RSS of ingest under load (VmHWM)',
      goal: '≤ 100 MB',
      value: `${figures.memory.hwmMB} MB`,
      pass: figures.memory.hwmMB <= 100,
    },
    sweepTarget(sweep, figures.sweepError),
    {
      target: `API requests for ${figures.refused.requests.toLocaleString('en')} refused senders (no token, other audience, not allowed)`,
      goal: '0',
      value: `${figures.refused.apiRequests} counted by the API server, ${figures.refused.functionApiRequests} by the function`,
      pass: figures.refused.apiRequests === 0 && figures.refused.functionApiRequests === 0,
    },
  ];
}

function sweepTarget(sweep: SweepFigures | undefined, error: string | undefined): TargetResult {
  const target = 'Converged sweep over 5,000 resources: writes';
  if (sweep === undefined)
    return { target, goal: '0', value: `not measured: ${error ?? 'the sweep did not run'}`, pass: false };
  return {
    target,
    goal: '0',
    value: `${sweep.convergedMaxWrites} (median ${sweep.convergedMedianMs} ms over ${sweep.resources} resources)`,
    pass: sweep.convergedMaxWrites === 0,
  };
}
