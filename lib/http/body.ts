import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { InvalidInputError, PayloadTooLargeError, RequestTimeoutError } from '../errors.js';

export type BodyLimits = { readonly maxBytes: number; readonly deadlineMs: number };

/**
 * The request body of a route as UTF-8 text, within the limits. Served by
 * @hono/node-server, the Node request is read directly: `c.req.raw.body` would
 * first build a web Request and stream around it, about a tenth of the
 * function's CPU per event (issue 7). `app.request()` in tests has no Node
 * request and reads the web stream; both go through the same limits.
 */
export function readRouteBody(c: Context, limits: BodyLimits): Promise<string> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming === undefined) return readBodyText(c.req.raw, limits);
  return readChunks(incomingSource(incoming), incoming.headers['content-length'], limits);
}

/**
 * Reads a request body as UTF-8 text, refusing it as soon as it passes the size
 * limit (before buffering the rest) or the read deadline, so neither an oversized
 * nor a trickling body ties the function up.
 */
function readBodyText(request: Request, limits: BodyLimits): Promise<string> {
  const reader = request.body?.getReader();
  const source: ChunkSource =
    reader === undefined
      ? { next: async () => ({ done: true, value: undefined }), cancel: async () => {} }
      : { next: () => reader.read() as Promise<IteratorResult<Uint8Array>>, cancel: () => reader.cancel() };
  return readChunks(source, request.headers.get('content-length') ?? undefined, limits);
}

type ChunkSource = { next(): Promise<IteratorResult<Uint8Array>>; cancel(): Promise<void> };

/**
 * Chunks of a Node request as they arrive. Not its async iterator: that one
 * cannot be given up while a read is pending (a trickling client would hold
 * the answer back), and giving it up destroys the socket before the client
 * reads our 413 or 408. Cancelling here stops collecting and lets the rest drain.
 */
function incomingSource(incoming: IncomingMessage): ChunkSource {
  const queue: Uint8Array[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const woken = () => {
    wake?.();
    wake = undefined;
  };
  const onData = (chunk: Uint8Array) => {
    queue.push(chunk);
    woken();
  };
  const onEnd = () => {
    ended = true;
    woken();
  };
  const onError = (error: Error) => {
    failure = error;
    woken();
  };
  incoming.on('data', onData).once('end', onEnd).once('error', onError);
  return {
    async next() {
      while (queue.length === 0 && !ended && failure === undefined)
        await new Promise<void>((resolve) => (wake = resolve));
      const chunk = queue.shift();
      if (chunk !== undefined) return { done: false, value: chunk };
      if (failure !== undefined) throw failure;
      return { done: true, value: undefined };
    },
    async cancel() {
      // onError stays: a reset while the rest drains must not become an uncaught 'error'.
      incoming.off('data', onData).off('end', onEnd);
      queue.length = 0;
      incoming.resume();
    },
  };
}

async function readChunks(
  source: ChunkSource,
  declaredLength: string | undefined,
  limits: BodyLimits,
): Promise<string> {
  if (Number(declaredLength ?? '0') > limits.maxBytes) {
    await source.cancel();
    throw tooLarge(limits.maxBytes);
  }
  const deadline = Date.now() + limits.deadlineMs;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await nextBefore(source, deadline);
    if (done === true) break;
    size += value.byteLength;
    if (size > limits.maxBytes) {
      await source.cancel();
      throw tooLarge(limits.maxBytes);
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(
      chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks),
    );
  } catch (error) {
    throw new InvalidInputError('The body is not valid UTF-8', ['body: invalid UTF-8'], { cause: error });
  }
}

async function nextBefore(source: ChunkSource, deadline: number): Promise<IteratorResult<Uint8Array>> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RequestTimeoutError('The body did not arrive in time')),
      Math.max(0, deadline - Date.now()),
    );
  });
  try {
    return await Promise.race([source.next(), expired]);
  } catch (error) {
    if (error instanceof RequestTimeoutError) await source.cancel().catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function tooLarge(limitBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`The body exceeds the limit of ${limitBytes} bytes`);
}

/** Lower-cased header map, the form the CloudEvents SDK expects. */
export function headerRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, key) => {
    record[key.toLowerCase()] = value;
  });
  return record;
}

/** JSON.parse whose failure is a 400 naming what was not JSON, never quoting it. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`The ${what} is not valid JSON`, [`${what}: invalid JSON`], { cause: error });
  }
}

/** At most a short, printable excerpt of a value a client sent, for a message or a header. */
export function printable(value: string, maxLength = 80): string {
  return value.replace(/[^\x20-\x7e]/g, '?').slice(0, maxLength);
}
