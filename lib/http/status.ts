import {
  BatchFailedError,
  ContainerNotInPodError,
  InvalidInputError,
  KubeApiError,
  NamespaceNotAllowedError,
  OverloadedError,
  PayloadTooLargeError,
  PodNotResolvedError,
  PodUnresolvableError,
  RequestTimeoutError,
  SenderNotAllowedError,
  UnauthenticatedError,
  UnsupportedEventTypeError,
  UnsupportedMediaTypeError,
} from '../errors.js';
import { printable } from './body.js';

/**
 * The one place where errors become HTTP statuses. It encodes the Knative
 * data-plane retry table: 400 and other 4xx are never retried (the event goes to
 * the dead-letter sink); 404, 408, 409, 429 and 5xx are retried with backoff.
 * See knative.dev/docs/eventing/event-delivery ("retry" section).
 */
export type HttpFailure = { readonly status: number; readonly retried: boolean; readonly reason: string };

export function httpFailureFor(error: Error): HttpFailure {
  if (error instanceof InvalidInputError) return never(400, 'InvalidEvent');
  // No, a malformed, expired or foreign token, or one for another audience: never retried.
  if (error instanceof UnauthenticatedError) return never(401, 'Unauthenticated');
  // A valid token of a ServiceAccount that is not an allowed sender: never retried.
  if (error instanceof SenderNotAllowedError) return never(403, 'SenderNotAllowed');
  if (error instanceof NamespaceNotAllowedError) return never(403, 'NamespaceNotAllowed');
  if (error instanceof PayloadTooLargeError) return never(413, 'PayloadTooLarge');
  // 408 is retried by Knative: a slow network deserves another try, a stalled client costs us nothing.
  if (error instanceof RequestTimeoutError) return retried(408, 'RequestTimeout');
  if (error instanceof UnsupportedMediaTypeError) return never(415, 'UnsupportedMediaType');
  if (error instanceof UnsupportedEventTypeError) return never(422, 'UnsupportedEventType');
  // 503, not 429: the limit is this instance's memory, not the sender's rate (RFC 9110, 15.6.4, "temporary
  // overload"); the Broker retries both and honours Retry-After on both; 429 here already means the API server throttles.
  if (error instanceof OverloadedError) return retried(503, 'Overloaded');
  // 404 is on Knative's retry list: the container ID reaches pod status only after start.
  if (error instanceof PodNotResolvedError) return retried(404, 'PodNotResolvedYet');
  if (error instanceof PodUnresolvableError) return never(422, 'PodUnresolvable');
  // Containers of a pod never change: retrying cannot help, the dead-letter sink shows the observer's mistake.
  if (error instanceof ContainerNotInPodError) return never(422, 'ContainerNotInPod');
  if (error instanceof KubeApiError) return forApiFailure(error);
  if (error instanceof BatchFailedError) return forBatch(error);
  return retried(500, 'InternalError');
}

/**
 * A batch gets one answer, and Knative redelivers or dead-letters it whole. So
 * when any of its events failed with a retried status, the batch gets that
 * status: no event that could still succeed goes to the dead-letter sink, and
 * the events already applied cost nothing when redelivered (every write is
 * idempotent). Only when every failure is permanent does the batch get the
 * first permanent status.
 */
function forBatch(error: BatchFailedError): HttpFailure {
  const failures = error.failures.map((member) => httpFailureFor(member.error));
  return failures.find((failure) => failure.retried) ?? failures[0] ?? retried(500, 'InternalError');
}

function forApiFailure(error: KubeApiError): HttpFailure {
  switch (error.failure) {
    case 'throttled':
      return retried(429, 'ApiServerThrottled');
    case 'conflict':
      return retried(409, 'Conflict');
    // Our own object was refused: retrying the same event cannot help.
    case 'rejected':
      return never(422, 'ObjectRejected');
    // Missing RBAC is fixed by an operator, after which a retry succeeds.
    case 'forbidden':
    case 'not-found':
    case 'unavailable':
      return retried(503, 'ApiServerUnavailable');
  }
}

function never(status: number, reason: string): HttpFailure {
  return { status, retried: false, reason };
}

function retried(status: number, reason: string): HttpFailure {
  return { status, retried: true, reason };
}

/**
 * What a client is told about a failure: the message for its own mistakes, a
 * generic one for ours, Retry-After when trying again can help, and the scheme
 * to authenticate with on a 401 (RFC 6750, section 3).
 */
export function failureReply(
  failure: HttpFailure,
  error: Error,
): { readonly message: string; readonly headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  if (failure.retried) headers['retry-after'] = '1';
  if (failure.status === 401) headers['www-authenticate'] = 'Bearer realm="kernel-gossip"';
  return { message: publicMessage(failure, error), headers };
}

/** Failures of a batch named in its answer; the rest are counted. */
const NAMED_FAILURES = 10;

/**
 * A message a client may read. Server errors may carry internals, and whatever
 * the API server said (paths, names, its own messages) stays in our logs: the
 * client learns the reason only. A batch names its failed members the same way.
 */
export function publicMessage(failure: HttpFailure, error: Error): string {
  if (error instanceof BatchFailedError) {
    const named = error.failures.slice(0, NAMED_FAILURES).map((member) => {
      const memberFailure = httpFailureFor(member.error);
      const id = member.id === undefined ? '' : ` (id ${printable(member.id, 64)})`;
      return `[${member.index}]${id} ${memberFailure.status} ${memberFailure.reason}: ${publicMessage(memberFailure, member.error)}`;
    });
    const more = error.failures.length - named.length;
    return `${error.message}: ${named.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
  }
  if (failure.status >= 500) return 'Temporarily unable to process the request; retry later';
  if (error instanceof KubeApiError) return `The API server did not accept the request (${failure.reason})`;
  return error.message;
}

/**
 * The local viewer's status when a read made with the person's own credentials
 * fails: their RBAC saying no is a 403 they can act on (as kubectl's
 * "Forbidden"), a missing object a 404, and the API server failing or out of
 * reach a 502, since the viewer only relays it.
 */
export function viewerStatusFor(error: Error): number {
  if (!(error instanceof KubeApiError)) return 500;
  if (error.failure === 'forbidden') return 403;
  if (error.failure === 'not-found') return 404;
  if (error.failure === 'throttled') return 429;
  return 502;
}
