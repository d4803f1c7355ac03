import { type Context, Hono } from 'hono';
import { readCloudEvents } from '../../lib/cloudevents.js';
import { asError, UnauthenticatedError, UnsupportedMediaTypeError } from '../../lib/errors.js';
import { headerRecord, mediaTypeOf, parseJson, printable, readRouteBody } from '../../lib/http/body.js';
import { addHealthRoutes } from '../../lib/http/health.js';
import { BytesInFlight, boundBodiesInFlight } from '../../lib/http/in-flight.js';
import { failureReply, httpFailureFor } from '../../lib/http/status.js';
import { bearerTokenMatches } from '../../lib/http/token.js';
import type { Logger } from '../../lib/log.js';
import { type Candidate, candidateFromCloudEvent, candidateFromLegacy } from './candidates.js';
import { type IngestDeps, type IngestOutcome, ingest } from './handle.js';
import type { IngestMetrics } from './metrics.js';
import { recordedErrors, recordOutcomes } from './outcomes.js';

export type IngestAppDeps = IngestDeps & {
  readonly log: Logger;
  readonly metrics: IngestMetrics;
  readonly now: () => number;
};

/**
 * Routes of the ingest function. `POST /` answers a Knative Broker: 202 with an
 * empty body (a 2xx whose body is not a CloudEvent would count as a failed
 * delivery), the outcome in `Kernel-Gossip-Outcome` / `Kernel-Gossip-Reason`.
 */
export function createIngestApp(deps: IngestAppDeps): Hono {
  const app = new Hono();
  addHealthRoutes(app, deps.metrics.registry);
  const inFlight = boundBodiesInFlight(new BytesInFlight(deps.config.bodyBytesInFlight), deps.config.bodyLimitBytes);

  app.post('/', inFlight, async (c) => {
    const body = await readRouteBody(c, {
      maxBytes: deps.config.bodyLimitBytes,
      deadlineMs: deps.config.bodyTimeoutMs,
    });
    const candidates = readCloudEvents(headerRecord(c.req.raw.headers), body).map((event) =>
      candidateFromCloudEvent(event, deps.now()),
    );
    const outcomes = await ingestAll(deps, candidates);
    const summary =
      outcomes.length === 1 && outcomes[0] !== undefined
        ? outcomes[0]
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
    if (mediaTypeOf(c.req.header('content-type')) !== 'application/json')
      throw new UnsupportedMediaTypeError('The webhook accepts application/json only');
    const body = await readRouteBody(c, {
      maxBytes: deps.config.bodyLimitBytes,
      deadlineMs: deps.config.bodyTimeoutMs,
    });
    const candidate = candidateFromLegacy(parseJson(body, 'body'), c.req.path, deps.now());
    const [outcome] = await ingestAll(deps, [candidate]);
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

/** Every event of a batch is processed; any failure fails the whole request so the sender retries it (idempotent). */
async function ingestAll(deps: IngestAppDeps, candidates: readonly Candidate[]): Promise<IngestOutcome[]> {
  const started = performance.now();
  const settled = await Promise.allSettled(candidates.map((candidate) => ingest(deps, candidate)));
  recordOutcomes(deps, candidates, settled, (performance.now() - started) / 1000);
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed !== undefined) throw asError(failed.reason);
  return settled.map((result) => (result as PromiseFulfilledResult<IngestOutcome>).value);
}
