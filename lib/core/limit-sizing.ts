import type { HistoryEntry } from '../api/throttle-history.js';
import { millicoreText, roundLimitUp } from './cpu-quantity.js';
import { round } from './json.js';

/**
 * A CPU limit sized from the throttling the kernel saw. The model, per
 * observation window at the current limit L0 (all figures in millicores):
 *
 * - hidden demand H = throttle_ns / window: CPU time the quota denied, spread over
 *   the window (an upper bound: the kernel counts how long runnable threads
 *   waited, summed over CPUs, and a thread that ran out of quota waits until the
 *   period ends even when it needed only a little more);
 * - a throttled period needed on average m = H / p more than L0, p the share of
 *   periods throttled;
 * - assumption: that excess is exponentially distributed (small overruns common,
 *   large ones rare) and the unthrottled periods stay under any higher limit, so
 *   a limit L leaves p · e^(−(L − L0) / m) of the periods throttled;
 * - the smallest L keeping that under the target share τ is L0 + m · ln(p / τ),
 *   never below the usage seen, rounded up as people write limits.
 *
 * Over several windows at the same limit the largest L wins (every window seen
 * stays under the target). It breaks near 100 % throttling: a container capped in
 * nearly every period queues work, its throttled time measures the cap rather than
 * the demand, and the figure is only a lower bound, so it is raised to at least
 * the earlier operator's +50 % and the text says to observe again. Without
 * throttled time or window there is no evidence, and +50 % is the fallback.
 */
export const DEFAULT_TARGET_PERCENT = 10;
/** The earlier operator's "+50 %": the fallback without throttled time, and the floor when demand is unknown. */
export const LIMIT_FACTOR = 1.5;
/** Throttled this often, the container was capped nearly all the time: its demand was never seen. */
export const NEAR_FULL_THROTTLE_PERCENT = 95;
/** kubelet never sets a CFS quota below 1 ms per 100 ms period (MinQuotaPeriod), i.e. 10m. */
export const MIN_ENFORCED_LIMIT = 10;

export type LimitSizing = {
  /** The recommended limit in millicores: always at least one step above the enforced one. */
  readonly limit: number;
  readonly method: 'throttled-time' | 'factor';
  readonly demandKnown: boolean;
  /** The model and the figures behind the limit, for the evidence text. */
  readonly text: string;
};

type Window = {
  readonly entry: HistoryEntry;
  readonly hidden: number;
  readonly excess: number;
  readonly needed: number;
};

/**
 * `evidence`: the observations at `limit` (millicores) that advised a raise;
 * `targetPercent`: the throttled share to stay under.
 */
export function sizeLimit(limit: number, evidence: readonly HistoryEntry[], targetPercent: number): LimitSizing {
  const enforced = Math.max(limit, MIN_ENFORCED_LIMIT);
  const windows = evidence.flatMap((entry) => windowOf(entry, enforced, targetPercent));
  if (windows.length === 0) {
    return {
      limit: roundLimitUp(enforced * LIMIT_FACTOR),
      method: 'factor',
      demandKnown: evidence.every((entry) => entry.throttled_percent < NEAR_FULL_THROTTLE_PERCENT),
      text: 'no throttled time and window were reported, so the new limit is the earlier operator’s +50%',
    };
  }
  // The largest need decides; among equal needs the newest window (evidence is oldest first).
  const deciding = windows.reduce((a, b) => (b.needed >= a.needed ? b : a));
  const demandKnown = windows.every((window) => window.entry.throttled_percent < NEAR_FULL_THROTTLE_PERCENT);
  const needed = demandKnown ? deciding.needed : Math.max(deciding.needed, enforced * LIMIT_FACTOR);
  const model = modelText(deciding, enforced, targetPercent, windows.length);
  // A raise is at least one step above the enforced limit; float noise never adds a step.
  const next = roundLimitUp(Math.max(Math.ceil(round(needed, 6)), enforced + 1));
  const parts = [`${model}, rounded up to ${millicoreText(next)}`];
  if (!demandKnown) {
    const capped = Math.max(...windows.map((window) => window.entry.throttled_percent));
    parts.push(
      `throttled in ${capped}% of periods it was capped nearly all the time, so its throttled time measures the cap, not the demand: ${millicoreText(next)} is a lower bound (at least +50%)`,
    );
  }
  return { limit: next, method: 'throttled-time', demandKnown, text: parts.join('; ') };
}

function windowOf(entry: HistoryEntry, enforced: number, targetPercent: number): Window[] {
  const { throttle_ns: throttled, period_seconds: seconds } = entry;
  if (throttled === undefined || seconds === undefined || seconds <= 0) return [];
  const hidden = throttled / (seconds * 1e6);
  const share = entry.throttled_percent;
  const excess = share > 0 ? hidden / (share / 100) : 0;
  const raise = share > targetPercent ? excess * Math.log(share / targetPercent) : 0;
  return [{ entry, hidden, excess, needed: Math.max(enforced + raise, entry.cpu_cores * 1000) }];
}

function modelText(window: Window, enforced: number, targetPercent: number, count: number): string {
  const { entry } = window;
  const m = (value: number) => `${round(value, 2)}m`;
  const usage = entry.cpu_cores * 1000;
  const floor = window.needed === usage && usage > enforced ? `, and never below the ${m(usage)} it used` : '';
  const of = count === 1 ? '' : ` (the largest of ${count} windows at this limit)`;
  return `sized from the throttled time: ${round((entry.throttle_ns ?? 0) / 1e6, 2)} ms throttled over ${entry.period_seconds} s (${entry.at}) is ${m(window.hidden)} of demand the limit hid (an upper bound); over the ${entry.throttled_percent}% throttled periods that is ${m(window.excess)} above the ${m(enforced)} limit on average; taking the excess as exponentially distributed, a limit L leaves ${entry.throttled_percent}% × e^(−(L − ${m(enforced)}) / ${m(window.excess)}) of periods throttled, under ${targetPercent}% from ${m(window.needed)}${floor}${of}`;
}
