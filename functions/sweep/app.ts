import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isCloudEventRequest, type ReceivedEvent, readCloudEvents } from '../../lib/cloudevents.js';
import { UnsupportedEventTypeError } from '../../lib/errors.js';
import { PING_EVENT_TYPE } from '../../lib/events/types.js';
import { type BodyLimits, headerRecord, readRouteBody } from '../../lib/http/body.js';
import { addHealthRoutes } from '../../lib/http/health.js';
import { failureReply, httpFailureFor } from '../../lib/http/status.js';
import type { Logger } from '../../lib/log.js';
import { type SweepDeps, type SweepReport, sweep } from './handle.js';
import type { SweepMetrics } from './metrics.js';
import { pageRecorder, recordSweep, recordSweepFailed } from './record.js';
import { SerialRunner } from './serial.js';

export type SweepAppDeps = SweepDeps & {
  readonly log: Logger;
  readonly metrics: SweepMetrics;
  /** Sender identity, checked before the body is read (lib/http/sender-auth.ts). */
  readonly authenticate: MiddlewareHandler;
};

/**
 * Routes of the sweep function. `POST /` runs a sweep for a PingSource CloudEvent
 * (binary or structured) or for a plain POST such as `curl -X POST`. A CloudEvent
 * gets 202 with an empty body, because a Knative Broker counts a 2xx reply whose
 * body is not a CloudEvent as a failed delivery; the summary goes to the log.
 * A person gets 200 with the summary as JSON. Sweeps of one instance run one at
 * a time (SerialRunner).
 */
export function createSweepApp(deps: SweepAppDeps): Hono {
  const app = new Hono();
  addHealthRoutes(app, deps.metrics.registry);
  const runner = new SerialRunner(() => timedSweep(deps));
  app.use('/', deps.authenticate);

  app.post('/', async (c) => {
    const events = await readPingEvents(c, {
      maxBytes: deps.config.bodyLimitBytes,
      deadlineMs: deps.config.bodyTimeoutMs,
    });
    const report = await runner.run();
    const status = report.retry?.status ?? (events === undefined ? 200 : 202);
    const first = events?.[0];
    const trigger =
      first === undefined ? { manual: true } : { event: { id: first.id, source: first.source, type: first.type } };
    deps.log[report.summary.failures.length === 0 ? 'info' : 'warn'](
      { ...trigger, status, summary: report.summary },
      'Swept',
    );
    if (events !== undefined)
      return c.body(null, status as ContentfulStatusCode, report.retry === undefined ? {} : { 'retry-after': '1' });
    return c.json(report.summary, status as ContentfulStatusCode);
  });

  app.onError((error, c) => {
    const failure = httpFailureFor(error);
    const level = failure.status >= 500 ? 'error' : 'warn';
    deps.log[level](
      { path: c.req.path, status: failure.status, reason: failure.reason, err: level === 'error' ? error : undefined },
      `Could not sweep: ${error.message}`,
    );
    const { message, headers } = failureReply(failure, error);
    return c.json({ error: failure.reason, message }, failure.status as ContentfulStatusCode, headers);
  });
  return app;
}

async function timedSweep(deps: SweepAppDeps): Promise<SweepReport> {
  const started = performance.now();
  try {
    const report = await sweep(deps, pageRecorder(deps));
    recordSweep(deps, report, (performance.now() - started) / 1000);
    return report;
  } catch (error) {
    recordSweepFailed(deps, (performance.now() - started) / 1000);
    throw error;
  }
}

/**
 * The ping events of a CloudEvents request, or undefined for a plain POST (no
 * `ce-` attribute header and no CloudEvents media type), whose body is ignored.
 * Envelopes go through the same schema as the ingest's; any invalid event, or
 * one that is not a ping, refuses the whole request (a sweep is not per event).
 */
async function readPingEvents(c: Context, limits: BodyLimits): Promise<ReceivedEvent[] | undefined> {
  const headers = headerRecord(c.req.raw.headers);
  if (!isCloudEventRequest(headers)) return undefined;
  const reading = readCloudEvents(headers, await readRouteBody(c, limits), { data: 'ignored' });
  const events = reading.batch
    ? reading.results.map((result) => {
        if (!result.ok) throw result.error;
        return result.event;
      })
    : [reading.event];
  const other = events.find((event) => event.type !== PING_EVENT_TYPE);
  if (other !== undefined) throw new UnsupportedEventTypeError(`The sweep handles ${PING_EVENT_TYPE} events only`);
  return events;
}
