/**
 * Issue 16's rules, restated for the reference model from docs/design.md
 * ("Throttling as a story") and not imported from lib/core: the history a
 * KernelWhisper keeps, its trend, peak and Throttled reason, the limit sized
 * from the throttled time, and the fix verification. Each number is written
 * here again, so a changed constant in the code is a disagreement the
 * generated sequences find.
 */
export type StoryEntry = {
  readonly at: string;
  readonly throttled_percent: number;
  readonly cpu_cores: number;
  readonly cpu_limit?: string;
  readonly throttle_ns?: number;
  readonly period_seconds?: number;
};

const RECENT = 24;
const ADVISED = 8;
const TARGET = 10;

/** docs/design.md: the newest 24, plus the newest 8 at 80 % or more; oldest first, equal times by figures. */
export function keptHistory(all: readonly StoryEntry[]): StoryEntry[] {
  const order = (a: StoryEntry, b: StoryEntry) => compareTuples(tuple(a), tuple(b));
  const sorted = [...all].sort(order);
  const distinct = sorted.filter((entry, i) => i === 0 || order(sorted[i - 1] as StoryEntry, entry) !== 0);
  return distinct.filter((entry, i) => {
    const newer = distinct.slice(i + 1);
    const newerAdvised = newer.filter((other) => other.throttled_percent >= 80).length;
    return newer.length < RECENT || (entry.throttled_percent >= 80 && newerAdvised < ADVISED);
  });
}

function tuple(entry: StoryEntry): (number | string)[] {
  return [
    Date.parse(entry.at),
    entry.throttled_percent,
    entry.cpu_cores,
    entry.cpu_limit ?? '',
    entry.throttle_ns ?? -1,
    entry.period_seconds ?? -1,
    entry.at,
  ];
}

function compareTuples(a: readonly (number | string)[], b: readonly (number | string)[]): number {
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i] as number | string, b[i] as number | string];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Newer half against older half of the newest six (middle left out); ±10 points; four at least. */
export function trendOf(history: readonly StoryEntry[]): string | undefined {
  const last = history.slice(-6).map((entry) => entry.throttled_percent);
  if (last.length < 4) return undefined;
  const half = Math.floor(last.length / 2);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const change = mean(last.slice(last.length - half)) - mean(last.slice(0, half));
  return change >= 10 ? 'rising' : change <= -10 ? 'falling' : 'steady';
}

/** The highest share among the newest 24, the newest of equals. */
export function peakOf(history: readonly StoryEntry[]): { throttled_percent: number; at: string } | undefined {
  const recent = history.slice(-RECENT);
  const top = Math.max(...recent.map((entry) => entry.throttled_percent));
  const peak = recent.filter((entry) => entry.throttled_percent === top).at(-1);
  return peak === undefined ? undefined : { throttled_percent: peak.throttled_percent, at: peak.at };
}

/**
 * The Throttled reason while the newest is above 50 %: sustained when at least 3
 * and more than half of the observations within 15 minutes before the newest
 * are above 50 % and those cover 5 minutes (from the start of the first one's
 * window); a spike when the newest is the only one and another was seen.
 */
export function throttledReason(history: readonly StoryEntry[]): string {
  const newest = history.at(-1);
  if (newest === undefined || newest.throttled_percent <= 50) return 'BelowThreshold';
  const since = Date.parse(newest.at) - 15 * 60_000;
  const window = history.slice(-RECENT).filter((entry) => Date.parse(entry.at) > since);
  const high = window.filter((entry) => entry.throttled_percent > 50);
  const first = high[0] as StoryEntry;
  const covered = Date.parse(newest.at) - Date.parse(first.at) + (first.period_seconds ?? 0) * 1000;
  if (high.length >= 3 && high.length * 2 > window.length && covered >= 5 * 60_000) return 'SustainedThrottling';
  if (high.length === 1 && window.length > 1) return 'ThrottlingSpike';
  return newest.throttled_percent > 80 ? 'CriticalThrottling' : 'WarningThrottling';
}

