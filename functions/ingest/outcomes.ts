import { asError, PodNotResolvedError, PodUnresolvableError } from '../../lib/errors.js';
import { type HttpFailure, httpFailureFor } from '../../lib/http/status.js';
import type { Logger } from '../../lib/log.js';
import type { Delivery } from './deliveries.js';
import type { IngestOutcome } from './handle.js';
import type { IngestMetrics } from './metrics.js';

/** Errors already logged and counted per event, so the HTTP error handler does not count them twice. */
export const recordedErrors = new WeakSet<Error>();

/** One log line and one count per event outcome; the payload itself is never logged. */
export function recordOutcomes(
  deps: { log: Logger; metrics: IngestMetrics },
  deliveries: readonly Delivery[],
  settled: readonly PromiseSettledResult<IngestOutcome>[],
  seconds: number,
): void {
  settled.forEach((result, i) => {
    const delivery = deliveries[i];
    if (delivery === undefined) return;
    const { event } = delivery;
    const type = 'candidate' in delivery ? delivery.candidate.kind : 'unknown';
    if (type !== 'unknown') deps.metrics.eventLatency.observe({ type }, seconds);
    if (result.status === 'fulfilled') {
      const { object, result: outcome, reason } = result.value;
      deps.metrics.events.inc({ type, outcome });
      deps.log.info({ event, object, outcome, reason }, messageFor(result.value));
      return;
    }
    const error = asError(result.reason);
    recordedErrors.add(error);
    const failure = httpFailureFor(error);
    deps.metrics.events.inc({ type, outcome: failedOutcome(error, failure) });
    const level = failure.retried || failure.reason === 'ObjectRejected' ? 'error' : 'warn';
    deps.log[level](
      { event, status: failure.status, reason: failure.reason, err: error },
      type === 'unknown' ? 'Refused event' : `Could not apply ${type} event`,
    );
  });
}

/** Unresolved identities get their own outcomes: a rising count of either says the observer and the API disagree. */
function failedOutcome(error: Error, failure: HttpFailure): string {
  if (error instanceof PodNotResolvedError) return 'unresolved';
  if (error instanceof PodUnresolvableError) return 'unresolvable';
  return failure.retried ? 'failed' : 'rejected';
}

function messageFor(outcome: IngestOutcome): string {
  const kind = outcome.object?.kind ?? 'event';
  if (outcome.result === 'applied') return `Applied ${kind}`;
  if (outcome.result === 'unchanged') return `${kind} already up to date`;
  if (outcome.result === 'stale') return `Ignored older observation for ${kind}`;
  return `Skipped event: ${outcome.reason}`;
}
