import type { Hono } from 'hono';
import type { Config } from '../../lib/config.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import type { Logger } from '../../lib/log.js';
import { createIngestApp } from './app.js';
import type { KernelIdentityResolver } from './locate.js';
import type { IngestMetrics } from './metrics.js';
import { PodDirectory } from './pods.js';
import { ApiIdentityResolver } from './resolver.js';
import { ObjectWriter } from './writer.js';

/** Wires the ingest function from its parts; tests call this with a real or fake KubeApi. */
export function buildIngest(options: { config: Config; api: KubeApi; log: Logger; metrics: IngestMetrics; now?: () => number; resolver?: KernelIdentityResolver }): Hono {
  const now = options.now ?? Date.now;
  const { config, api } = options;
  const writer = new ObjectWriter(api, { fieldManager: config.fieldManager, resolvedAfterMs: config.resolvedAfterMs, now });
  const pods = new PodDirectory(api);
  const resolver = options.resolver ?? new ApiIdentityResolver(api, { now, unresolvedRetryMs: config.unresolvedRetryMs });
  return createIngestApp({ config, pods, writer, resolver, log: options.log, metrics: options.metrics, now });
}