/**
 * docs/design.md "A limit sized from the throttled time": over the observations at
 * 80 % or more at the current limit L0 (≥ 10m) that carry throttled time and
 * window, the largest max(L0 + (H / p) · ln(p / τ), usage), H = ns / (s · 10⁶);
 * at 95 % or more at least L0 × 1.5; at least one step up; rounded up. Without
 * such observations, L0 × 1.5 rounded up.
 */
export function sizedLimit(limit: number, run: readonly StoryEntry[]): { limit: number; sized: boolean } {
  const enforced = Math.max(limit, 10);
  const windows = run.filter(
    (entry) =>
      entry.throttled_percent >= 80 &&
      entry.throttle_ns !== undefined &&
      entry.period_seconds !== undefined &&
      entry.period_seconds > 0,
  );
  if (windows.length === 0) return { limit: roundUp(enforced * 1.5), sized: false };
  let needed = 0;
  for (const entry of windows) {
    const p = entry.throttled_percent;
    const hidden = (entry.throttle_ns ?? 0) / ((entry.period_seconds ?? 1) * 1e6);
    const raise = p > TARGET ? (hidden / (p / 100)) * Math.log(p / TARGET) : 0;
    needed = Math.max(needed, enforced + raise, entry.cpu_cores * 1000);
  }
  if (windows.some((entry) => entry.throttled_percent >= 95)) needed = Math.max(needed, enforced * 1.5);
  return { limit: roundUp(Math.max(Math.ceil(Math.round(needed * 1e6) / 1e6), enforced + 1)), sized: true };
}

function roundUp(millicores: number): number {
  const step = millicores < 100 ? 10 : millicores < 1000 ? 50 : 100;
  return Math.ceil(millicores / step) * step;
}

/** The entries at `limit` after the newest one at another recorded limit (unrecorded limits skipped). */
export function runAt(history: readonly StoryEntry[], limit: string): StoryEntry[] {
  const known = history.filter((entry) => entry.cpu_limit !== undefined);
  let start = known.length;
  while (start > 0 && known[start - 1]?.cpu_limit === limit) start--;
  return known.slice(start);
}

/** From and to of the newest limit change after a raise was advised at `from`, as fixEffective finds it. */
export function limitChangeOf(history: readonly StoryEntry[]): { from: string; to: string } | undefined {
  if (fixEffective(history) === undefined) return undefined;
  const known = history.filter((entry) => entry.cpu_limit !== undefined);
  const to = known.at(-1)?.cpu_limit as string;
  const from = known.at(-runAt(known, to).length - 1)?.cpu_limit as string;
  return { from, to };
}

/**
 * The FixEffective condition as "status reason", or undefined: the newest
 * limit differs from the one before it, a raise was advised (80 % or more) at
 * that one, and the verdict comes after 3 observations covering 5 minutes.
 */
export function fixEffective(history: readonly StoryEntry[]): string | undefined {
  const known = history.filter((entry) => entry.cpu_limit !== undefined);
  const to = known.at(-1)?.cpu_limit;
  if (to === undefined) return undefined;
  const after = runAt(known, to);
  const from = known.at(-after.length - 1)?.cpu_limit;
  if (from === undefined || from === 'none') return undefined;
  const before = runAt(known.slice(0, known.length - after.length), from);
  if (!before.some((entry) => entry.throttled_percent >= 80)) return undefined;
  const first = after[0] as StoryEntry;
  const covered =
    Date.parse((after.at(-1) as StoryEntry).at) - Date.parse(first.at) + (first.period_seconds ?? 0) * 1000;
  if (after.length < 3 || covered < 5 * 60_000) return 'Unknown AwaitingObservations';
  const shares = after.map((entry) => entry.throttled_percent).sort((a, b) => a - b);
  const middle = Math.floor(shares.length / 2);
  const median =
    shares.length % 2 === 1
      ? (shares[middle] as number)
      : ((shares[middle - 1] as number) + (shares[middle] as number)) / 2;
  return median < TARGET ? 'True BelowTarget' : 'False AboveTarget';
}
