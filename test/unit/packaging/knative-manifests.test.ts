import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPE, PING_EVENT_TYPE } from '../../../lib/events/types.js';
import { parseCron } from './cron.js';
import {
  BrokerSchema,
  type KReference,
  KReferenceSchema,
  PingSourceSchema,
  retryWindowSeconds,
  TriggerSchema,
} from './knative-schemas.js';
import {
  allManifestFiles,
  CLUSTER_SCOPED_KINDS,
  findKey,
  functionService,
  isRecord,
  type KubeObject,
  knativeDir,
  loadManifests,
  NAMESPACE,
  ofKind,
  parseAs,
  repoRoot,
  sweepDir,
  yamlFilesIn,
} from './manifests.js';

/**
 * What the Knative CRD schemas cannot check (Knative's webhook does not run in the test API
 * server): routing, references between objects, delivery and the cron schedule.
 */

const EVENT_TYPES: readonly string[] = Object.values(EVENT_TYPE);
const PING_TYPE = PING_EVENT_TYPE;
const DEAD_LETTER = 'kernel-gossip-dead-letter';
const SWEEP = 'kernel-gossip-sweep';

const manifests = loadManifests();
const ingest = functionService();
const shipped: KubeObject[] = [...manifests.map((m) => m.object), ingest];
const triggers = ofKind(manifests, 'Trigger').map((m) => parseAs(TriggerSchema, m.object, m.file));
const brokers = ofKind(manifests, 'Broker').map((m) => parseAs(BrokerSchema, m.object, m.file));
const pingSources = ofKind(manifests, 'PingSource').map((m) => parseAs(PingSourceSchema, m.object, m.file));
const [pingSource] = pingSources;
const pingSourceId = (ps: { metadata: { name: string; namespace: string } }): string =>
  `/apis/v1/namespaces/${ps.metadata.namespace}/pingsources/${ps.metadata.name}`;

function resolves(ref: KReference, parentNamespace: string): boolean {
  return shipped.some(
    (o) =>
      o.apiVersion === ref.apiVersion &&
      o.kind === ref.kind &&
      o.metadata.name === ref.name &&
      (o.metadata.namespace ?? '') === (ref.namespace ?? parentNamespace),
  );
}

