import type { Hono } from 'hono';
import type { Registry } from 'prom-client';

/**
 * The Knative function runtime contract: liveness and readiness probes, plus
 * Prometheus metrics. `/health` answers "OK" as the earlier operator did.
 */
export function addHealthRoutes(app: Hono, registry: Registry): void {
  app.get('/health', (c) => c.text('OK'));
  app.get('/health/liveness', (c) => c.text('OK'));
  app.get('/health/readiness', (c) => c.text('OK'));
  app.get('/metrics', async (c) => c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }));
}
