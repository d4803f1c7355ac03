import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../lib/api/throttle-history.js';
import { HISTORY_RECENT, mergeHistory } from '../../../lib/core/throttle-history.js';
import { patternOf, patternText, peakOf, trendOf } from '../../../lib/core/throttle-trend.js';
import { deepFreeze } from '../support/freeze.js';

const BASE = Date.UTC(2024, 0, 1, 12);
/** An entry `minutes` after BASE (negative: before). */
const entry = (minutes: number, throttled_percent: number, period_seconds?: number): HistoryEntry => ({
  at: new Date(BASE + minutes * 60_000).toISOString(),
  throttled_percent,
  cpu_cores: 0.5,
  ...(period_seconds === undefined ? {} : { period_seconds }),
});
/** Shares one minute apart, oldest first, the last at BASE. */
const series = (...shares: number[]) => shares.map((share, i) => entry(i - shares.length + 1, share));

describe('trendOf: older half against newer half of the newest six', () => {
  it.each([
    ['no observation', [], undefined],
    ['three observations are too few', [10, 50, 90], undefined],
    // older [10, 10] = 10, newer [40, 40] = 40: +30
    ['four rising', [10, 10, 40, 40], 'rising'],
    // older [40, 40] = 40, newer [50, 50] = 50: exactly +10
    ['exactly ten points is a trend', [40, 40, 50, 50], 'rising'],
    // older 40, newer 49.9: +9.9
    ['just under ten points is steady', [40, 40, 49.9, 49.9], 'steady'],
    // older [90, 90, 90] = 90, newer [80, 80, 70] = 76.67: −13.33
    ['six falling', [90, 90, 90, 80, 80, 70], 'falling'],
    // five: older [50, 10] = 30, newer [55, 52] = 53.5, the middle 99 in neither: +23.5
    ['odd count leaves the middle out', [50, 10, 99, 55, 52], 'rising'],
    // older [85, 86, 84] = 85, newer [85, 90, 80] = 85: 0
    ['noisy but level', [85, 86, 84, 85, 90, 80], 'steady'],
    // only the newest six count, all 90
    ['older observations do not count', [0, 0, 0, 90, 90, 90, 90, 90, 90], 'steady'],
  ] as const)('%s', (_name, shares, expected) => {
    expect(trendOf(deepFreeze(series(...shares)))).toBe(expected);
  });
});

describe('peakOf', () => {
  it('is the highest share of the recent part, the newest of equals', () => {
    expect(peakOf(series(40, 85, 60, 85, 20))).toEqual({ throttled_percent: 85, at: entry(-1, 85).at });
  });

  it('ignores advised entries kept from before the recent part', () => {
    const old = entry(-100, 100);
    const recent = Array.from({ length: HISTORY_RECENT }, (_, i) => entry(i - HISTORY_RECENT + 1, 60));
    const history = mergeHistory([old, ...recent]);
    expect(history[0]).toEqual(old);
    expect(peakOf(history)).toEqual({ throttled_percent: 60, at: entry(0, 60).at });
  });

  it('is undefined without observations', () => {
    expect(peakOf([])).toBeUndefined();
  });
});

describe('patternOf: sustained, spike, or not yet known', () => {
  it.each([
    ['a first observation tells neither', [entry(0, 85)], undefined],
    ['one calm then one high: a spike', [entry(-10, 5), entry(0, 85)], 'spike'],
    // the 85 at −20 min is outside the 15-minute lookback: within it, 5 then 90
    ['an older high outside the lookback still leaves a spike', [entry(-20, 85), entry(-5, 5), entry(0, 90)], 'spike'],
    // three of three above 50 %, from −10 to 0: 10 minutes ≥ 5
    ['three high over ten minutes: sustained', [entry(-10, 60), entry(-5, 70), entry(0, 85)], 'sustained'],
    // three of three, but from −2 to 0: 2 minutes < 5
    ['three high within two minutes: too short', [entry(-2, 60), entry(-1, 70), entry(0, 85)], undefined],
    // the same, but the first window is 300 s long: 2 + 5 = 7 minutes covered
    [
      'three high within two minutes of 5-minute windows: sustained',
      [entry(-2, 60, 300), entry(-1, 70), entry(0, 85)],
      'sustained',
    ],
    // 3 of 5 above 50 % (a majority), from −12 to 0
    [
      'three of five: a majority',
      [entry(-12, 60), entry(-9, 5), entry(-6, 70), entry(-3, 5), entry(0, 85)],
      'sustained',
    ],
    // 3 of 6 is no majority
    [
      'three of six: no majority',
      [entry(-14, 60), entry(-11, 5), entry(-8, 70), entry(-5, 5), entry(-2, 5), entry(0, 85)],
      undefined,
    ],
    ['two of three: neither', [entry(-10, 5), entry(-5, 85), entry(0, 85)], undefined],
    ['newest calm: neither', [entry(-10, 85), entry(-5, 85), entry(0, 5)], undefined],
    // 50 % is not above 50 %: the newest alone is at warning
    ['exactly 50% is below warning', [entry(-10, 50), entry(-5, 50), entry(0, 51)], 'spike'],
  ] as const)('%s', (_name, history, expected) => {
    expect(patternOf(deepFreeze(history))).toBe(expected);
  });

  it('says what it saw', () => {
    expect(patternText([entry(-10, 5), entry(-5, 30), entry(0, 85)], 'spike')).toBe(
      'a single spike: the 2 other observations of the last 15 minutes stayed at or below 50%',
    );
    expect(
      patternText([entry(-12, 60, 300), entry(-9, 5), entry(-6, 70), entry(-3, 5), entry(0, 85)], 'sustained'),
    ).toBe('sustained: 3 of the 5 observations of the last 15 minutes above 50%, covering 17 minutes');
  });
});
