import type { BirthPhases, LifecycleStep, Phase, TimelineEntry } from '../api/pod-birth-certificate.js';
import { compact } from './json.js';

/**
 * Phase durations from the lifecycle entries of a timeline: how long after its
 * creation the pod was scheduled, had its sandbox, started its first container
 * and became Ready, and which phase between two of these took longest.
 */
const MILESTONES: readonly (readonly [Phase, readonly LifecycleStep[]])[] = [
  ['scheduling', ['scheduled']],
  ['sandbox', ['sandbox-ready']],
  ['first-container', ['init-container-started', 'container-started']],
  ['readiness', ['ready']],
];

export function birthPhases(timeline: readonly TimelineEntry[]): BirthPhases | undefined {
  const created = firstOf(timeline, ['created']);
  if (created === undefined) return undefined;
  const at = (steps: readonly LifecycleStep[]) => {
    const time = firstOf(timeline, steps);
    return time === undefined ? undefined : Math.max(0, time - created);
  };
  const longest = phaseSpans(timeline).reduce<PhaseSpan | undefined>(
    (best, span) => (best === undefined || span.ms > best.ms ? span : best),
    undefined,
  );
  return compact({
    created_at: new Date(created).toISOString(),
    scheduled_after_ms: at(['scheduled']),
    sandbox_ready_after_ms: at(['sandbox-ready']),
    first_container_started_after_ms: at(['init-container-started', 'container-started']),
    ready_after_ms: at(['ready']),
    longest_phase: longest?.phase,
    longest_phase_ms: longest?.ms,
  });
}

/** A phase that ended: from the previous known milestone (creation first) to its own, in ms after creation. */
export type PhaseSpan = { readonly phase: Phase; readonly fromMs: number; readonly toMs: number; readonly ms: number };

/** Each known milestone closes the phase since the previous known one, so a phase whose end is unknown folds into the next. */
export function phaseSpans(timeline: readonly TimelineEntry[]): PhaseSpan[] {
  const created = firstOf(timeline, ['created']);
  if (created === undefined) return [];
  const spans: PhaseSpan[] = [];
  let previous = 0;
  for (const [phase, steps] of MILESTONES) {
    const at = firstOf(timeline, steps);
    if (at === undefined) continue;
    const toMs = Math.max(previous, at - created);
    spans.push({ phase, fromMs: previous, toMs, ms: toMs - previous });
    previous = toMs;
  }
  return spans;
}

function firstOf(timeline: readonly TimelineEntry[], steps: readonly LifecycleStep[]): number | undefined {
  const times = timeline
    .filter((entry) => entry.step !== undefined && steps.includes(entry.step))
    .map((e) => e.timestamp_ms);
  return times.length === 0 ? undefined : Math.min(...times);
}

/** "3 s" for the whole seconds pod times come in, "250 ms" otherwise. */
export function formatDuration(ms: number): string {
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The sentence the insight adds once the lifecycle is known. */
export function phasesInsight(phases: BirthPhases | undefined): string | undefined {
  if (phases === undefined || phases.longest_phase === undefined || phases.longest_phase_ms === undefined)
    return undefined;
  const longest = `${phases.longest_phase} (${formatDuration(phases.longest_phase_ms)})`;
  if (phases.ready_after_ms === undefined) return `Not Ready yet; the longest phase so far is ${longest}.`;
  return `Ready ${formatDuration(phases.ready_after_ms)} after creation; the longest phase was ${longest}.`;
}
