import type { HistoryEntry } from '../api/throttle-history.js';
import { round } from './json.js';
import { coveredMs, recentPart } from './throttle-history.js';
import { severityFor } from './throttle-policy.js';

/**
 * What the history says beyond the newest observation: where throttling is
 * heading, how bad it got, and whether it is real or a blip. Every rule reads
 * only the newest entries of a kept history, which are the same for every
 * arrival order (lib/core/throttle-history.ts), and each threshold is a constant here.
 */
export type Trend = 'rising' | 'steady' | 'falling';
/** sustained: most recent observations at warning or above over a minimum span; spike: only the newest one is. */
export type ThrottlePattern = 'sustained' | 'spike';

/** The trend compares the older and the newer half of at most this many newest observations. */
export const TREND_OBSERVATIONS = 6;
/** Fewer observations than this give no trend. */
export const MIN_TREND_OBSERVATIONS = 4;
/** Mean throttled share moving by at least this many percentage points is a trend, less is steady. */
export const TREND_POINTS = 10;
/** Sustained and spike read the recent observations made within this long before the newest one. */
export const PATTERN_LOOKBACK_MS = 15 * 60_000;
/** Sustained: at least this many of them at warning or above, and more than half of them… */
export const SUSTAINED_MIN_OBSERVATIONS = 3;
/** …covering at least this long, from the start of the oldest one's window to the newest (one usual observer window). */
export const SUSTAINED_MIN_SPAN_MS = 5 * 60_000;

export type Peak = { readonly throttled_percent: number; readonly at: string };

export function trendOf(history: readonly HistoryEntry[]): Trend | undefined {
  const window = history.slice(-TREND_OBSERVATIONS);
  if (window.length < MIN_TREND_OBSERVATIONS) return undefined;
  const half = Math.floor(window.length / 2);
  // With an odd count the middle observation belongs to neither half.
  const change = mean(window.slice(-half)) - mean(window.slice(0, half));
  if (change >= TREND_POINTS) return 'rising';
  if (change <= -TREND_POINTS) return 'falling';
  return 'steady';
}

/** The highest throttled share among the recent observations; the newest of equal ones. */
export function peakOf(history: readonly HistoryEntry[]): Peak | undefined {
  let peak: HistoryEntry | undefined;
  for (const entry of recentPart(history)) {
    if (peak === undefined || entry.throttled_percent >= peak.throttled_percent) peak = entry;
  }
  return peak === undefined ? undefined : { throttled_percent: peak.throttled_percent, at: peak.at };
}

/**
 * Sustained when the newest observation is at warning or above, and so are at
 * least SUSTAINED_MIN_OBSERVATIONS and more than half of the observations made
 * within PATTERN_LOOKBACK_MS before it, covering SUSTAINED_MIN_SPAN_MS. A spike
 * when the newest is the only one of them at warning or above and at least one
 * other was seen. Otherwise the history cannot tell yet.
 */
export function patternOf(history: readonly HistoryEntry[]): ThrottlePattern | undefined {
  const window = lookback(history);
  const newest = window.at(-1);
  if (newest === undefined || !atWarning(newest)) return undefined;
  const throttled = window.filter(atWarning);
  const sustained =
    throttled.length >= SUSTAINED_MIN_OBSERVATIONS &&
    2 * throttled.length > window.length &&
    coveredMs(throttled) >= SUSTAINED_MIN_SPAN_MS;
  if (sustained) return 'sustained';
  if (throttled.length === 1 && window.length > 1) return 'spike';
  return undefined;
}

/** The pattern in words, for the Throttled condition's message. */
export function patternText(history: readonly HistoryEntry[], pattern: ThrottlePattern): string {
  const window = lookback(history);
  const others = window.length - 1;
  if (pattern === 'spike') {
    return `a single spike: the ${others} other observation${others === 1 ? '' : 's'} of the last ${minutes(PATTERN_LOOKBACK_MS)} minutes stayed at or below 50%`;
  }
  const throttled = window.filter(atWarning);
  return `sustained: ${throttled.length} of the ${window.length} observations of the last ${minutes(PATTERN_LOOKBACK_MS)} minutes above 50%, covering ${minutes(coveredMs(throttled))} minutes`;
}

function lookback(history: readonly HistoryEntry[]): readonly HistoryEntry[] {
  const recent = recentPart(history);
  const newest = recent.at(-1);
  if (newest === undefined) return [];
  const since = Date.parse(newest.at) - PATTERN_LOOKBACK_MS;
  return recent.filter((entry) => Date.parse(entry.at) > since);
}

function minutes(ms: number): number {
  return round(ms / 60_000, 1);
}

function atWarning(entry: HistoryEntry): boolean {
  return severityFor(entry.throttled_percent) !== 'info';
}

function mean(entries: readonly HistoryEntry[]): number {
  return entries.reduce((sum, entry) => sum + entry.throttled_percent, 0) / entries.length;
}
