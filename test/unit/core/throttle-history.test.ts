import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../lib/api/throttle-history.js';
import {
  HISTORY_ADVISED,
  HISTORY_MAX_ENTRIES,
  HISTORY_RECENT,
  MAX_ENTRY_BYTES,
  mergeHistory,
  runAt,
} from '../../../lib/core/throttle-history.js';
import { deepFreeze } from '../support/freeze.js';

/**
 * The merge laws, on generated histories drawn from a small domain so that
 * equal times, equal figures and exact duplicates are common, and long enough
 * (up to 100 entries) that the bound drops entries.
 */
const BASE = Date.UTC(2024, 0, 1);
const entryArbitrary: fc.Arbitrary<HistoryEntry> = fc
  .record(
    {
      minute: fc.integer({ min: 0, max: 40 }),
      // Mostly calm, so advised entries are often older than the recent part.
      throttled_percent: fc.oneof(
        { arbitrary: fc.constantFrom(0, 5, 45, 79.9), weight: 5 },
        { arbitrary: fc.constantFrom(80, 85.5, 99, 100), weight: 1 },
      ),
      cpu_cores: fc.constantFrom(0.1, 0.5, 0.8),
      cpu_limit: fc.constantFrom('500m', '750m', 'none'),
      throttle_ns: fc.constantFrom(0, 123_456_789, 90e9),
      period_seconds: fc.constantFrom(10, 300),
    },
    { requiredKeys: ['minute', 'throttled_percent', 'cpu_cores'] },
  )
  .map(({ minute, ...figures }) => ({ at: new Date(BASE + minute * 60_000).toISOString(), ...figures }));
const historyArbitrary = fc.array(entryArbitrary, { maxLength: 100, size: 'max' });
const RUNS = { numRuns: 300 };

/** The specification, written independently of the implementation: sort by a key tuple, count what is newer. */
function expectedKept(entries: readonly HistoryEntry[]): HistoryEntry[] {
  const keyed = entries.map((entry) => ({
    entry,
    key: [
      Date.parse(entry.at),
      entry.throttled_percent,
      entry.cpu_cores,
      entry.cpu_limit ?? '',
      entry.throttle_ns ?? -1,
      entry.period_seconds ?? -1,
      entry.at,
    ] as const,
  }));
  const order = (a: (typeof keyed)[number], b: (typeof keyed)[number]) => {
    for (let i = 0; i < a.key.length; i++) {
      if (a.key[i] !== b.key[i]) return (a.key[i] as number | string) < (b.key[i] as number | string) ? -1 : 1;
    }
    return 0;
  };
  const sorted = [...keyed].sort(order);
  const distinct = sorted.filter((item, i) => i === 0 || order(sorted[i - 1] as (typeof keyed)[number], item) !== 0);
  let newerAdvised = 0;
  const kept: HistoryEntry[] = [];
  for (let i = distinct.length - 1; i >= 0; i--) {
    const { entry } = distinct[i] as (typeof keyed)[number];
    const isAdvised = entry.throttled_percent >= 80;
    const newer = distinct.length - 1 - i;
    if (newer < HISTORY_RECENT || (isAdvised && newerAdvised < HISTORY_ADVISED)) kept.unshift(entry);
    if (isAdvised) newerAdvised++;
  }
  return kept;
}

