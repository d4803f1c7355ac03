import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../lib/api/throttle-history.js';
import { verifyFix } from '../../../lib/core/fix-verification.js';
import { sizeLimit } from '../../../lib/core/limit-sizing.js';
import { advised, mergeHistory, runAt } from '../../../lib/core/throttle-history.js';
import { patternOf, peakOf, trendOf } from '../../../lib/core/throttle-trend.js';
import * as model from '../../model/throttle-story.js';

/**
 * The pure core against the reference model's restatement of the same rules
 * (test/model/throttle-story.ts), on generated observation sets: where they
 * differ, one of them is wrong. Times are minutes apart or equal, limits
 * change now and then, and shares cluster around every threshold.
 */
const BASE = Date.UTC(2024, 0, 1);
const entry: fc.Arbitrary<HistoryEntry> = fc
  .record(
    {
      minute: fc.integer({ min: 0, max: 60 }),
      throttled_percent: fc.constantFrom(0, 2, 9.99, 10, 45, 50, 50.1, 60, 79.9, 80, 85.5, 94.9, 95, 99, 100),
      cpu_cores: fc.constantFrom(0, 0.1, 0.5, 1.2),
      cpu_limit: fc.constantFrom('5m', '500m', '1300m', 'none'),
      throttle_ns: fc.constantFrom(0, 123_456_789, 3e9, 90e9),
      period_seconds: fc.constantFrom(10, 60, 300),
    },
    { requiredKeys: ['minute', 'throttled_percent', 'cpu_cores'] },
  )
  .map(({ minute, ...figures }) => ({ at: new Date(BASE + minute * 60_000).toISOString(), ...figures }));
const observations = fc.array(entry, { maxLength: 60, size: 'max' });

describe('the code agrees with the model', () => {
  it('on the kept history, trend, peak and Throttled reason', () => {
    fc.assert(
      fc.property(observations, (all) => {
        const history = mergeHistory(all);
        expect(history).toEqual(model.keptHistory(all));
        expect(trendOf(history)).toBe(model.trendOf(history));
        expect(peakOf(history)).toEqual(model.peakOf(history));
        const pattern = patternOf(history);
        const reason = model.throttledReason(history);
        if (pattern === 'sustained') expect(reason).toBe('SustainedThrottling');
        else if (pattern === 'spike') expect(reason).toBe('ThrottlingSpike');
        else expect(['CriticalThrottling', 'WarningThrottling', 'BelowThreshold']).toContain(reason);
      }),
      { numRuns: 500 },
    );
  });

  it('on the sized limit of the newest run', () => {
    fc.assert(
      fc.property(observations, (all) => {
        const history = mergeHistory(all);
        const limit = history.at(-1)?.cpu_limit;
        if (limit === undefined || limit === 'none') return;
        const millicores = Number(limit.slice(0, -1));
        const run = runAt(history, limit);
        expect(sizeLimit(millicores, run.filter(advised), 10).limit).toBe(model.sizedLimit(millicores, run).limit);
      }),
      { numRuns: 500 },
    );
  });

  it('on the fix verification', () => {
    fc.assert(
      fc.property(observations, (all) => {
        const history = mergeHistory(all);
        const change = verifyFix(history, 10);
        const expected = model.fixEffective(history);
        const actual =
          change === undefined
            ? undefined
            : change.verdict === undefined
              ? 'Unknown AwaitingObservations'
              : change.verdict === 'below-target'
                ? 'True BelowTarget'
                : 'False AboveTarget';
        expect(actual).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});
