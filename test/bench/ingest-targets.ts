import { type IdleCpu, netApiServerMs } from './idle.js';
import type { IngestFigures } from './ingest-phase.js';
import type { PhaseFigures } from './measure.js';
import type { Target } from './phase.js';
import type { LevelFigures } from './throughput.js';

/**
 * The ingest targets of issues 7 and 14. A figure measured at several levels
 * is judged at its worst level, and every level is printed beside it; nothing
 * divides one level by another.
 */
const FUNCTION_CPU_LEVEL = 16;

export function ingestTargets(figures: IngestFigures): Target[] {
  const { levels, bursts, halfRate, memory } = figures;
  const throughput = worst(levels, (level) => level.ratio, 'min');
  const ratio = (level: LevelFigures) => apiCpuRatio(level, idleOf(figures));
  const apiCpu = worst(levels, ratio, 'max');
  const noise = Math.max(...levels.map((level) => ceilingAgainstItself(level.ceiling)));
  const functionCpu = levels.find((level) => level.concurrency === FUNCTION_CPU_LEVEL)?.ingest.cpuMsPerEvent.function;
  const writes = worstWrites(figures);
  const redeliveryWrites = Math.max(...levels.map((level) => level.redelivery.writesPerEvent));
  return [
    {
      target: 'Ingest throughput ÷ ceiling throughput at the same concurrency (worst level)',
      goal: '≥ 0.9×',
      value: `${throughput.value.toFixed(3)}× at c=${throughput.level.concurrency}; by level ${perLevel(levels, (level) => `${level.ratio.toFixed(2)}×`)}`,
      pass: throughput.value >= 0.9,
    },
    {
      target: 'API-server CPU per state-changing event, net of its idle rate, function ÷ ceiling (worst level)',
      goal: '≤ 1.05×',
      value: `${apiCpu.value.toFixed(3)}× at c=${apiCpu.level.concurrency}; by level ${perLevel(levels, (level) => `${ratio(level).toFixed(2)}×`)}; with the idle share ${perLevel(levels, (level) => `${apiCpuRatio(level).toFixed(2)}×`)}; the ceiling against itself (odd vs even slices) differs by up to ${(noise * 100).toFixed(1)} %`,
      // The noise figure is information beside the ratio: above 1.05× the row fails.
      pass: apiCpu.value <= 1.05,
    },
    {
      target: `Function CPU per event at c=${FUNCTION_CPU_LEVEL}`,
      goal: '≤ 1.5 ms',
      value: `${functionCpu ?? Number.NaN} ms; by level ${perLevel(levels, (level) => `${level.ingest.cpuMsPerEvent.function ?? Number.NaN} ms`)}`,
      pass: functionCpu !== undefined && functionCpu <= 1.5,
    },
    {
      target: 'API writes per state-changing event, everything the API server counts (worst phase)',
      goal: '≤ 2',
      value: `${writes.figures.writesPerEvent.toFixed(3)} at ${writes.label} (${writes.figures.objectWritesPerEvent.toFixed(3)} KernelWhisper/PodBirthCertificate + ${writes.figures.podEventWritesPerEvent.toFixed(3)} pod Events); objects alone at worst ${worstObjectWrites(figures).toFixed(3)}`,
      pass: writes.figures.writesPerEvent <= 2,
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
      value: `${bursts.api.writes} writes for ${bursts.events} events (${bursts.writesPerBurst} per burst of ${bursts.burstSize})`,
      pass: bursts.api.writes < bursts.events,
    },
    {
      target: `p99 latency added at half the best ceiling rate (${halfRate.ratePerS}/s)`,
      goal: '≤ 5 ms',
      value: `${halfRate.addedP99Ms} ms (${halfRate.ingest.latencyMs.p99} − ${halfRate.ceiling.latencyMs.p99}); the ceiling against itself differs by ${halfRate.aaNoiseP99Ms} ms`,
      pass: halfRate.addedP99Ms <= 5,
      unresolved: halfRate.aaNoiseP99Ms > 5,
    },
    {
      target: 'Peak RSS of ingest under load (VmHWM)',
      goal: '≤ 100 MB',
      value: `${memory.hwmMB} MB`,
      pass: memory.hwmMB <= 100,
    },
  ];
}

/** Function ÷ ceiling API-server CPU per event; net of the API server's idle rate when given. */
export function apiCpuRatio(level: LevelFigures, idle?: IdleCpu): number {
  if (idle !== undefined) return netApiServerMs(level.ingest, idle) / netApiServerMs(level.ceiling, idle);
  const ingest = level.ingest.cpuMsPerEvent.apiserver ?? Number.NaN;
  const ceiling = level.ceiling.cpuMsPerEvent.apiserver ?? Number.NaN;
  return ingest / ceiling;
}

/**
 * The run's own resolution for API-server CPU per event: the ceiling's odd
 * slices against its even slices (the same path compared with itself), as a
 * fraction, printed beside the ratio; it never changes the ratio's verdict.
 */
export function ceilingAgainstItself(ceiling: PhaseFigures): number {
  const perEvent = (parity: number) => {
    const picked = (ceiling.slices ?? []).filter((_, index) => index % 2 === parity);
    const ms = picked.reduce((sum, slice) => sum + slice.apiServerMs, 0);
    return ms / picked.reduce((sum, slice) => sum + slice.events, 0);
  };
  return Math.abs(perEvent(1) / perEvent(0) - 1);
}

/** The mean of the idle rates measured before and after the levels. */
export function idleOf(figures: IngestFigures): IdleCpu {
  const { before, after } = figures.idle;
  return {
    apiserverMsPerS: (before.apiserverMsPerS + after.apiserverMsPerS) / 2,
    etcdMsPerS: (before.etcdMsPerS + after.etcdMsPerS) / 2,
  };
}

function worst(
  levels: readonly LevelFigures[],
  figure: (level: LevelFigures) => number,
  direction: 'min' | 'max',
): { value: number; level: LevelFigures } {
  const first = levels[0];
  if (first === undefined) throw new Error('no levels were measured');
  const better = (a: number, b: number) => (direction === 'min' ? a < b : a > b);
  const level = levels.reduce((a, b) => (better(figure(b), figure(a)) ? b : a), first);
  return { value: figure(level), level };
}

function perLevel(levels: readonly LevelFigures[], text: (level: LevelFigures) => string): string {
  return levels.map((level) => `c=${level.concurrency} ${text(level)}`).join(', ');
}

/** Every phase where each event changes its object: the levels and the first states. */
function changing(figures: IngestFigures): { label: string; figures: PhaseFigures }[] {
  return [
    ...figures.levels.map((level) => ({ label: `c=${level.concurrency}`, figures: level.ingest })),
    { label: `the first states of ${figures.firstStates.objects} objects`, figures: figures.firstStates },
  ];
}

function worstWrites(figures: IngestFigures): { label: string; figures: PhaseFigures } {
  return changing(figures).reduce((a, b) => (b.figures.writesPerEvent > a.figures.writesPerEvent ? b : a));
}

function worstObjectWrites(figures: IngestFigures): number {
  return Math.max(...changing(figures).map((phase) => phase.figures.objectWritesPerEvent));
}
