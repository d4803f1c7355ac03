import { createHash } from 'node:crypto';
import * as v from 'valibot';
import type { ReceivedEvent } from '../../lib/cloudevents.js';
import { InvalidInputError, UnsupportedEventTypeError } from '../../lib/errors.js';
import { type CpuThrottleData, CpuThrottleDataSchema } from '../../lib/events/cpu-throttle.js';
import { describeIssues } from '../../lib/events/fields.js';
import { type PodCreationData, PodCreationDataSchema } from '../../lib/events/pod-creation.js';
import { EVENT_TYPE, LEGACY_TAG } from '../../lib/events/types.js';
import { printable } from '../../lib/http/body.js';

/**
 * A validated event before its pod is known: what the event says, with its
 * observation time settled. Pure: `nowMs` is passed in.
 */
export type Candidate =
  | {
      readonly kind: 'cpu_throttle';
      readonly id: string;
      readonly source: string;
      readonly data: CpuThrottleData;
      readonly observedAt: string;
    }
  | {
      readonly kind: 'pod_creation';
      readonly id: string;
      readonly source: string;
      readonly data: PodCreationData;
      readonly observedAt: string;
    };

/**
 * How far ahead of this function's clock an observation time may lie. The newest
 * observation wins, so one stamped ahead would outrank every correct one until
 * the clock catches up: the bound is how long a wrong clock can hide the truth.
 * NTP-synced nodes agree within milliseconds, and etcd already warns at 1 s of
 * drift between its members; 5 s leaves room for that and for whole-second
 * timestamps, and refuses (400, not retried) anything a working clock cannot
 * produce. See docs/design.md, "Times".
 */
export const MAX_CLOCK_SKEW_MS = 5_000;

export function candidateFromCloudEvent(event: ReceivedEvent, nowMs: number): Candidate {
  if (event.type === EVENT_TYPE.cpuThrottle)
    return build('cpu_throttle', event.id, event.source, event.data, event.time, nowMs);
  if (event.type === EVENT_TYPE.podCreation)
    return build('pod_creation', event.id, event.source, event.data, event.time, nowMs);
  throw new UnsupportedEventTypeError(
    `Unsupported event type "${printable(event.type)}": expected ${EVENT_TYPE.cpuThrottle} or ${EVENT_TYPE.podCreation}`,
  );
}

/**
 * The earlier observer's webhook body: internally tagged {"type":"cpu_throttle",...}
 * or externally tagged {"cpu_throttle":{...}} (serde's two enum representations).
 */
export function candidateFromLegacy(body: unknown, source: string, nowMs: number): Candidate {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidInputError('The webhook body must be a JSON object', ['body: must be an object']);
  }
  const record = body as Record<string, unknown>;
  const tag = record.type;
  if (typeof tag === 'string') {
    if (!isLegacyTag(tag))
      throw new UnsupportedEventTypeError(
        `Unsupported event type "${printable(tag)}": expected cpu_throttle or pod_creation`,
      );
    const { type: _tag, ...data } = record;
    return build(tag, legacyId(data), source, data, undefined, nowMs);
  }
  const keys = Object.keys(record);
  const only = keys[0];
  if (keys.length === 1 && only !== undefined && isLegacyTag(only))
    return build(only, legacyId(record[only]), source, record[only], undefined, nowMs);
  throw new InvalidInputError('The webhook body needs "type": "cpu_throttle" or "pod_creation"', ['type: missing']);
}

function build(
  kind: Candidate['kind'],
  id: string,
  source: string,
  rawData: unknown,
  eventTime: string | undefined,
  nowMs: number,
): Candidate {
  if (typeof rawData !== 'object' || rawData === null || Array.isArray(rawData)) {
    throw new InvalidInputError('Event data must be a JSON object', ['data: must be an object']);
  }
  const schema = kind === 'cpu_throttle' ? CpuThrottleDataSchema : PodCreationDataSchema;
  const parsed = v.safeParse(schema, rawData);
  if (!parsed.success) {
    const issues = describeIssues(parsed.issues);
    throw new InvalidInputError(`Invalid ${kind} data: ${issues.join('; ')}`, issues);
  }
  const observedAt = observationTime(parsed.output.timestamp, eventTime, nowMs);
  return kind === 'cpu_throttle'
    ? { kind, id, source, data: parsed.output as CpuThrottleData, observedAt }
    : { kind, id, source, data: parsed.output as PodCreationData, observedAt };
}

/**
 * data.timestamp, else the CloudEvent time (both RFC 3339, checked by their
 * schemas): when the kernel saw it, not when we heard of it.
 */
function observationTime(dataTimestamp: string | undefined, eventTime: string | undefined, nowMs: number): string {
  const text = dataTimestamp ?? eventTime;
  if (text === undefined)
    throw new InvalidInputError(
      'The observation time is missing: set data.timestamp or the CloudEvent time attribute',
      ['timestamp: missing'],
    );
  const field = dataTimestamp === undefined ? 'time' : 'timestamp';
  const ms = Date.parse(text);
  if (ms > nowMs + MAX_CLOCK_SKEW_MS)
    throw new InvalidInputError(
      `The observation time is more than ${MAX_CLOCK_SKEW_MS / 1000} s ahead of this function's clock; check the observer's clock (NTP)`,
      [`${field}: in the future`],
    );
  return new Date(ms).toISOString();
}

function isLegacyTag(tag: string): tag is keyof typeof LEGACY_TAG {
  return Object.hasOwn(LEGACY_TAG, tag);
}

/** The legacy webhook has no event id; a digest of the body lets logs tell events apart. */
function legacyId(data: unknown): string {
  return `legacy-${createHash('sha256')
    .update(JSON.stringify(data) ?? '')
    .digest('hex')
    .slice(0, 16)}`;
}
