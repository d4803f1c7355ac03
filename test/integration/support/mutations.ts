import fc from 'fast-check';
import type { HttpFixture } from '../../fixtures/events.js';

/**
 * An independent mutation fuzzer: it knows nothing of the schemas, only the
 * captured requests. It drops, empties and retypes each header and each JSON
 * member (attributes, data fields, nested ones), respells the Content-Type, and
 * truncates the JSON. Some mutants are still valid events; the property is about
 * what happens to the ones that are not.
 */
export type Mode = 'binary' | 'structured' | 'batch' | 'legacy';
export type Base = { readonly path: string; readonly mode: Mode; readonly fixture: HttpFixture };
/** `mustSucceed`: every mutation only respelled the Content-Type as the HTTP binding allows for this mode. */
export type Mutant = {
  readonly path: string;
  readonly fixture: HttpFixture;
  readonly mutations: readonly string[];
  readonly mustSucceed: boolean;
};
type Mutation = {
  readonly name: string;
  readonly apply: (fixture: HttpFixture) => HttpFixture;
  readonly harmlessFor?: readonly Mode[];
};

const RETYPED_HEADER = ['1', '0.5', 'true', 'null', '[]', '{}', '%', '%zz', '"', ' '];
const RETYPED_JSON: readonly unknown[] = [null, '', 0, -1, 1.5, true, false, [], {}, 'x', ['x'], { x: 1 }];
const MEDIA_TYPES = [
  'application/json',
  'application/cloudevents+json',
  'application/cloudevents-batch+json',
  'text/json',
  'application/vnd.observer+json',
  'text/plain',
  'application/json-seq',
  'application/*',
  'application/cloudevents+xml',
  'json',
  '',
];
const PARAMETERS = [
  '',
  ';charset=UTF-8',
  '; charset=utf-8',
  ' ; Charset="utf-8"',
  ';charset=latin1',
  '; charset=utf-16',
  ';',
  '; x',
];
/**
 * The oracle, written from RFC 9110 and the CloudEvents HTTP binding rather than
 * from our parser: media types are case-insensitive, an empty parameter is
 * allowed (RFC 9110 §5.6.6), JSON is UTF-8; binary mode and the webhook take any
 * JSON type, binary mode also none at all.
 */
const UTF8_PARAMETERS = ['', ';charset=UTF-8', '; charset=utf-8', ' ; Charset="utf-8"', ';'];
const JSON_TYPES = ['application/json', 'text/json', 'application/vnd.observer+json'];
const HARMLESS: Record<string, readonly Mode[]> = {
  '': ['binary'],
  'application/cloudevents+json': ['structured'],
  'application/cloudevents-batch+json': ['batch'],
  ...Object.fromEntries(JSON_TYPES.map((type) => [type, ['binary', 'legacy'] as const])),
};

export function mutants(bases: readonly Base[]): fc.Arbitrary<Mutant> {
  return fc.constantFrom(...bases).chain(({ path, mode, fixture }) =>
    fc.array(mutationFor(fixture), { minLength: 1, maxLength: 3 }).map((mutations) => ({
      path,
      fixture: mutations.reduce((current, mutation) => mutation.apply(current), fixture),
      mutations: mutations.map((mutation) => mutation.name),
      mustSucceed: mutations.every((mutation) => mutation.harmlessFor?.includes(mode) === true),
    })),
  );
}

function mutationFor(fixture: HttpFixture): fc.Arbitrary<Mutation> {
  const headers = Object.keys(fixture.headers);
  const paths = jsonPaths(parsed(fixture.body));
  const options: fc.Arbitrary<Mutation>[] = [contentTypeSpelling(), truncation(fixture.body.length)];
  if (headers.length > 0) options.push(headerMutation(headers));
  if (paths.length > 0) options.push(jsonMutation(paths));
  return fc.oneof(...options);
}

function headerMutation(names: readonly string[]): fc.Arbitrary<Mutation> {
  return fc
    .tuple(fc.constantFrom(...names), fc.constantFrom<string | undefined>(undefined, '', ...RETYPED_HEADER))
    .map(([header, value]) => ({
      name: `header ${header} ${value === undefined ? 'dropped' : JSON.stringify(value)}`,
      apply: (fixture) => {
        const { [header]: _dropped, ...rest } = fixture.headers;
        return { ...fixture, headers: value === undefined ? rest : { ...rest, [header]: value } };
      },
    }));
}

/** Any case, spacing and charset of a media type, or another media type altogether. */
function contentTypeSpelling(): fc.Arbitrary<Mutation> {
  return fc
    .tuple(fc.constantFrom(...MEDIA_TYPES), fc.constantFrom(...PARAMETERS), fc.array(fc.boolean(), { maxLength: 40 }))
    .map(([type, parameters, upper]) => {
      const spelled = [...(type + parameters)].map((char, i) => (upper[i] ? char.toUpperCase() : char)).join('');
      const harmless = type === '' ? parameters === '' : UTF8_PARAMETERS.includes(parameters);
      return {
        name: `content-type ${JSON.stringify(spelled)}`,
        apply: (fixture) => ({ ...fixture, headers: { ...fixture.headers, 'content-type': spelled } }),
        harmlessFor: harmless ? (HARMLESS[type] ?? []) : [],
      };
    });
}

function truncation(length: number): fc.Arbitrary<Mutation> {
  return fc.integer({ min: 0, max: Math.max(0, length - 1) }).map((at) => ({
    name: `body truncated at ${at}`,
    apply: (fixture) => ({ ...fixture, body: fixture.body.slice(0, at) }),
  }));
}

function jsonMutation(paths: readonly (readonly string[])[]): fc.Arbitrary<Mutation> {
  const ABSENT = Symbol('dropped');
  return fc
    .tuple(fc.constantFrom(...paths), fc.constantFrom<unknown>(ABSENT, ...RETYPED_JSON))
    .map(([path, value]) => ({
      name: `${path.join('.')} ${value === ABSENT ? 'dropped' : JSON.stringify(value)}`,
      apply: (fixture) => {
        const body = parsed(fixture.body);
        if (body === undefined) return fixture;
        return { ...fixture, body: JSON.stringify(setAt(body, path, value === ABSENT ? undefined : value)) };
      },
    }));
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Paths to every member of objects and arrays, to depth 4. */
function jsonPaths(value: unknown, prefix: readonly string[] = []): string[][] {
  if (typeof value !== 'object' || value === null || prefix.length >= 4) return [];
  return Object.entries(value).flatMap(([key, member]) => [[...prefix, key], ...jsonPaths(member, [...prefix, key])]);
}

/** A copy with the member at `path` replaced (or removed, for undefined); unchanged when the path is gone. */
function setAt(value: unknown, path: readonly string[], replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined || typeof value !== 'object' || value === null || !(head in value)) return value;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...value };
  const next = rest.length === 0 ? replacement : setAt((value as Record<string, unknown>)[head], rest, replacement);
  if (next === undefined && !Array.isArray(copy)) delete copy[head];
  else (copy as Record<string, unknown>)[head] = next;
  return copy;
}
