import { mapBounded } from '../../../lib/map-bounded.js';
import type { HttpFixture } from '../../fixtures/events.js';

/**
 * Delivers events the way a Knative Broker does: retries 404, 408, 409, 429 and
 * 5xx with exponential backoff, gives up on other 4xx (dead letter). Records
 * every answer so a test can check what the function said while a component was down.
 */
export type Post = (fixture: HttpFixture) => Promise<number>;
export type Delivery = { readonly id: string; readonly answers: number[]; readonly delivered: boolean };

const RETRIED = new Set([404, 408, 409, 429]);

export function isRetried(status: number): boolean {
  return RETRIED.has(status) || status >= 500;
}

export async function deliver(
  post: Post,
  id: string,
  fixture: HttpFixture,
  options: { maxAttempts?: number; baseDelayMs?: number } = {},
): Promise<Delivery> {
  const answers: number[] = [];
  const maxAttempts = options.maxAttempts ?? 40;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const status = await post(fixture).catch(() => 599);
    answers.push(status);
    if (status >= 200 && status < 300) return { id, answers, delivered: true };
    if (!isRetried(status)) return { id, answers, delivered: false };
    await new Promise((resolve) => setTimeout(resolve, Math.min(2000, (options.baseDelayMs ?? 50) * 2 ** attempt)));
  }
  return { id, answers, delivered: false };
}

/** Runs deliveries with bounded concurrency, in order of the list, reporting each one done. */
export async function deliverAll<T>(
  items: readonly T[],
  concurrency: number,
  send: (item: T, index: number) => Promise<Delivery>,
  onProgress?: (done: number) => void,
): Promise<Delivery[]> {
  let done = 0;
  return mapBounded(items, concurrency, async (item, index) => {
    const delivery = await send(item, index);
    onProgress?.(++done);
    return delivery;
  });
}
