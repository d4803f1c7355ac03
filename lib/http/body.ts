import type { ReadableStreamDefaultReader, ReadableStreamReadResult } from 'node:stream/web';
import { InvalidInputError, PayloadTooLargeError, RequestTimeoutError } from '../errors.js';

export type BodyLimits = { readonly maxBytes: number; readonly deadlineMs: number };

/**
 * Reads a request body as UTF-8 text, refusing it as soon as it passes the size
 * limit (before buffering the rest) or the read deadline, so neither an oversized
 * nor a trickling body ties the function up.
 */
export async function readBodyText(request: Request, limits: BodyLimits): Promise<string> {
  const limitBytes = limits.maxBytes;
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limitBytes) throw tooLarge(limitBytes);
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const deadline = Date.now() + limits.deadlineMs;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await readBefore(reader, deadline);
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      await reader.cancel();
      throw tooLarge(limitBytes);
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch (error) {
    throw new InvalidInputError('The body is not valid UTF-8', ['body: invalid UTF-8'], { cause: error });
  }
}

async function readBefore(reader: ReadableStreamDefaultReader<Uint8Array>, deadline: number): Promise<ReadableStreamReadResult<Uint8Array>> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RequestTimeoutError('The body did not arrive in time')), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([reader.read(), expired]);
  } catch (error) {
    if (error instanceof RequestTimeoutError) await reader.cancel().catch(() => undefined);
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

/** The media type of a Content-Type header: lower case, without parameters ("" when absent). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
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
