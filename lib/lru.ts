/**
 * A bounded map that forgets the least recently used entry: bounded by count,
 * optionally by the bytes its entries say they hold (`set(key, value, bytes)`),
 * and optionally by a time to live. A count alone does not bound memory when one
 * entry can be a kilobyte or hundreds of them (a birth certificate).
 */
export type LruOptions = {
  readonly maxEntries: number;
  /** Bytes the entries may hold together; an entry larger than this is not kept at all. */
  readonly maxBytes?: number;
  readonly ttlMs?: number;
  readonly now?: () => number;
};

type Entry<V> = { readonly value: V; readonly expires: number; readonly bytes: number };

export class Lru<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private heldBytes = 0;

  constructor(options: LruOptions) {
    this.maxEntries = options.maxEntries;
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    this.ttlMs = options.ttlMs ?? Number.POSITIVE_INFINITY;
    this.now = options.now ?? Date.now;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.expires <= this.now()) {
      this.heldBytes -= entry.bytes;
      return undefined;
    }
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V, bytes = 0): void {
    this.delete(key);
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { value, expires: this.now() + this.ttlMs, bytes });
    this.heldBytes += bytes;
    while (this.entries.size > this.maxEntries || this.heldBytes > this.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.delete(oldest.value);
    }
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.heldBytes -= entry.bytes;
  }

  /** Forgets every expired entry, so memory held for entries nobody reads again is given back. */
  prune(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expires <= now) this.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.heldBytes;
  }
}
