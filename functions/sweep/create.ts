import type { Hono } from 'hono';
import type { Config } from '../../lib/config.js';
import { senderAuthentication } from '../../lib/http/sender-auth.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import type { IssuerApi } from '../../lib/k8s/issuer.js';
import type { Logger } from '../../lib/log.js';
import { createSweepApp } from './app.js';
import type { SweepMetrics } from './metrics.js';

/** Wires the sweep function from its parts; tests call this with a real or fake KubeApi and a fixed clock. */
export function buildSweep(options: {
  config: Config;
  api: KubeApi;
  /** Publishes the keys that sender tokens are verified with; needed unless AUTH_REQUIRED=false. */
  issuer?: IssuerApi;
  log: Logger;
  metrics: SweepMetrics;
  now?: () => number;
}): Hono {
  const now = options.now ?? Date.now;
  return createSweepApp({
    config: options.config,
    api: options.api,
    log: options.log,
    metrics: options.metrics,
    now,
    authenticate: senderAuthentication({
      auth: options.config.auth,
      issuer: options.issuer,
      bodyLimitBytes: options.config.bodyLimitBytes,
      now,
    }),
  });
}
