import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import * as v from 'valibot';
import { describe, expect, inject, it } from 'vitest';
import {
  isRecord,
  loadManifests,
  NAMESPACE,
  ofKind,
  parseAs,
  readFuncYaml,
  repoRoot,
} from '../unit/packaging/manifests.js';
import { envProblems, INGEST_SETTINGS } from '../unit/packaging/settings.js';
import { IMAGE_NODE_VERSION } from './node.js';

/**
 * func.yaml against the JSON schema knative/func publishes (schema/func_yaml-schema.json of
 * the pinned knative.dev/func module, test/upstream/modules.ts), then what that schema cannot
 * say: the runtime contract of our server, the settings it reads, and scale limits that
 * protect the API server.
 */

const schemaPath = path.join(inject('knativeModules').func, 'schema', 'func_yaml-schema.json');
const upstreamSchema: unknown = JSON.parse(readFileSync(schemaPath, 'utf8'));
const funcYaml = readFuncYaml();

/**
 * The schema declares draft-04, which Ajv 8 does not ship. Every keyword it uses means the
 * same in draft-07 (no `id`, no boolean exclusiveMinimum/Maximum), so it is compiled as
 * draft-07 with the nested `$schema` markers dropped; the first test guards that premise.
 */
const SAME_IN_DRAFT_04_AND_07 = new Set([
  '$schema',
  '$ref',
  'definitions',
  'description',
  'title',
  'type',
  'properties',
  'patternProperties',
  'additionalProperties',
  'required',
  'items',
  'enum',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'oneOf',
]);
const MAP_OF_SCHEMAS = new Set(['definitions', 'properties', 'patternProperties']);

function keywordsOf(schema: unknown): string[] {
  if (Array.isArray(schema)) return schema.flatMap(keywordsOf);
  if (!isRecord(schema)) return [];
  return Object.entries(schema).flatMap(([keyword, value]) => [
    keyword,
    ...(MAP_OF_SCHEMAS.has(keyword) && isRecord(value) ? Object.values(value).flatMap(keywordsOf) : []),
    ...(['items', 'additionalProperties', 'oneOf'].includes(keyword) ? keywordsOf(value) : []),
  ]);
}

function withoutSchemaMarkers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSchemaMarkers);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== '$schema')
      .map(([key, child]) => [key, withoutSchemaMarkers(child)]),
  );
}

// strictRequired is off only because upstream's Volume puts `required` in oneOf branches
// that name properties declared one level up, which is valid JSON Schema.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
addFormats.default(ajv);
const validate = ajv.compile(
  parseAs(v.record(v.string(), v.unknown()), withoutSchemaMarkers(upstreamSchema), schemaPath),
);

const FuncSchema = v.looseObject({
  name: v.string(),
  namespace: v.string(),
  runtime: v.string(),
  build: v.looseObject({
    builder: v.string(),
    buildEnvs: v.array(v.looseObject({ name: v.string(), value: v.string() })),
  }),
  run: v.looseObject({ envs: v.array(v.strictObject({ name: v.string(), value: v.string() })) }),
  deploy: v.looseObject({
    serviceAccountName: v.string(),
    subscriptions: v.optional(v.array(v.unknown())),
    options: v.object({
      scale: v.object({
        min: v.number(),
        max: v.number(),
        metric: v.string(),
        target: v.number(),
        utilization: v.number(),
      }),
      resources: v.object({
        requests: v.object({ cpu: v.string(), memory: v.string() }),
        limits: v.object({ memory: v.string(), concurrency: v.number(), cpu: v.optional(v.string()) }),
      }),
    }),
  }),
});
const func = parseAs(FuncSchema, funcYaml, 'func.yaml');

