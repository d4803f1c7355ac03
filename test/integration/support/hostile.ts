import fc from 'fast-check';
import { creationData, type HttpFixture, throttleData } from '../../fixtures/events.js';

/**
 * Generators of input that can never succeed: every case carries at least one
 * defect, so the property "no write, no 5xx" must hold for all of them.
 */
const THROTTLE = 'io.gossip.kernel.cpu_throttle.v1';
const CREATION = 'io.gossip.kernel.pod_creation.v1';

const controlChars = fc.string({
  minLength: 1,
  maxLength: 5,
  unit: fc.constantFrom('\u0000', '\u0007', '\n', '\r', '\u001b', '\u007f'),
});

const badPercentage = fc.oneof(
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0.0001, 100.0001, 1e308),
  fc.double({ min: -1e9, max: -1e-9, noNaN: true }),
  fc.double({ min: 100.000001, max: 1e12, noNaN: true }),
  fc.string(),
  fc.constant(null),
  fc.array(fc.integer()),
);

const badName = fc.oneof(
  fc.string({ minLength: 254, maxLength: 400, unit: fc.constantFrom('a', 'b', '-') }),
  fc.constantFrom('', 'UPPER', 'under_score', '-lead', 'trail-', 'a/b', '..', 'a..b', ' space'),
  controlChars.map((chars) => `pod${chars}name`),
  fc.integer(),
);

/** Names built to collide after shortening: long, sharing a 240-character prefix. */
const collidingLongContainer = fc.string({ minLength: 64, maxLength: 120, unit: fc.constantFrom('x', 'y') });

type Mutation = (data: Record<string, unknown>) => Record<string, unknown>;

const throttleMutations: fc.Arbitrary<Mutation> = fc.oneof(
  badPercentage.map(
    (value): Mutation =>
      (data) => ({ ...data, throttle_percentage: value }),
  ),
  fc.oneof(fc.constant(-1), fc.constant(Number.NaN), fc.string()).map(
    (value): Mutation =>
      (data) => ({ ...data, actual_cpu_usage: value }),
  ),
  badName.map(
    (value): Mutation =>
      (data) => ({ ...data, pod_name: value }),
  ),
  badName.map(
    (value): Mutation =>
      (data) => ({ ...data, namespace: value }),
  ),
  collidingLongContainer.map(
    (value): Mutation =>
      (data) => ({ ...data, container_name: value }),
  ),
  fc.constantFrom('pod_name', 'throttle_percentage', 'actual_cpu_usage').map(
    (field): Mutation =>
      (data) =>
        withoutField(data, field),
  ),
  fc.constantFrom('yesterday', '2024-13-01T00:00:00Z', '2999-01-01T00:00:00Z', '').map(
    (value): Mutation =>
      (data) => ({ ...data, timestamp: value }),
  ),
  fc.oneof(fc.integer({ min: -5, max: -1 }), fc.double({ min: 0.1, max: 0.9 })).map(
    (value): Mutation =>
      (data) => ({ ...data, throttle_ns: value }),
  ),
);

const creationMutations: fc.Arbitrary<Mutation> = fc.oneof(
  fc.oneof(fc.constant(-1), fc.constant(1.5), fc.string()).map(
    (value): Mutation =>
      (data) => ({ ...data, total_syscalls: value }),
  ),
  fc
    .array(fc.record({ timestamp_ms: fc.oneof(fc.constant(-1), fc.string()), action: fc.string() }), {
      minLength: 1,
      maxLength: 3,
    })
    .map(
      (timeline): Mutation =>
        (data) => ({ ...data, timeline }),
    ),
  fc.constant((data: Record<string, unknown>) => ({
    ...data,
    timeline: Array.from({ length: 501 }, (_, i) => ({ timestamp_ms: i, action: 'x' })),
  })),
  controlChars.map(
    (chars): Mutation =>
      (data) => ({ ...data, timeline: [{ timestamp_ms: 1, action: `clone${chars}` }] }),
  ),
  fc.constantFrom('scheduler ', 'god', '').map(
    (actor): Mutation =>
      (data) => ({ ...data, timeline: [{ timestamp_ms: 1, action: 'x', actor }] }),
  ),
);

function withoutField(data: Record<string, unknown>, field: string): Record<string, unknown> {
  const { [field]: _dropped, ...rest } = data;
  return rest;
}

function binary(type: string, body: string, extra: Record<string, string> = {}): HttpFixture {
  return {
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': 'fuzz',
      'ce-source': '/fuzz',
      'ce-type': type,
      'ce-time': new Date().toISOString(),
      ...extra,
    },
    body,
  };
}

