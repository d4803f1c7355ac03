import type { Hono } from 'hono';
import type { Config } from '../../lib/config.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import type { Logger } from '../../lib/log.js';
import { createSweepApp } from './app.js';
import type { SweepMetrics } from './metrics.js';

/** Wires the sweep function from its parts; tests call this with a real or fake KubeApi and a fixed clock. */
export function buildSweep(options: {
  config: Config;
  api: KubeApi;
  log: Logger;
  metrics: SweepMetrics;
  now?: () => number;
}): Hono {
  return createSweepApp({
    config: options.config,
    api: options.api,
    log: options.log,
    metrics: options.metrics,
    now: options.now ?? Date.now,
  });
}
