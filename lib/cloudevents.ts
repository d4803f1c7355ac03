import * as v from 'valibot';
import { InvalidInputError, UnsupportedMediaTypeError } from './errors.js';
import { CloudEventEnvelopeSchema, ENVELOPE_ATTRIBUTES } from './events/envelope.js';
import { describeIssues } from './events/fields.js';
import { parseJson, printable } from './http/body.js';
import { isJson, type MediaType, parseMediaType } from './http/media-type.js';

/**
 * Reads CloudEvents from an HTTP request in binary, structured or batch mode
 * (CloudEvents HTTP protocol binding 1.0.2, JSON event format), every envelope
 * through one schema (lib/events/envelope.ts). A single event that fails throws;
 * the members of a batch are settled one by one, so one bad event does not
 * cost the others.
 */
export type ReceivedEvent = {
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string | undefined;
  readonly time: string | undefined;
  readonly data: unknown;
};

export type ReadResult =
  | { readonly ok: true; readonly event: ReceivedEvent }
  | { readonly ok: false; readonly error: Error };
export type Reading =
  | { readonly batch: false; readonly event: ReceivedEvent }
  | { readonly batch: true; readonly results: readonly ReadResult[] };

export const MAX_BATCH = 100;

const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';
const BINARY_HEADERS = ENVELOPE_ATTRIBUTES.filter((name) => name !== 'datacontenttype').map((name) => `ce-${name}`);

/** `data: 'ignored'` for a reader that needs the envelope only (the sweep), so no data type refuses a ping. */
export type ReadOptions = { readonly data: 'json' | 'ignored' };

export function readCloudEvents(
  headers: Readonly<Record<string, string>>,
  body: string,
  options: ReadOptions = { data: 'json' },
): Reading {
  const contentType = parseMediaType(headers['content-type']);
  const essence = typeof contentType === 'object' ? contentType.essence : undefined;
  if (essence === BATCH || essence === STRUCTURED) {
    if (!isJson(contentType as MediaType)) throw unsupportedCharset();
    if (essence === STRUCTURED) return { batch: false, event: fromStructured(parseJson(body, 'body'), '', options) };
    return { batch: true, results: readBatch(parseJson(body, 'body'), options) };
  }
  if (essence?.startsWith('application/cloudevents') === true)
    throw new UnsupportedMediaTypeError(`Unsupported event format: send ${STRUCTURED} or ${BATCH}`);
  if (isCloudEventRequest(headers)) return { batch: false, event: fromBinary(headers, contentType, body, options) };
  if (typeof contentType === 'object' && isJson(contentType)) {
    throw new InvalidInputError(
      'Not a CloudEvent: binary mode needs ce-specversion, ce-id, ce-source and ce-type headers',
      ['ce-specversion: missing'],
    );
  }
  throw new UnsupportedMediaTypeError(
    `Unsupported content type "${printable(headers['content-type'] ?? '')}": send ${STRUCTURED}, ${BATCH}, or binary mode with application/json`,
  );
}

/** Whether a request presents itself as a CloudEvent: a CloudEvents media type, or any `ce-` attribute header. */
export function isCloudEventRequest(headers: Readonly<Record<string, string>>): boolean {
  const contentType = parseMediaType(headers['content-type']);
  if (typeof contentType === 'object' && contentType.essence.startsWith('application/cloudevents')) return true;
  return BINARY_HEADERS.some((name) => headers[name] !== undefined);
}

function readBatch(parsed: unknown, options: ReadOptions): ReadResult[] {
  if (!Array.isArray(parsed))
    throw new InvalidInputError('A batch must be a JSON array of CloudEvents', ['body: must be an array']);
  if (parsed.length > MAX_BATCH)
    throw new InvalidInputError(`A batch may hold at most ${MAX_BATCH} CloudEvents`, ['body: too many events']);
  return parsed.map((member, index) => {
    try {
      return { ok: true, event: fromStructured(member, `[${index}].`, options) };
    } catch (error) {
      return { ok: false, error: error as Error };
    }
  });
}