const badData = fc.oneof(
  throttleMutations.map((mutate) => ({
    type: THROTTLE,
    data: mutate({ ...throttleData, timestamp: new Date().toISOString() }),
  })),
  creationMutations.map((mutate) => ({
    type: CREATION,
    data: mutate({ ...creationData, timestamp: new Date().toISOString() }),
  })),
);

/** JSON.stringify turns NaN and Infinity into null; these are still defects (null is not a number). */
const badDataEvent = badData.map(({ type, data }) => binary(type, JSON.stringify(data)));

const badAttributes = fc.oneof(
  fc.constant(binary(THROTTLE, JSON.stringify(throttleData), { 'ce-specversion': '2.0' })),
  fc.constant(binary(THROTTLE, JSON.stringify(throttleData), { 'ce-id': '' })),
  fc.constant(binary('', JSON.stringify(throttleData))),
  fc
    .string({ minLength: 1, maxLength: 40 })
    .filter((type) => type !== THROTTLE && type !== CREATION && /^[\x20-\x7e]+$/.test(type))
    .map((type) => binary(type, JSON.stringify(throttleData))),
  fc.constant(binary(THROTTLE, JSON.stringify({ ...throttleData, timestamp: undefined }), { 'ce-time': 'not-a-time' })),
  fc
    .constantFrom(`/${'x'.repeat(300)}`, '/with space', '/tab\there')
    .map((source) => binary(THROTTLE, JSON.stringify(throttleData), { 'ce-source': source })),
);

const badBodies = fc.oneof(
  fc
    .string({ maxLength: 200 })
    .filter((text) => !isJsonObject(text))
    .map((text) => binary(THROTTLE, text)),
  fc.integer({ min: 1000, max: 5000 }).map((depth) => binary(THROTTLE, '['.repeat(depth) + ']'.repeat(depth))),
  fc.integer({ min: 50, max: 200 }).map((depth) => binary(THROTTLE, JSON.stringify(nested(depth)))),
  fc.constant(binary(THROTTLE, JSON.stringify({ ...throttleData, padding: 'x'.repeat(70_000) }))),
);

const badContentTypes = fc.oneof(
  fc
    .constantFrom('text/plain', 'application/xml', 'multipart/form-data', 'application/x-www-form-urlencoded', '')
    .map((type) => request(type, JSON.stringify(throttleData))),
  fc.constant({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(throttleData) }),
);

const badStructured = fc.oneof(
  badData.map(({ type, data }) => ({
    headers: { 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify({
      specversion: '1.0',
      id: 'fuzz',
      source: '/fuzz',
      type,
      time: new Date().toISOString(),
      data,
    }),
  })),
  fc.constant({ headers: { 'content-type': 'application/cloudevents+json' }, body: '[]' }),
);

/**
 * CloudEvents attributes that make an envelope invalid: every REQUIRED one
 * absent, empty or of the wrong type, and the checked OPTIONAL ones malformed.
 * Structured mode can carry any JSON value; binary headers only strings.
 */
const REQUIRED_ATTRIBUTES = ['specversion', 'id', 'source', 'type'] as const;
const ABSENT = Symbol('absent');
type AttributeDefect = { readonly name: string; readonly value: unknown };

const wrongJsonType = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);

const structuredDefect: fc.Arbitrary<AttributeDefect> = fc.oneof(
  fc.record({
    name: fc.constantFrom(...REQUIRED_ATTRIBUTES),
    value: fc.oneof(fc.constant(ABSENT), fc.constant(null), fc.constant(''), wrongJsonType),
  }),
  fc.record({ name: fc.constant('specversion'), value: fc.constantFrom('1', '1.0.0', '0.3', '2.0', ' 1.0', 1) }),
  fc.record({
    name: fc.constant('time'),
    value: fc.oneof(fc.constantFrom('', 'now', '2024-13-01T00:00:00Z', '2024-01-01'), wrongJsonType),
  }),
  fc.record({ name: fc.constant('subject'), value: fc.oneof(fc.constant(''), wrongJsonType) }),
  fc.record({
    name: fc.constant('datacontenttype'),
    value: fc.oneof(
      fc.constantFrom('', 'json', 'text/plain', 'application/xml', 'application/json; charset=latin1'),
      wrongJsonType,
    ),
  }),
  fc.record({
    name: fc.constant('source'),
    value: fc.constantFrom('/with space', `/${'s'.repeat(300)}`, '/tab\there'),
  }),
);

