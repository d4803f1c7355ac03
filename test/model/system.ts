import type { Hono } from 'hono';
import { buildIngest } from '../../functions/ingest/create.js';
import { createIngestMetrics } from '../../functions/ingest/metrics.js';
import { buildSweep } from '../../functions/sweep/create.js';
import { createSweepMetrics } from '../../functions/sweep/metrics.js';
import { CONFIG_MAP, EVENT, KERNEL_WHISPER, POD, POD_BIRTH_CERTIFICATE } from '../../lib/api/group.js';
import { parseConfig } from '../../lib/config.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import { createLogger } from '../../lib/log.js';
import { FaultyKubeApi } from './faulty-api.js';
import { SETTINGS } from './rules.js';
import { INSTANCES } from './world.js';

/**
 * The real side of a sequence: two ingest instances (each with its own caches)
 * and a sweep, the functions' own Hono apps over the real API server, one
 * namespace, and a simulated clock both read as `now`.
 */
export type Cluster = {
  /** Admin access to the run's API server (our KubeApi: managedFields dropped). */
  readonly api: KubeApi;
  /** Raw requests, for what KubeApi does not do (the resize subresource, managedFields). */
  request(method: string, path: string, body?: { contentType: string; json: unknown }): Promise<RawResult>;
  /** Stores an object under the earlier operator's CRD, or undefined when etcd is out of reach. */
  readonly storeInEtcd?: (key: string, value: unknown) => Promise<void>;
};

export type RawResult = { readonly status: number; readonly body: unknown };

export type System = {
  readonly cluster: Cluster;
  readonly namespace: string;
  readonly clock: { nowMs: number };
  readonly faults: FaultyKubeApi;
  readonly ingest: readonly Hono[];
  readonly sweep: Hono;
  nextEventId: number;
};

const silent = createLogger({ level: 'silent', name: 'model' });

export function startSystem(cluster: Cluster, namespace: string, nowMs: number): System {
  const clock = { nowMs };
  const now = () => clock.nowMs;
  const faults = new FaultyKubeApi(cluster.api);
  const env = {
    RESOLVED_AFTER_SECONDS: String(SETTINGS.resolvedAfterMs / 1000),
    KW_RETENTION_SECONDS: String(SETTINGS.retentionMs.KernelWhisper / 1000),
    PBC_RETENTION_SECONDS: String(SETTINGS.retentionMs.PodBirthCertificate / 1000),
    UNRESOLVED_RETRY_SECONDS: String(SETTINGS.unresolvedRetryMs / 1000),
    MONITOR_POLICY: 'annotated',
    // Sender identity (lib/auth) has tests of its own; the model starts where an event is let in.
    AUTH_REQUIRED: 'false',
  };
  const ingest = Array.from({ length: INSTANCES }, (_, i) =>
    buildIngest({
      config: parseConfig({ ...env, KERNEL_GOSSIP_FUNCTION: 'ingest' }),
      api: faults,
      log: silent,
      metrics: createIngestMetrics(),
      now,
      reportingInstance: `model-ingest-${i}`,
    }),
  );
  const sweep = buildSweep({
    config: parseConfig({
      ...env,
      KERNEL_GOSSIP_FUNCTION: 'sweep',
      ALLOWED_NAMESPACES: namespace,
      MONITORED_PODS_NAMESPACE: namespace,
    }),
    api: cluster.api,
    log: silent,
    metrics: createSweepMetrics(),
    now,
  });
  return { cluster, namespace, clock, faults, ingest, sweep, nextEventId: 0 };
}

export type Snapshot = {
  readonly objects: KubeObject[];
  readonly podEvents: (KubeObject & Record<string, unknown>)[];
  readonly monitoredPods: string | undefined;
};

/** Our objects in the namespace, as the API server holds them. */
export async function listObjects(system: System): Promise<KubeObject[]> {
  const options = { namespace: system.namespace };
  const [whispers, certificates] = await Promise.all([
    system.cluster.api.list(KERNEL_WHISPER, options),
    system.cluster.api.list(POD_BIRTH_CERTIFICATE, options),
  ]);
  return [...whispers.items, ...certificates.items];
}

export async function snapshot(system: System): Promise<Snapshot> {
  const [objects, events, configMap] = await Promise.all([
    listObjects(system),
    system.cluster.api.list<KubeObject & Record<string, unknown>>(EVENT, { namespace: system.namespace }),
    system.cluster.api.get<KubeObject & { data?: Record<string, string> }>(CONFIG_MAP, {
      namespace: system.namespace,
      name: 'ebpf-monitored-pods',
    }),
  ]);
  return { objects, podEvents: events.items, monitoredPods: configMap?.data?.pods };
}

export const POD_TYPE = POD;
