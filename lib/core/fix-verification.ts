import type { HistoryEntry } from '../api/throttle-history.js';
import { cpuMillicores, millicoreText } from './cpu-quantity.js';
import { round } from './json.js';
import { sizeLimit } from './limit-sizing.js';
import { median } from './order.js';
import { advised, coveredMs, runAt } from './throttle-history.js';

/**
 * Did the change work? Read from the history alone: when the newest
 * observations were made at another limit than the ones before them, and a new
 * limit had been advised at the old one, the change is recorded (from, to, the
 * first observation at the new limit) with the throttling before and after. Once
 * VERIFY_MIN_OBSERVATIONS observations at the new limit cover VERIFY_MIN_SPAN_MS,
 * the verdict says whether their median throttled share fell below the target.
 *
 * The advised observations before the change stay in the history however many
 * calm ones follow (lib/core/throttle-history.ts), so the record outlives the
 * recent window; "after" is the observations at the new limit as kept, so the
 * verdict follows the newest of them if throttling comes back.
 */
export const VERIFY_MIN_OBSERVATIONS = 3;
/** From the start of the first window at the new limit to the newest observation: one usual observer window. */
export const VERIFY_MIN_SPAN_MS = 5 * 60_000;

export type ThrottleFigures = {
  readonly observations: number;
  readonly median_throttled_percent: number;
  readonly peak_throttled_percent: number;
};

export type Verdict = 'below-target' | 'above-target';

export type LimitChange = {
  readonly from: string;
  readonly to: string;
  /** The first observation kept at the new limit. */
  readonly detected_at: string;
  /** What was advised at the old limit, sized from the same evidence. */
  readonly advised_limit: string;
  readonly before: ThrottleFigures;
  readonly after: ThrottleFigures;
  readonly target_percent: number;
  /** Absent until enough observations at the new limit. */
  readonly verdict?: Verdict;
};

export function verifyFix(history: readonly HistoryEntry[], targetPercent: number): LimitChange | undefined {
  const known = history.filter((entry) => entry.cpu_limit !== undefined);
  const to = known.at(-1)?.cpu_limit;
  if (to === undefined) return undefined;
  const after = runAt(known, to);
  const from = known.at(-after.length - 1)?.cpu_limit;
  if (from === undefined) return undefined;
  const before = runAt(known.slice(0, -after.length), from);
  const evidence = before.filter(advised);
  const fromMillicores = cpuMillicores(from);
  if (evidence.length === 0 || fromMillicores === undefined) return undefined;
  const first = after[0] as HistoryEntry;
  const settled = after.length >= VERIFY_MIN_OBSERVATIONS && coveredMs(after) >= VERIFY_MIN_SPAN_MS;
  const verdict =
    median(after.map((entry) => entry.throttled_percent)) < targetPercent ? 'below-target' : 'above-target';
  return {
    from,
    to,
    detected_at: first.at,
    advised_limit: millicoreText(sizeLimit(fromMillicores, evidence, targetPercent).limit),
    before: figuresOf(before),
    after: figuresOf(after),
    target_percent: targetPercent,
    ...(settled ? { verdict } : {}),
  };
}

function figuresOf(entries: readonly HistoryEntry[]): ThrottleFigures {
  const shares = entries.map((entry) => entry.throttled_percent);
  return {
    observations: shares.length,
    median_throttled_percent: round(median(shares), 2),
    peak_throttled_percent: Math.max(...shares),
  };
}
