import * as v from 'valibot';
import { documentsOf } from '../unit/packaging/manifests.js';
import { SYSTEM_NAMESPACE } from './install.js';

/**
 * Our Broker, Triggers and PingSource from knative/, changed only where a run on this
 * machine must differ from a cluster:
 * - what Eventing's webhook would default (it does not run): the Broker's class and config,
 *   each Trigger's broker label;
 * - the namespace (one per test file: without garbage collection nothing can be deleted
 *   cleanly, so every file gets fresh objects), and what names it: the PingSource's source in
 *   the sweep Trigger's filter, and the Broker's audience the PingSource asks a token for;
 * - Knative Services (the functions, the dead-letter sink) as URIs on loopback, since no
 *   Knative Serving runs here;
 * - optionally the PingSource's schedule, so a test need not wait five minutes.
 * Delivery settings (retries, backoff) and filters stay exactly as shipped.
 */
export type LocalTargets = {
  readonly namespace: string;
  /** URI per Knative Service name (kernel-gossip-ingest, kernel-gossip-sweep, kernel-gossip-dead-letter). */
  readonly services: Readonly<Record<string, string>>;
  readonly schedule?: string;
};

const ObjectSchema = v.looseObject({
  apiVersion: v.string(),
  kind: v.string(),
  metadata: v.looseObject({
    name: v.string(),
    namespace: v.optional(v.string()),
    labels: v.optional(v.record(v.string(), v.string())),
    annotations: v.optional(v.record(v.string(), v.string())),
  }),
});
export type LocalObject = v.InferOutput<typeof ObjectSchema> & Record<string, unknown>;

const BROKER_CLASS = 'eventing.knative.dev/broker.class';

/** The Broker as Eventing's webhook would leave it: the class and config the cluster defaults name. */
export function withBrokerDefaults(broker: LocalObject): LocalObject {
  const spec = v.parse(v.looseObject({}), broker.spec ?? {});
  return {
    ...broker,
    metadata: {
      ...broker.metadata,
      annotations: { [BROKER_CLASS]: 'MTChannelBasedBroker', ...broker.metadata.annotations },
    },
    spec: {
      config: { apiVersion: 'v1', kind: 'ConfigMap', name: 'config-br-default-channel', namespace: SYSTEM_NAMESPACE },
      ...spec,
    },
  };
}

/** The objects of these knative/ files that Eventing runs (Broker, Triggers, PingSource), made local. */
export function localObjects(files: readonly string[], targets: LocalTargets): LocalObject[] {
  const wanted = new Set(['Broker', 'Trigger', 'PingSource']);
  return files
    .flatMap((file) => documentsOf(file).map((document) => v.parse(ObjectSchema, document) as LocalObject))
    .filter((object) => wanted.has(object.kind))
    .map((object) => localize(object, targets));
}

function localize(object: LocalObject, targets: LocalTargets): LocalObject {
  const shipped = object.metadata.namespace ?? '';
  const moved = { ...object, metadata: { ...object.metadata, namespace: targets.namespace } };
  const rewritten = rewriteDestinations(moved, targets) as LocalObject;
  if (object.kind === 'Broker') return withBrokerDefaults(rewritten);
  if (object.kind === 'Trigger') return localTrigger(rewritten, shipped, targets.namespace);
  if (object.kind === 'PingSource') return localPingSource(rewritten, shipped, targets);
  return rewritten;
}

/** The Broker's audience names its namespace (`eventing.knative.dev/broker/<namespace>/<name>`), so it moves too. */
function localPingSource(source: LocalObject, shipped: string, targets: LocalTargets): LocalObject {
  const spec = v.parse(v.looseObject({ sink: v.looseObject({ audience: v.optional(v.string()) }) }), source.spec);
  const audience = spec.sink.audience?.replace(`/broker/${shipped}/`, `/broker/${targets.namespace}/`);
  return {
    ...source,
    spec: {
      ...spec,
      sink: { ...spec.sink, ...(audience === undefined ? {} : { audience }) },
      ...(targets.schedule === undefined ? {} : { schedule: targets.schedule }),
    },
  };
}

function localTrigger(trigger: LocalObject, shipped: string, namespace: string): LocalObject {
  const spec = v.parse(
    v.looseObject({ broker: v.string(), filter: v.object({ attributes: v.record(v.string(), v.string()) }) }),
    trigger.spec,
  );
  const attributes = Object.fromEntries(
    Object.entries(spec.filter.attributes).map(([name, value]) => [
      name,
      name === 'source' ? value.replace(`/namespaces/${shipped}/`, `/namespaces/${namespace}/`) : value,
    ]),
  );
  return {
    ...trigger,
    metadata: {
      ...trigger.metadata,
      labels: { ...trigger.metadata.labels, 'eventing.knative.dev/broker': spec.broker },
    },
    spec: { ...spec, filter: { attributes } },
  };
}

const ServiceRefSchema = v.looseObject({
  ref: v.object({ apiVersion: v.literal('serving.knative.dev/v1'), kind: v.literal('Service'), name: v.string() }),
});

/**
 * Every `{ref: <Knative Service>}` anywhere in the object becomes `{uri: <its local address>}`;
 * the rest of the destination (the `audience` sender identity uses) stays.
 */
function rewriteDestinations(value: unknown, targets: LocalTargets): unknown {
  const reference = v.safeParse(ServiceRefSchema, value);
  if (reference.success) {
    const { ref, ...rest } = reference.output;
    const uri = targets.services[ref.name];
    if (uri === undefined) throw new Error(`No local address for Knative Service ${ref.name}`);
    return { ...rest, uri };
  }
  if (Array.isArray(value)) return value.map((item) => rewriteDestinations(item, targets));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, rewriteDestinations(child, targets)]));
}
