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
  const ends = MILESTONES.map(([phase, steps]) => ({ phase, at: firstOf(timeline, steps) }));
  const after = (at: number | undefined) => (at === undefined ? undefined : Math.max(0, at - created));
  const longest = longestPhase(created, ends);
  return compact({
    created_at: new Date(created).toISOString(),
    scheduled_after_ms: after(ends[0]?.at),
    sandbox_ready_after_ms: after(ends[1]?.at),
    first_container_started_after_ms: after(ends[2]?.at),
    ready_after_ms: after(ends[3]?.at),
    longest_phase: longest?.phase,
    longest_phase_ms: longest?.ms,
  });
}

/** Each known milestone closes the phase since the previous known one; ties go to the earlier phase. */
function longestPhase(
  created: number,
  ends: readonly { phase: Phase; at: number | undefined }[],
): { phase: Phase; ms: number } | undefined {
  let previous = created;
  let longest: { phase: Phase; ms: number } | undefined;
  for (const { phase, at } of ends) {
    if (at === undefined) continue;
    const ms = Math.max(0, at - previous);
    if (longest === undefined || ms > longest.ms) longest = { phase, ms };
    previous = Math.max(previous, at);
  }
  return longest;
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
