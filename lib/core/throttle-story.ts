import type { Condition } from '../api/conditions.js';
import { type KernelWhisperSpec, type KernelWhisperStatus, WHISPER_CONDITION } from '../api/kernel-whisper.js';
import type { HistoryEntry } from '../api/throttle-history.js';
import { type LimitChange, verifyFix } from './fix-verification.js';
import { compact } from './json.js';
import { historyEntryOf } from './throttle-history.js';
import { patternOf, patternText, peakOf, type ThrottlePattern, trendOf } from './throttle-trend.js';

/**
 * The status fields a KernelWhisper's history implies (docs/design.md
 * "Throttling as a story"): trend, peak, the limit change with its verdict,
 * and what the Throttled and FixEffective conditions say about them. Like the
 * rest of the status, a function of the spec alone, so ingest and sweep agree.
 */
export type Story = {
  readonly fields: Pick<KernelWhisperStatus, 'trend' | 'peak' | 'limit_change'>;
  readonly pattern?: { readonly reason: string; readonly text: string };
  readonly fixCondition?: Omit<Condition, 'observedGeneration'>;
};

/** A spec written before the history existed counts its own observation as its history. */
export function historyOf(spec: KernelWhisperSpec): readonly HistoryEntry[] {
  return spec.history ?? [historyEntryOf(spec)];
}

const PATTERN_REASON: Record<ThrottlePattern, string> = {
  sustained: 'SustainedThrottling',
  spike: 'ThrottlingSpike',
};

export function storyOf(spec: KernelWhisperSpec, targetPercent: number): Story {
  const history = historyOf(spec);
  const change = verifyFix(history, targetPercent);
  const pattern = patternOf(history);
  return {
    fields: compact({ trend: trendOf(history), peak: peakOf(history), limit_change: change }),
    ...(pattern === undefined
      ? {}
      : { pattern: { reason: PATTERN_REASON[pattern], text: patternText(history, pattern) } }),
    ...(change === undefined ? {} : { fixCondition: fixCondition(change, spec.detected_at) }),
  };
}

function fixCondition(change: LimitChange, newestAt: string): Omit<Condition, 'observedGeneration'> {
  const base = { type: WHISPER_CONDITION.fixEffective, message: changeText(change) };
  if (change.verdict === undefined)
    return { ...base, status: 'Unknown', reason: 'AwaitingObservations', lastTransitionTime: change.detected_at };
  const below = change.verdict === 'below-target';
  return {
    ...base,
    status: below ? 'True' : 'False',
    reason: below ? 'BelowTarget' : 'AboveTarget',
    lastTransitionTime: newestAt,
  };
}

function changeText(change: LimitChange): string {
  const { before, after } = change;
  const figures = (f: typeof before) =>
    `${f.observations} observation${f.observations === 1 ? '' : 's'}, median ${f.median_throttled_percent}% throttled, peak ${f.peak_throttled_percent}%`;
  const verdict =
    change.verdict === undefined
      ? 'Waiting for 3 observations at the new limit covering 5 minutes'
      : `Throttling at the new limit is ${change.verdict === 'below-target' ? 'below' : 'still above'} the ${change.target_percent}% target`;
  return `The CPU limit changed from ${change.from} to ${change.to} (first seen ${change.detected_at}; ${change.advised_limit} was advised). Before: ${figures(before)}. After: ${figures(after)}. ${verdict}.`;
}
