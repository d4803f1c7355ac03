/**
 * Runs work for one key at a time and folds everything that arrives for that
 * key meanwhile into the next run. A burst of events for one object therefore
 * becomes one write of the newest state instead of one write per event, and
 * writes for one object never race inside an instance.
 */
export type BatchRunner<Item, Result> = (key: string, items: readonly Item[]) => Promise<readonly Result[]>;

type Waiting<Item, Result> = { item: Item; resolve: (result: Result) => void; reject: (error: Error) => void };

export class KeyedBatcher<Item, Result> {
  private readonly pending = new Map<string, Waiting<Item, Result>[]>();
  private readonly running = new Set<string>();

  constructor(private readonly run: BatchRunner<Item, Result>) {}

  submit(key: string, item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const queue = this.pending.get(key) ?? [];
      queue.push({ item, resolve, reject });
      this.pending.set(key, queue);
      if (!this.running.has(key)) void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    this.running.add(key);
    try {
      for (let batch = this.take(key); batch.length > 0; batch = this.take(key)) {
        await this.runBatch(key, batch);
      }
    } finally {
      this.running.delete(key);
    }
  }

  private take(key: string): Waiting<Item, Result>[] {
    const batch = this.pending.get(key) ?? [];
    this.pending.delete(key);
    return batch;
  }

  private async runBatch(key: string, batch: readonly Waiting<Item, Result>[]): Promise<void> {
    try {
      const results = await this.run(
        key,
        batch.map((waiting) => waiting.item),
      );
      batch.forEach((waiting, i) => {
        const result = results[i];
        if (result === undefined) waiting.reject(new Error(`batch runner returned no result for item ${i}`));
        else waiting.resolve(result);
      });
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const waiting of batch) waiting.reject(failure);
    }
  }
}