describe('func.yaml against the knative/func JSON schema', () => {
  it('uses only keywords that mean the same in draft-04 and draft-07', () => {
    expect(isRecord(upstreamSchema) ? upstreamSchema.$schema : undefined).toBe(
      'http://json-schema.org/draft-04/schema#',
    );
    expect([...new Set(keywordsOf(upstreamSchema))].filter((k) => !SAME_IN_DRAFT_04_AND_07.has(k))).toEqual([]);
  });

  it('is valid', () => {
    validate(funcYaml);
    expect(validate.errors ?? []).toEqual([]);
  });

  it.each([
    ['an unknown key', { ...func, envs: [] }],
    ['a created time that is not a date-time', { ...func, created: 'yesterday' }],
    ['a negative minimum scale', { ...func, deploy: { ...func.deploy, options: { scale: { min: -1 } } } }],
  ])('would reject %s (the schema is really applied)', (_, broken) => {
    expect(validate(broken)).toBe(false);
  });
});

describe('func.yaml beyond the schema', () => {
  it('deploys kernel-gossip-ingest into kernel-gossip as its own ServiceAccount, shipped in knative/', () => {
    expect({ name: func.name, namespace: func.namespace, runtime: func.runtime }).toEqual({
      name: 'kernel-gossip-ingest',
      namespace: NAMESPACE,
      runtime: 'typescript',
    });
    const accounts = ofKind(loadManifests(), 'ServiceAccount').map((m) => m.object.metadata);
    expect(accounts).toContainEqual(
      expect.objectContaining({ name: func.deploy.serviceAccountName, namespace: NAMESPACE }),
    );
  });

  it('commits no deploy-time state (kn writes namespace, image and deployer after a deploy)', () => {
    for (const key of ['namespace', 'image', 'deployer']) expect(func.deploy, key).not.toHaveProperty(key);
  });

  it('leaves Triggers to knative/, where they carry retries and a dead-letter sink', () => {
    expect(func.deploy.subscriptions).toBeUndefined();
  });

  it('sets only settings the ingest reads, with values its config accepts, and never PORT', () => {
    expect(envProblems(func.run.envs, INGEST_SETTINGS)).toEqual([]);
    expect(func.run.envs.map((e) => e.name)).toContain('WEBHOOK_TOKEN');
  });

  it('builds with `npm run build` and starts the server that serves either function', () => {
    const packageJson: unknown = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    const scripts = isRecord(packageJson) && isRecord(packageJson.scripts) ? packageJson.scripts : {};
    expect(func.build.buildEnvs).toContainEqual({ name: 'BP_NODE_RUN_SCRIPTS', value: 'build' });
    expect(scripts).toHaveProperty('build');
    // The sweep Service runs this image's `npm start` too, picked by KERNEL_GOSSIP_FUNCTION; the
    // script gives each function its heap (test/unit/packaging/start.test.ts).
    expect(scripts.start).toBe('sh scripts/start.sh');
  });

  it('builds the image on Node 24, a supported LTS, which package.json engines allows and the bundle test runs', () => {
    const packageJson: unknown = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    const engines = isRecord(packageJson) && isRecord(packageJson.engines) ? packageJson.engines : {};
    expect(func.build.buildEnvs).toContainEqual({ name: 'BP_NODE_VERSION', value: '24.*' });
    expect(String(engines.node).split(' || ')).toContain('^24.0.0');
    expect(IMAGE_NODE_VERSION).toMatch(/^24\./);
  });

  it('caps events in flight so a burst cannot flood the API server, and scales to zero', () => {
    const { scale, resources } = func.deploy.options;
    expect(scale.min).toBe(0);
    expect(scale.metric).toBe('concurrency');
    expect(scale.target).toBeLessThanOrEqual(resources.limits.concurrency);
    expect(scale.max * resources.limits.concurrency).toBeLessThanOrEqual(250);
  });

  it('has no CPU limit (a CFS quota would throttle it) and a memory limit above its request', () => {
    const { requests, limits } = func.deploy.options.resources;
    expect(limits.cpu).toBeUndefined();
    expect(mebibytes(limits.memory)).toBeGreaterThan(mebibytes(requests.memory));
  });
});

function mebibytes(quantity: string): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (match === null) throw new Error(`Unexpected memory quantity ${quantity}`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}
