import { HTTP } from 'cloudevents';
import { asError, InvalidInputError, UnsupportedMediaTypeError } from './errors.js';
import { mediaTypeOf, parseJson, printable } from './http/body.js';

/**
 * Reads CloudEvents from an HTTP request in binary, structured or batch mode
 * (CloudEvents HTTP protocol binding 1.0) with the cloudevents SDK.
 *
 * `time` is taken from the request itself: the SDK fills a missing or invalid
 * time with the current time, which would make a redelivery look like a newer
 * observation.
 */
export type ReceivedEvent = {
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string | undefined;
  readonly time: unknown;
  readonly data: unknown;
};

export const MAX_BATCH = 100;

const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';

export function readCloudEvents(headers: Readonly<Record<string, string>>, body: string): ReceivedEvent[] {
  const mediaType = mediaTypeOf(headers['content-type']);
  if (mediaType === BATCH) return readBatch(body);
  if (mediaType === STRUCTURED) return [toReceived(headers, parseJson(body, 'body'))];
  if (headers['ce-specversion'] !== undefined) return [readBinary(headers, body, mediaType)];
  if (mediaType === 'application/json') {
    throw new InvalidInputError(
      'Not a CloudEvent: binary mode needs ce-specversion, ce-id, ce-source and ce-type headers',
      ['ce-specversion: missing'],
    );
  }
  throw new UnsupportedMediaTypeError(
    `Unsupported content type "${printable(mediaType)}": send ${STRUCTURED}, ${BATCH}, or binary mode with application/json`,
  );
}

function readBinary(headers: Readonly<Record<string, string>>, body: string, mediaType: string): ReceivedEvent {
  if (mediaType !== '' && mediaType !== 'application/json' && !mediaType.endsWith('+json')) {
    throw new UnsupportedMediaTypeError(
      `Unsupported data content type "${printable(mediaType)}": event data must be application/json`,
    );
  }
  requireSpecVersion(headers['ce-specversion']);
  const event = toEvent(headers, body === '' ? undefined : body);
  return { ...event, time: headers['ce-time'] };
}

function readBatch(body: string): ReceivedEvent[] {
  const parsed = parseJson(body, 'body');
  if (!Array.isArray(parsed))
    throw new InvalidInputError('A batch must be a JSON array of CloudEvents', ['body: must be an array']);
  if (parsed.length === 0)
    throw new InvalidInputError('A batch must hold at least one CloudEvent', ['body: empty batch']);
  if (parsed.length > MAX_BATCH)
    throw new InvalidInputError(`A batch may hold at most ${MAX_BATCH} CloudEvents`, ['body: too many events']);
  return parsed.map((item) => toReceived({ 'content-type': STRUCTURED }, item));
}

function toReceived(headers: Readonly<Record<string, string>>, structured: unknown): ReceivedEvent {
  if (typeof structured !== 'object' || structured === null || Array.isArray(structured)) {
    throw new InvalidInputError('A structured CloudEvent must be a JSON object', ['body: must be an object']);
  }
  requireSpecVersion('specversion' in structured ? structured.specversion : undefined);
  const event = toEvent({ ...headers, 'content-type': STRUCTURED }, structured);
  return { ...event, time: 'time' in structured ? structured.time : undefined };
}

/** The SDK passes unknown spec versions through; we speak CloudEvents 1.0, as Knative does. */
function requireSpecVersion(version: unknown): void {
  if (version !== '1.0')
    throw new InvalidInputError('Unsupported CloudEvents specversion: expected 1.0', ['specversion: must be 1.0']);
}

function toEvent(headers: Readonly<Record<string, string>>, body: unknown): Omit<ReceivedEvent, 'time'> {
  try {
    const result = withoutStackTraces(() => HTTP.toEvent({ headers: { ...headers }, body }));
    const event = Array.isArray(result) ? result[0] : result;
    if (event === undefined) throw new InvalidInputError('No CloudEvent found in the request');
    return { id: event.id, source: event.source, type: event.type, subject: event.subject, data: event.data };
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw new InvalidInputError(`Invalid CloudEvent: ${cloudEventProblem(asError(error))}`, [], { cause: error });
  }
}

/** The SDK's own wording for attribute problems, but never the payload (JSON errors quote it). */
function cloudEventProblem(error: Error): string {
  if (error instanceof SyntaxError) return 'data is not valid JSON';
  return error.message.slice(0, 200);
}

/**
 * The SDK builds ValidationErrors as default arguments for every message, valid
 * or not (three per binary event), and each captures a stack trace: about 2 % of
 * the function's CPU for errors that are thrown away (issue 7). Nothing reads
 * their stacks (an invalid event is answered with its message), so none are
 * captured while the SDK parses; the call is synchronous, so nothing else runs
 * meanwhile.
 */
function withoutStackTraces<T>(parse: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return parse();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
