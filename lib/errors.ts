/**
 * Errors that carry their meaning in their type. Every failure the functions can
 * meet is one of these; `lib/http/status.ts` maps them to HTTP in one place.
 */

/** Input that can never succeed, however often it is retried. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A well-formed CloudEvent of a type this function does not handle. */
export class UnsupportedEventTypeError extends Error {
  override readonly name = 'UnsupportedEventTypeError';
}

export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
}

/** The body did not arrive within the read deadline (a slow or stalled client). */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
}

export class UnsupportedMediaTypeError extends Error {
  override readonly name = 'UnsupportedMediaTypeError';
}

/** The caller did not prove who it is: no, a malformed, or an unacceptable token (shared webhook token or ServiceAccount JWT). */
export class UnauthenticatedError extends Error {
  override readonly name = 'UnauthenticatedError';
}

/** A valid ServiceAccount token whose subject is not among the allowed senders. */
export class SenderNotAllowedError extends Error {
  override readonly name = 'SenderNotAllowedError';
}

/** The event names a namespace outside the configured allowlist. */
export class NamespaceNotAllowedError extends Error {
  override readonly name = 'NamespaceNotAllowedError';
}

/** This instance is busy with as much as it may hold at once; the same request succeeds later. */
export class OverloadedError extends Error {
  override readonly name = 'OverloadedError';
}

/** The pod an event refers to cannot be found yet; worth retrying for a while. */
export class PodNotResolvedError extends Error {
  override readonly name = 'PodNotResolvedError';
}

/** The pod stayed unresolvable past the retry window: retrying further cannot help. */
export class PodUnresolvableError extends Error {
  override readonly name = 'PodUnresolvableError';
}

/** The event names a container its pod does not have: containers of a pod never change, so it can never apply. */
export class ContainerNotInPodError extends Error {
  override readonly name = 'ContainerNotInPodError';
}

/**
 * The stored object belongs to another incarnation of the pod than the (cached)
 * pod the event was matched with; the ingest decides again on the live pod.
 * Internal: never reaches HTTP.
 */
export class IncarnationChangedError extends Error {
  override readonly name = 'IncarnationChangedError';
}

/** Failures talking to the Kubernetes API server, by what the caller can do about them. */
export type ApiFailure = 'unavailable' | 'throttled' | 'conflict' | 'rejected' | 'forbidden' | 'not-found';

/** One entry of a Status's `details.causes`: which field, and the kind of refusal (`FieldValueInvalid`, ...). */
export type StatusCause = { readonly reason?: string; readonly field?: string };

export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  /** The structured causes of the API server's Status, so callers never match on its message. */
  readonly causes: readonly StatusCause[];
  constructor(
    message: string,
    readonly failure: ApiFailure,
    readonly statusCode: number | undefined,
    options?: ErrorOptions & { readonly causes?: readonly StatusCause[] },
  ) {
    super(message, options);
    this.causes = options?.causes ?? [];
  }
}

/** An event of a batch that failed: its place in the batch, its id when it had one, and why. */
export type BatchMemberFailure = { readonly index: number; readonly id: string | undefined; readonly error: Error };

/**
 * Some events of a batch failed (the others were applied or skipped). The
 * batch is answered as a whole; lib/http/status.ts decides with which status.
 */
export class BatchFailedError extends Error {
  override readonly name = 'BatchFailedError';
  constructor(
    readonly failures: readonly BatchMemberFailure[],
    readonly size: number,
  ) {
    super(`${failures.length} of ${size} events failed`);
  }
}

/** Wraps anything caught into an Error so that no non-Error value travels further. */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
