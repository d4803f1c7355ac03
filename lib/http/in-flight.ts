import type { MiddlewareHandler } from 'hono';
import { OverloadedError } from '../errors.js';

/**
 * A bound on the request bodies one instance processes at once, in bytes.
 * Each body limit holds one request, but fifty concurrent birth reports of a
 * few hundred KB (each parsed, merged and sent on, several copies at a time)
 * would together pass the heap `npm start` allows, and the instance would die
 * with every event in it. A request that does not fit is refused before its body
 * is read, retryably (see OverloadedError); a request alone always fits, so an
 * event within the body limit can always succeed eventually.
 */
export class BytesInFlight {
  private held = 0;

  constructor(readonly maxBytes: number) {}

  /** Reserves `bytes` and answers the release, or undefined when they do not fit now. */
  reserve(bytes: number): (() => void) | undefined {
    if (this.held > 0 && this.held + bytes > this.maxBytes) return undefined;
    this.held += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held -= bytes;
    };
  }

  get bytes(): number {
    return this.held;
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
    const release = budget.reserve(bytes);
    if (release === undefined)
      throw new OverloadedError(`${budget.bytes} bytes of request bodies are in flight; retry later`);
    try {
      await next();
    } finally {
      release();
    }
  };
}
