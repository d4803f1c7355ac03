import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { type Config, ConfigError, parseConfig } from '../lib/config.js';
import { connectKubeApi } from '../lib/k8s/client.js';
import { createLogger, type Logger } from '../lib/log.js';
import { buildIngest } from './ingest/create.js';
import { createIngestMetrics } from './ingest/metrics.js';
import { buildSweep } from './sweep/create.js';
import { createSweepMetrics } from './sweep/metrics.js';

/**
 * Start-up of both functions (one image; KERNEL_GOSSIP_FUNCTION picks which):
 * config parsed once, one API client, the Hono app served on PORT (8080 under
 * Knative), stopped cleanly on SIGTERM so in-flight events finish.
 */
const REQUEST_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel, name: `kernel-gossip-${config.function}` });
  const { app, credentials } = await buildApp(config, log);
  const server = serve(
    {
      fetch: app.fetch,
      port: config.port,
      serverOptions: { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS },
    },
    (info) => {
      log.info(
        { port: info.port, function: config.function, credentials, auth: authSummary(config) },
        `Serving ${config.function} on port ${info.port}`,
      );
      if (!config.auth.required) log.warn('AUTH_REQUIRED=false: anyone who reaches this function may post events');
    },
  );
  const stop = (signal: string) => {
    log.info({ signal }, 'Shutting down');
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

function loadConfig(): Config {
  try {
    return parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** `credentials` says which reader found the API server (lib/k8s/credentials.ts); start-up logs it. */
async function buildApp(config: Config, log: Logger): Promise<{ app: Hono; credentials: string }> {
  if (config.function === 'sweep') {
    const metrics = createSweepMetrics();
    const api = await connectKubeApi({ ...config.apiServer, observe: metrics.observeApiRequest });
    return { app: buildSweep({ config, api, issuer: api.issuer, log, metrics }), credentials: api.credentials };
  }
  const metrics = createIngestMetrics();
  const api = await connectKubeApi({ ...config.apiServer, observe: metrics.observeApiRequest });
  return { app: buildIngest({ config, api, issuer: api.issuer, log, metrics }), credentials: api.credentials };
}

function authSummary(config: Config): { required: boolean; audience?: string; subjects?: string[] } {
  if (!config.auth.required) return { required: false };
  return { required: true, audience: config.auth.audience, subjects: [...config.auth.subjects] };
}

main().catch((error: unknown) => {
  process.stderr.write(`kernel-gossip failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