describe('mergeHistory', () => {
  it('keeps the newest entries and the newest advised ones, as specified', () => {
    fc.assert(
      fc.property(historyArbitrary, (entries) => {
        expect(mergeHistory(deepFreeze(entries))).toEqual(expectedKept(entries));
      }),
      RUNS,
    );
  });

  it('is commutative', () => {
    fc.assert(
      fc.property(historyArbitrary, historyArbitrary, (a, b) => {
        expect(mergeHistory(mergeHistory(a), mergeHistory(b))).toEqual(mergeHistory(mergeHistory(b), mergeHistory(a)));
      }),
      RUNS,
    );
  });

  it('is associative', () => {
    fc.assert(
      fc.property(historyArbitrary, historyArbitrary, historyArbitrary, (a, b, c) => {
        const [ka, kb, kc] = [mergeHistory(a), mergeHistory(b), mergeHistory(c)];
        expect(mergeHistory(mergeHistory(ka, kb), kc)).toEqual(mergeHistory(ka, mergeHistory(kb, kc)));
      }),
      RUNS,
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(historyArbitrary, (a) => {
        const kept = mergeHistory(a);
        expect(mergeHistory(kept, kept)).toEqual(kept);
        expect(mergeHistory(kept, a)).toEqual(kept);
      }),
      RUNS,
    );
  });

  it('gives the same history for any arrival order, redelivery and two instances', () => {
    // Each delivery is one entry merged into what an instance holds; the two instances' objects meet at the end.
    const deliveries = historyArbitrary.chain((entries) =>
      fc.tuple(
        fc.constant(entries),
        fc.shuffledSubarray([...entries.keys(), ...entries.keys()], { minLength: entries.length * 2 }),
        fc.array(fc.boolean(), { minLength: entries.length * 2, maxLength: entries.length * 2 }),
      ),
    );
    fc.assert(
      fc.property(deliveries, ([entries, order, toFirst]) => {
        let first: HistoryEntry[] = [];
        let second: HistoryEntry[] = [];
        order.forEach((index, i) => {
          const entry = [entries[index] as HistoryEntry];
          if (toFirst[i]) first = mergeHistory(first, entry);
          else second = mergeHistory(second, entry);
        });
        expect(mergeHistory(first, second)).toEqual(mergeHistory(entries));
      }),
      { numRuns: 100 },
    );
  });

  it('stays within its bound, oldest first', () => {
    fc.assert(
      fc.property(historyArbitrary, (entries) => {
        const kept = mergeHistory(entries);
        expect(kept.length).toBeLessThanOrEqual(HISTORY_MAX_ENTRIES);
        const times = kept.map((entry) => Date.parse(entry.at));
        expect(times).toEqual([...times].sort((a, b) => a - b));
      }),
      RUNS,
    );
  });

  it('keeps an entry whose time ties with another but whose figures differ', () => {
    const a = { at: '2024-01-01T00:00:00.000Z', throttled_percent: 85, cpu_cores: 0.5 };
    const b = { ...a, throttled_percent: 20 };
    expect(mergeHistory([a], [b, a])).toEqual([b, a]);
  });
});

describe('the size bound', () => {
  it('holds for the widest entry the schemas allow', () => {
    // Every number at its longest JSON spelling, the largest limit a quantity can name.
    const widest: HistoryEntry = {
      at: '2024-12-31T23:59:59.999Z',
      throttled_percent: 12.345678901234567,
      cpu_cores: 1.7976931348623157e308,
      cpu_limit: `${Number.MAX_SAFE_INTEGER}m`,
      throttle_ns: Number.MAX_SAFE_INTEGER,
      period_seconds: 1.7976931348623157e308,
    };
    expect(JSON.stringify(widest).length).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
    expect(HISTORY_MAX_ENTRIES * MAX_ENTRY_BYTES).toBe(8192);
  });
});

describe('runAt', () => {
  const entry = (minute: number, cpu_limit?: string): HistoryEntry => ({
    at: new Date(BASE + minute * 60_000).toISOString(),
    throttled_percent: 85,
    cpu_cores: 0.5,
    ...(cpu_limit === undefined ? {} : { cpu_limit }),
  });

  it('is the entries after the newest one at another limit, skipping unknown limits', () => {
    const history = [entry(0, '500m'), entry(1, '750m'), entry(2, '500m'), entry(3), entry(4, '500m')];
    expect(runAt(history, '500m')).toEqual([entry(2, '500m'), entry(4, '500m')]);
    expect(runAt(history, '750m')).toEqual([]);
  });
});
