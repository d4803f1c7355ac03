import { describe, expect, it } from 'vitest';
import { Lru } from '../../lib/lru.js';

describe('Lru', () => {
  it('forgets the least recently used entry past its count', () => {
    const lru = new Lru<string, number>({ maxEntries: 2 });
    lru.set('a', 1);
    lru.set('b', 2);
    lru.get('a');
    lru.set('c', 3);
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual([1, undefined, 3]);
  });

  it('forgets the least recently used entries until their bytes fit the budget', () => {
    const lru = new Lru<string, string>({ maxEntries: 100, maxBytes: 1000 });
    lru.set('a', 'x', 400);
    lru.set('b', 'y', 400);
    lru.get('a');
    lru.set('c', 'z', 300);
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual(['x', undefined, 'z']);
    expect(lru.bytes).toBe(700);
  });

  it('does not keep an entry larger than the whole budget, nor a stale copy of it', () => {
    const lru = new Lru<string, string>({ maxEntries: 100, maxBytes: 1000 });
    lru.set('a', 'small', 10);
    lru.set('a', 'huge', 5000);
    expect([lru.get('a'), lru.size, lru.bytes]).toEqual([undefined, 0, 0]);
  });

  it('gives back the bytes of entries that expired, on read or when pruned', () => {
    const clock = { now: 0 };
    const lru = new Lru<string, string>({ maxEntries: 100, maxBytes: 1000, ttlMs: 10, now: () => clock.now });
    lru.set('a', 'x', 100);
    lru.set('b', 'y', 100);
    clock.now = 10;
    expect(lru.get('a')).toBeUndefined();
    expect(lru.bytes).toBe(100);
    lru.prune();
    expect([lru.size, lru.bytes]).toEqual([0, 0]);
  });
});
