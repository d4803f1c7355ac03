import type { MiddlewareHandler } from 'hono';
import { OverloadedError } from '../errors.js';

/**
 * A bound on the request bodies one instance processes at once, in bytes.
 * Each body limit holds one request, but fifty concurrent birth reports of a
 * few hundred KB (each parsed, merged and sent on, several copies at a time)
 * would together pass the heap `npm start` allows, and the instance would die
 * with every event in it.
 *
 * A request that does not fit waits, in arrival order, with its body unread
 * (Node stops reading a socket whose request is not consumed, so a waiting
 * body costs a socket buffer, not heap). One that has waited `maxWaitMs` is
 * refused, retryably (OverloadedError, 503). Waiting in line rather than
 * refusing at once: answered 503 at once, a stream of large reports bounced
 * off a busy instance in step with the Broker's backoff, and 12 of 600 were
 * still refused after their 10th retry (bench, big-births at 32 at a time). A
 * request alone always fits, so an event within the body limit always can.
 */
type Waiter = { readonly bytes: number; admit(): void };

export class BytesInFlight {
  private held = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    readonly maxBytes: number,
    private readonly maxWaitMs: number,
  ) {}

  /** Resolves to the release once `bytes` fit, or rejects with OverloadedError after the wait bound. */
  admit(bytes: number): Promise<() => void> {
    if (this.waiting.length === 0 && this.fits(bytes)) return Promise.resolve(this.take(bytes));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        bytes,
        admit: () => {
          clearTimeout(timer);
          resolve(this.take(bytes));
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(new OverloadedError(`${this.held} bytes of request bodies are in flight; retry later`));
      }, this.maxWaitMs);
      this.waiting.push(waiter);
    });
  }

  get bytes(): number {
    return this.held;
  }

  /** Requests waiting for room. */
  get queued(): number {
    return this.waiting.length;
  }

  private fits(bytes: number): boolean {
    return this.held === 0 || this.held + bytes <= this.maxBytes;
  }

  private take(bytes: number): () => void {
    this.held += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held -= bytes;
      this.admitWaiting();
    };
  }

  /** First come, first served: a large request at the head is not overtaken by smaller ones. */
  private admitWaiting(): void {
    for (let head = this.waiting[0]; head !== undefined && this.fits(head.bytes); head = this.waiting[0]) {
      this.waiting.shift();
      head.admit();
    }
  }
}

/**
 * Reserves a request's body for as long as the request is processed (its parsed
 * copies live that long). The declared Content-Length is what the body can
 * be (Node's parser frames the body by it); a chunked body may be as large as
 * the body limit; a request with neither has no body (RFC 9112, section 6.3).
 */
export function boundBodiesInFlight(budget: BytesInFlight, bodyLimitBytes: number): MiddlewareHandler {
  return async (c, next) => {
    const declared = c.req.header('content-length');
    const chunked = c.req.header('transfer-encoding') !== undefined;
    const bytes =
      declared !== undefined ? Math.min(Number(declared) || 0, bodyLimitBytes) : chunked ? bodyLimitBytes : 0;
    const release = await budget.admit(bytes);
    try {
      await next();
    } finally {
      release();
    }
  };
}