describe('knative/ files', () => {
  it.each(allManifestFiles().map((file) => path.relative(repoRoot, file)))(
    '%s starts with a comment saying what it is',
    (file) => {
      expect(readFileSync(path.join(repoRoot, file), 'utf8')).toMatch(/^# \S.{20,}\n/);
    },
  );

  it('are Kubernetes objects named once each, namespaced in kernel-gossip unless cluster-scoped', () => {
    const ids = manifests.map(({ object: o }) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { file, object } of manifests) {
      const expected = CLUSTER_SCOPED_KINDS.has(object.kind) ? undefined : NAMESPACE;
      expect(object.metadata.namespace, `${file} ${object.kind}/${object.metadata.name}`).toBe(expected);
    }
  });

  it('leave the sweep out of `kubectl apply -f knative/` until its image exists', () => {
    const topLevel = loadManifests(yamlFilesIn(knativeDir)).map((m) => m.object);
    expect(topLevel.filter((o) => o.metadata.name === SWEEP && o.kind === 'Service')).toEqual([]);
    const sweepFolder = loadManifests(yamlFilesIn(sweepDir)).map((m) => `${m.object.kind}/${m.object.metadata.name}`);
    expect(sweepFolder).toEqual([`Service/${SWEEP}`]);
    // The deploy command replaces this; the reserved .invalid TLD can never resolve to an image.
    expect(readFileSync(path.join(sweepDir, `${SWEEP}.yaml`), 'utf8').match(/^\s+- image: (.+)$/gm)).toEqual([
      '        - image: registry.invalid/kernel-gossip/replaced-by-deploy-command:0',
    ]);
  });
});

describe('routing', () => {
  it('sends each kernel event type to the ingest function through exactly one Trigger', () => {
    const toIngest = triggers.filter((t) => t.spec.subscriber.ref.name === ingest.metadata.name);
    const types = toIngest.map((t) => t.spec.filter.attributes);
    expect(types).toEqual(expect.arrayContaining(EVENT_TYPES.map((type) => ({ type }))));
    expect(types).toHaveLength(EVENT_TYPES.length);
  });

  it("sends only this PingSource's pings to the sweep", () => {
    expect(pingSources).toHaveLength(1);
    const toSweep = triggers.filter((t) => t.spec.subscriber.ref.name === SWEEP);
    expect(toSweep.map((t) => t.spec.filter.attributes)).toEqual([
      { type: PING_TYPE, source: pingSource === undefined ? '' : pingSourceId(pingSource) },
    ]);
  });

  it('filters every Trigger on one of our exact event types, or on the ping type and its source', () => {
    const allowed = [
      ...EVENT_TYPES.map((type) => ({ type })),
      ...pingSources.map((ps) => ({ type: PING_TYPE, source: pingSourceId(ps) })),
    ];
    for (const trigger of triggers) {
      expect(allowed, trigger.metadata.name).toContainEqual(trigger.spec.filter.attributes);
    }
  });

  it('hangs every Trigger on a Broker shipped in its namespace', () => {
    for (const trigger of triggers) {
      const broker = brokers.find((b) => b.metadata.name === trigger.spec.broker);
      expect(broker?.metadata.namespace, trigger.metadata.name).toBe(trigger.metadata.namespace);
    }
  });

  it('refers every subscriber, sink and dead-letter sink to an object shipped in the same namespace', () => {
    const refs = manifests.flatMap(({ file, object }) =>
      ['subscriber', 'sink', 'deadLetterSink'].flatMap((key) =>
        findKey(object, key).map((found) => ({
          where: `${file} ${object.metadata.name} ${found.path}`,
          found,
          object,
        })),
      ),
    );
    expect(refs.length).toBeGreaterThanOrEqual(triggers.length * 2 + pingSources.length);
    for (const { where, found, object } of refs) {
      const ref = isRecord(found.value) ? found.value.ref : undefined;
      expect(isRecord(ref), where).toBe(true);
      const reference = parseAs(KReferenceSchema, ref, where);
      // Knative refuses cross-namespace refs unless a feature flag is on.
      expect(reference.namespace ?? object.metadata.namespace, where).toBe(object.metadata.namespace);
      expect(resolves(reference, object.metadata.namespace ?? ''), where).toBe(true);
    }
  });
});

describe('delivery', () => {
  it('retries every Trigger and the Broker with exponential backoff into the dead-letter sink', () => {
    for (const { metadata, spec } of [...triggers, ...brokers]) {
      expect(spec.delivery.deadLetterSink.ref.name, metadata.name).toBe(DEAD_LETTER);
    }
  });

  it('keeps retrying an event for the ingest long enough to ride out an API server restart', () => {
    for (const trigger of triggers.filter((t) => t.spec.subscriber.ref.name === ingest.metadata.name)) {
      expect(retryWindowSeconds(trigger.spec.delivery), trigger.metadata.name).toBeGreaterThanOrEqual(300);
    }
  });

  it('stops retrying a sweep well before the next ping', () => {
    const sweepTrigger = triggers.find((t) => t.spec.subscriber.ref.name === SWEEP);
    expect(sweepTrigger).toBeDefined();
    if (sweepTrigger !== undefined) expect(retryWindowSeconds(sweepTrigger.spec.delivery)).toBeLessThan(300 / 2);
  });
});

describe('the sweep schedule', () => {
  it.each(pingSources.map((ps) => [ps.metadata.name, ps] as const))('%s fires every 5 minutes', (_, ps) => {
    const result = parseCron(ps.spec.schedule);
    expect(result).toMatchObject({ ok: true, schedule: { hours: Array.from({ length: 24 }, (_h, i) => i) } });
    if (result.ok) expect(result.schedule.minutes).toEqual(Array.from({ length: 12 }, (_m, i) => i * 5));
  });

  it.each(pingSources.map((ps) => [ps.metadata.name, ps] as const))(
    '%s has a real time zone, JSON data, and the Broker as its sink',
    (_, ps) => {
      expect(() => new Intl.DateTimeFormat('en-US', { timeZone: ps.spec.timezone })).not.toThrow();
      expect(() => JSON.parse(ps.spec.data) as unknown).not.toThrow();
      expect(ps.spec.sink.ref.kind).toBe('Broker');
    },
  );
});