/** Header values are strings: absent, empty, percent-encoded wrongly, or not what the attribute allows. */
const binaryDefect: fc.Arbitrary<AttributeDefect> = fc.oneof(
  fc.record({
    name: fc.constantFrom(...REQUIRED_ATTRIBUTES),
    value: fc.constantFrom(ABSENT, '', '%', '%zz', '%C0%A0'),
  }),
  fc.record({ name: fc.constant('specversion'), value: fc.constantFrom('1', '1.0.0', '0.3', '2.0', '1.0%20') }),
  fc.record({ name: fc.constant('time'), value: fc.constantFrom('now', '2024-13-01T00:00:00Z', '1704067200', 'null') }),
  fc.record({ name: fc.constant('subject'), value: fc.constantFrom('', '%E0%80') }),
  fc.record({ name: fc.constant('source'), value: fc.constantFrom('/with%20space', '/%FF') }),
);

function goodStructured(type: string, data: unknown): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: 'fuzz',
    source: '/fuzz',
    type,
    subject: 'production/throttled-pod',
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data,
  };
}

function withAttribute(event: Record<string, unknown>, { name, value }: AttributeDefect): Record<string, unknown> {
  const { [name]: _dropped, ...rest } = event;
  return value === ABSENT ? rest : { ...rest, [name]: value };
}

const badEnvelopeStructured = fc.tuple(structuredDefect, fc.constantFrom(THROTTLE, CREATION)).map(([defect, type]) => ({
  headers: { 'content-type': 'application/cloudevents+json' },
  body: JSON.stringify(withAttribute(goodStructured(type, type === THROTTLE ? throttleData : creationData), defect)),
}));

const badEnvelopeBinary = binaryDefect.map(({ name, value }): HttpFixture => {
  const fixture = binary(THROTTLE, JSON.stringify(throttleData), { 'ce-subject': 'production/throttled-pod' });
  const { [`ce-${name}`]: _dropped, ...headers } = fixture.headers;
  return { headers: value === ABSENT ? headers : { ...headers, [`ce-${name}`]: value as string }, body: fixture.body };
});

/** A member of a batch that can never succeed: a broken envelope, bad data, or not an object at all. */
const badMember: fc.Arbitrary<unknown> = fc.oneof(
  fc
    .tuple(structuredDefect, fc.constantFrom(THROTTLE, CREATION))
    .map(([defect, type]) =>
      withAttribute(goodStructured(type, type === THROTTLE ? throttleData : creationData), defect),
    ),
  badData.map(({ type, data }) => goodStructured(type, data)),
  fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 10 }), fc.array(fc.integer(), { maxLength: 2 })),
);

/**
 * A batch of bad events only. A batch's valid events are applied even when others
 * fail (lib/http/status.ts answers for all), so a "no write" batch holds no good one;
 * mixed batches are tested in edge.test.ts.
 */
const badBatch = fc.array(badMember, { minLength: 1, maxLength: 4 }).map((members) => ({
  headers: { 'content-type': 'application/cloudevents-batch+json' },
  body: JSON.stringify(members),
}));

export const hostileCloudEventRequest: fc.Arbitrary<HttpFixture> = fc.oneof(
  badDataEvent,
  badAttributes,
  badBodies,
  badContentTypes,
  badStructured,
  badEnvelopeBinary,
  badEnvelopeStructured,
  badBatch,
);

export const hostileLegacyRequest: fc.Arbitrary<HttpFixture> = fc.oneof(
  throttleMutations.map((mutate) => ({
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'cpu_throttle', ...mutate({ ...throttleData }) }),
  })),
  fc.string({ maxLength: 100 }).map((body) => ({ headers: { 'content-type': 'application/json' }, body })),
  fc
    .constantFrom('text/plain', '')
    .map((type) => request(type, JSON.stringify({ type: 'cpu_throttle', ...throttleData }))),
  fc
    .string({ minLength: 1, maxLength: 20 })
    .filter((tag) => tag !== 'cpu_throttle' && tag !== 'pod_creation')
    .map((tag) => ({
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: tag, ...throttleData }),
    })),
);

function request(contentType: string, body: string): HttpFixture {
  return { headers: contentType === '' ? {} : { 'content-type': contentType }, body };
}

function nested(depth: number): unknown {
  let value: unknown = { throttle_percentage: 50 };
  for (let i = 0; i < depth; i++) value = { data: value };
  return value;
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}

/**
 * For the sweep: requests that present themselves as CloudEvents (a plain POST
 * without CloudEvent headers is a legitimate manual sweep, so it is left out).
 */
export const hostileSweepRequest: fc.Arbitrary<HttpFixture> = hostileCloudEventRequest.filter(
  (fixture) =>
    ['ce-specversion', 'ce-id', 'ce-source', 'ce-type', 'ce-time', 'ce-subject'].some(
      (header) => fixture.headers[header] !== undefined,
    ) || /^application\/cloudevents/i.test(fixture.headers['content-type'] ?? ''),
);
