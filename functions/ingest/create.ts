import { hostname } from 'node:os';
import type { Hono } from 'hono';
import type { Config } from '../../lib/config.js';
import { senderAuthentication } from '../../lib/http/sender-auth.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import type { IssuerApi } from '../../lib/k8s/issuer.js';
import type { Logger } from '../../lib/log.js';
import { createIngestApp } from './app.js';
import type { IngestMetrics } from './metrics.js';
import { PodEventRecorder } from './pod-events.js';
import { PodDirectory } from './pods.js';
import { ApiIdentityResolver, type ResolverOptions } from './resolver.js';
import { ObjectWriter } from './writer.js';

export type IngestOptions = {
  readonly config: Config;
  readonly api: KubeApi;
  /** Publishes the keys that sender tokens are verified with; needed unless AUTH_REQUIRED=false. */
  readonly issuer?: IssuerApi;
  readonly log: Logger;
  readonly metrics: IngestMetrics;
  readonly now?: () => number;
  /** Rate limits and bounds of identity resolution, for tests; the defaults are production's. */
  readonly resolver?: Partial<ResolverOptions>;
  /** Least time between two series updates of one pod Event from this instance. */
  readonly eventSeriesIntervalMs?: number;
  /** `reportingInstance` of the Events; in Knative the pod name, which is the hostname. */
  readonly reportingInstance?: string;
};

/** A person reading `kubectl describe pod` needs the count, not its every step; the benchmark showed a 60 s refresh as extra writes per event. */
const EVENT_SERIES_INTERVAL_MS = 5 * 60_000;

/** Wires the ingest function from its parts; tests call this with a real or fake KubeApi. */
export function buildIngest(options: IngestOptions): Hono {
  const now = options.now ?? Date.now;
  const { config, api, log, metrics } = options;
  const writer = new ObjectWriter(api, {
    fieldManager: config.fieldManagers.ingest,
    resolvedAfterMs: config.resolvedAfterMs,
    targetPercent: config.targetPercent,
    now,
  });
  const pods = new PodDirectory(api, { now });
  const resolver = new ApiIdentityResolver(api, pods, {
    now,
    unresolvedRetryMs: config.unresolvedRetryMs,
    ...options.resolver,
  });
  const podEvents = new PodEventRecorder(api, {
    fieldManager: config.fieldManagers.ingest,
    reportingInstance: options.reportingInstance ?? hostname(),
    seriesIntervalMs: options.eventSeriesIntervalMs ?? EVENT_SERIES_INTERVAL_MS,
    now,
    log,
    metrics,
  });
  const authenticate = senderAuthentication({
    auth: config.auth,
    issuer: options.issuer,
    bodyLimitBytes: config.bodyLimitBytes,
    now,
  });
  return createIngestApp({ config, pods, writer, resolver, podEvents, log, metrics, now, authenticate });
}
