import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../lib/api/throttle-history.js';
import { verifyFix } from '../../../lib/core/fix-verification.js';
import { HISTORY_RECENT, mergeHistory } from '../../../lib/core/throttle-history.js';
import { deepFreeze } from '../support/freeze.js';

const BASE = Date.UTC(2024, 0, 1, 12);
const at = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();
/** An observation `minutes` after BASE at a limit; throttled ones carry 90 s throttled over 300 s. */
const seen = (minutes: number, throttled_percent: number, cpu_limit?: string): HistoryEntry => ({
  at: at(minutes),
  throttled_percent,
  cpu_cores: 0.5,
  ...(cpu_limit === undefined ? {} : { cpu_limit }),
  ...(throttled_percent >= 80 ? { throttle_ns: 90e9, period_seconds: 300 } : {}),
});
// Before the fix: 85 %, 90 % and 80 % at 500m, each 90 s throttled over 300 s (H = 300): median 85, peak 90.
// Advised (limit-sizing.test.ts model): 85 %: m = 352.94, ln 8.5 = 2.1401 → 500 + 755.32 = 1255.32;
// 90 %: m = 333.33, ln 9 = 2.1972 → 500 + 732.41 = 1232.41; 80 %: m = 375, ln 8 = 2.0794 → 500 + 779.79 = 1279.79.
// The largest need, 1279.79, rounds up to 1300m.
const BEFORE = [seen(0, 85, '500m'), seen(5, 90, '500m'), seen(10, 80, '500m')];

describe('verifyFix', () => {
  it('records nothing while the limit has not changed', () => {
    expect(verifyFix(deepFreeze(BEFORE), 10)).toBeUndefined();
  });

  it('records nothing for a change no advice asked for', () => {
    const history = [seen(0, 20, '500m'), seen(5, 30, '500m'), seen(10, 5, '750m')];
    expect(verifyFix(deepFreeze(history), 10)).toBeUndefined();
  });

  it('records the change at the first observation at the new limit, with no verdict yet', () => {
    const history = [...BEFORE, seen(20, 4, '1300m')];
    expect(verifyFix(deepFreeze(history), 10)).toEqual({
      from: '500m',
      to: '1300m',
      detected_at: at(20),
      advised_limit: '1300m',
      before: { observations: 3, median_throttled_percent: 85, peak_throttled_percent: 90 },
      after: { observations: 1, median_throttled_percent: 4, peak_throttled_percent: 4 },
      target_percent: 10,
    });
  });

  it('says the throttling fell below the target once three observations cover five minutes', () => {
    // after: 4, 2, 3 from minute 20 to 30 → median 3 < 10, peak 4
    const history = [...BEFORE, seen(20, 4, '1300m'), seen(25, 2, '1300m'), seen(30, 3, '1300m')];
    expect(verifyFix(deepFreeze(history), 10)).toMatchObject({
      verdict: 'below-target',
      after: { observations: 3, median_throttled_percent: 3, peak_throttled_percent: 4 },
    });
  });

  it('says it did not when the median stays at or above the target', () => {
    // after: 4, 12, 10 → median 10, not below 10
    const history = [...BEFORE, seen(20, 4, '600m'), seen(25, 12, '600m'), seen(30, 10, '600m')];
    expect(verifyFix(deepFreeze(history), 10)).toMatchObject({
      from: '500m',
      to: '600m',
      verdict: 'above-target',
      after: { median_throttled_percent: 10, peak_throttled_percent: 12 },
    });
  });

  it('waits while the observations after the change cover less than five minutes', () => {
    const quick = [...BEFORE, seen(20, 1, '1300m'), seen(21, 1, '1300m'), seen(22, 1, '1300m')];
    expect(verifyFix(deepFreeze(quick), 10)?.verdict).toBeUndefined();
    // The same with a 300 s first window: 2 + 5 = 7 minutes covered.
    const windowed = [...BEFORE, { ...seen(20, 1, '1300m'), period_seconds: 300 }, ...quick.slice(-2)];
    expect(verifyFix(deepFreeze(windowed), 10)?.verdict).toBe('below-target');
  });

  it('keeps the record after many calm observations have filled the history', () => {
    const calm = Array.from({ length: 3 * HISTORY_RECENT }, (_, i) => seen(20 + i * 5, 2, '1300m'));
    const history = mergeHistory(BEFORE, calm);
    expect(verifyFix(history, 10)).toMatchObject({
      from: '500m',
      to: '1300m',
      // the first calm observation the history still keeps
      detected_at: calm.at(-HISTORY_RECENT)?.at,
      before: { observations: 3, median_throttled_percent: 85, peak_throttled_percent: 90 },
      after: { observations: HISTORY_RECENT, median_throttled_percent: 2 },
      verdict: 'below-target',
    });
  });

  it('skips observations whose limit was not recorded', () => {
    const history = [...BEFORE, seen(15, 50), seen(20, 4, '1300m')];
    expect(verifyFix(deepFreeze(history), 10)).toMatchObject({ from: '500m', to: '1300m', detected_at: at(20) });
  });

  it('verifies only the newest change', () => {
    const history = [...BEFORE, seen(20, 85, '750m'), seen(25, 3, '1300m')];
    expect(verifyFix(deepFreeze(history), 10)).toMatchObject({
      from: '750m',
      to: '1300m',
      before: { observations: 1, median_throttled_percent: 85 },
    });
  });
});
