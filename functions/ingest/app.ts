import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { readCloudEvents } from '../../lib/cloudevents.js';
import { BatchFailedError, UnauthenticatedError, UnsupportedMediaTypeError } from '../../lib/errors.js';
import { headerRecord, parseJson, printable, readRouteBody } from '../../lib/http/body.js';
import { addHealthRoutes } from '../../lib/http/health.js';
import { BytesInFlight, boundBodiesInFlight } from '../../lib/http/in-flight.js';
import { isJson, parseMediaType } from '../../lib/http/media-type.js';
import { failureReply, httpFailureFor } from '../../lib/http/status.js';
import { bearerTokenMatches } from '../../lib/http/token.js';
import type { Logger } from '../../lib/log.js';
import { candidateFromCloudEvent, candidateFromLegacy } from './candidates.js';
import { type Delivery, deliveryOf, failuresOf, ingestAll, labelOf } from './deliveries.js';
import type { IngestDeps, IngestOutcome } from './handle.js';
import type { IngestMetrics } from './metrics.js';
import { recordedErrors } from './outcomes.js';

export type IngestAppDeps = IngestDeps & {
  readonly log: Logger;
  readonly metrics: IngestMetrics;
  readonly now: () => number;
  /** Sender identity, checked before the body is read (lib/http/sender-auth.ts). */
  readonly authenticate: MiddlewareHandler;
};

/**
 * Routes of the ingest function. `POST /` answers a Knative Broker: 202 with an
 * empty body (a 2xx whose body is not a CloudEvent would count as a failed
 * delivery), the outcome in `Kernel-Gossip-Outcome` / `Kernel-Gossip-Reason`.
 */
/**
 * How long a request waits for room among the bodies in flight before it is
 * answered 503: long enough for a few large reports ahead of it to finish,
 * far inside Knative's request timeout (300 s by default).
 */
const BODY_WAIT_MS = 10_000;

export function createIngestApp(deps: IngestAppDeps): Hono {
  const app = new Hono();
  addHealthRoutes(app, deps.metrics.registry);
  app.use('/', deps.authenticate);
  const budget = new BytesInFlight(deps.config.bodyBytesInFlight, BODY_WAIT_MS);
  const inFlight = boundBodiesInFlight(budget, deps.config.bodyLimitBytes);

  app.post('/', inFlight, async (c) => {
    const body = await readRouteBody(c, {
      maxBytes: deps.config.bodyLimitBytes,
      deadlineMs: deps.config.bodyTimeoutMs,
    });
    const reading = readCloudEvents(headerRecord(c.req.raw.headers), body);
    const deliveries = reading.batch
      ? reading.results.map((result, index) => deliveryOf(result, index, deps.now()))
      : [{ event: labelOf(reading.event), candidate: candidateFromCloudEvent(reading.event, deps.now()) }];
    const outcomes = await settle(deps, deliveries, reading.batch);
    const summary =
      outcomes.length === 1 && outcomes[0] !== undefined
        ? outcomes[0]
        : outcomes.length === 0
          ? { result: 'skipped', reason: 'empty batch' }
          : { result: 'applied', reason: `${outcomes.length} events processed` };
    return c.body(null, 202, {
      'kernel-gossip-outcome': summary.result,
      'kernel-gossip-reason': printable(summary.reason, 200),
    });
  });

  const legacy = async (c: Context) => {
    if (
      deps.config.webhookToken !== undefined &&
      !bearerTokenMatches(c.req.header('authorization'), deps.config.webhookToken)
    ) {
      throw new UnauthenticatedError('The webhook token is missing or wrong');
    }
    const contentType = parseMediaType(c.req.header('content-type'));
    if (typeof contentType !== 'object' || !isJson(contentType))
      throw new UnsupportedMediaTypeError('The webhook accepts application/json (UTF-8) only');
    const body = await readRouteBody(c, {
      maxBytes: deps.config.bodyLimitBytes,
      deadlineMs: deps.config.bodyTimeoutMs,
    });
    const candidate = candidateFromLegacy(parseJson(body, 'body'), c.req.path, deps.now());
    const [outcome] = await settle(deps, [{ event: { id: candidate.id, source: candidate.source }, candidate }], false);
    const status = outcome?.result === 'skipped' ? 'skipped' : 'accepted';
    return c.json({ status, message: outcome?.reason ?? '' });
  };
  app.post('/webhook/ebpf', inFlight, legacy);
  app.post('/webhook/pixie', inFlight, legacy);

  app.onError((error, c) => {
    const failure = httpFailureFor(error);
    const level = failure.status >= 500 || failure.reason === 'ObjectRejected' ? 'error' : 'warn';
    if (!recordedErrors.has(error)) {
      deps.log[level](
        {
          path: c.req.path,
          status: failure.status,
          reason: failure.reason,
          err: level === 'error' ? error : undefined,
        },
        `Refused request: ${error.message}`,
      );
      deps.metrics.events.inc({ type: 'unknown', outcome: failure.retried ? 'failed' : 'rejected' });
    }
    const { message, headers } = failureReply(failure, error);
    if (c.req.path.startsWith('/webhook/')) return c.json({ status: 'error', message }, failure.status as 400, headers);
    return c.json({ error: failure.reason, message }, failure.status as 400, headers);
  });
  return app;
}

/**
 * Every event is ingested; a failed one fails the request: a single event with
 * its own error, a batch with all of its failures (lib/http/status.ts chooses
 * the status). Everything is idempotent, so a redelivered batch re-applies nothing.
 */
async function settle(deps: IngestAppDeps, deliveries: readonly Delivery[], batch: boolean): Promise<IngestOutcome[]> {
  const settled = await ingestAll(deps, deliveries);
  const failures = failuresOf(deliveries, settled);
  const first = failures[0];
  if (first !== undefined) {
    const error = batch ? new BatchFailedError(failures, settled.length) : first.error;
    recordedErrors.add(error);
    throw error;
  }
  return settled.map((result) => (result as PromiseFulfilledResult<IngestOutcome>).value);
}