/** JSON format §2.2: an attribute whose value is null is treated as absent. */
function fromStructured(member: unknown, prefix: string, options: ReadOptions): ReceivedEvent {
  if (typeof member !== 'object' || member === null || Array.isArray(member))
    throw new InvalidInputError('A structured CloudEvent must be a JSON object', [
      `${prefix === '' ? 'body' : prefix.slice(0, -1)}: must be an object`,
    ]);
  const present = Object.fromEntries(Object.entries(member).filter(([, value]) => value !== null));
  const envelope = parseEnvelope(present, prefix);
  if (options.data === 'ignored') return { ...eventOf(envelope), data: undefined };
  if (envelope.datacontenttype !== undefined) requireJsonData(parseMediaType(envelope.datacontenttype), prefix);
  return { ...eventOf(envelope), data: structuredData(present, prefix) };
}

/** JSON format §3.1.2: `data` is the JSON value itself; `data_base64` holds bytes, here JSON text. */
function structuredData(member: Record<string, unknown>, prefix: string): unknown {
  const encoded = member.data_base64;
  if (encoded === undefined) return member.data;
  if (member.data !== undefined || typeof encoded !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded))
    throw new InvalidInputError('Invalid CloudEvent: data_base64 must be base64 and the only data member', [
      `${prefix}data_base64: invalid`,
    ]);
  return parseJson(decodeUtf8(Buffer.from(encoded, 'base64'), `${prefix}data_base64`), `${prefix}data`);
}

function fromBinary(
  headers: Readonly<Record<string, string>>,
  contentType: MediaType | 'invalid' | undefined,
  body: string,
  options: ReadOptions,
): ReceivedEvent {
  const attributes: Record<string, string> = {};
  const issues: string[] = [];
  for (const header of BINARY_HEADERS) {
    const raw = headers[header];
    if (raw === undefined) continue;
    const decoded = decodeHeaderValue(raw);
    if (decoded === undefined) issues.push(`${header}: invalid percent-encoding`);
    else attributes[header.slice(3)] = decoded;
  }
  if (issues.length > 0) throw invalidEnvelope(issues);
  const envelope = parseEnvelope(attributes, 'ce-');
  if (options.data === 'ignored') return { ...eventOf(envelope), data: undefined };
  // Binding §3.1.1: Content-Type carries datacontenttype; without one, data is JSON (JSON format §3.1.1).
  if (contentType === 'invalid') throw new UnsupportedMediaTypeError('The Content-Type header is not a media type');
  if (contentType !== undefined) requireJsonData(contentType, '');
  return { ...eventOf(envelope), data: body === '' ? undefined : parseJson(body, 'data') };
}

function parseEnvelope(attributes: Record<string, unknown>, prefix: string) {
  const parsed = v.safeParse(CloudEventEnvelopeSchema, attributes, { abortPipeEarly: true });
  if (!parsed.success) throw invalidEnvelope(describeIssues(parsed.issues).map((issue) => prefix + issue));
  return parsed.output;
}

function eventOf(envelope: v.InferOutput<typeof CloudEventEnvelopeSchema>): Omit<ReceivedEvent, 'data'> {
  const { id, source, type, subject, time } = envelope;
  return { id, source, type, subject, time };
}

function invalidEnvelope(issues: readonly string[]): InvalidInputError {
  return new InvalidInputError(`Invalid CloudEvent: ${issues.join('; ')}`, issues);
}

function requireJsonData(mediaType: MediaType | 'invalid' | undefined, prefix: string): void {
  if (mediaType === 'invalid') throw invalidEnvelope([`${prefix}datacontenttype: must be a media type`]);
  if (mediaType !== undefined && !isJson(mediaType))
    throw new UnsupportedMediaTypeError(
      `Unsupported data content type "${printable(mediaType.essence)}": event data must be JSON in UTF-8`,
    );
}

function unsupportedCharset(): UnsupportedMediaTypeError {
  return new UnsupportedMediaTypeError('CloudEvents JSON must be UTF-8');
}

/**
 * Binding §3.1.3.2: a header value is first unquoted (older senders quote),
 * then percent-decoded once; byte sequences that are not UTF-8 are refused.
 */
function decodeHeaderValue(raw: string): string | undefined {
  const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(raw);
  const value = quoted?.[1]?.replace(/\\(.)/g, '$1') ?? raw;
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new InvalidInputError(`The ${what} is not UTF-8`, [`${what}: invalid UTF-8`], { cause: error });
  }
}
