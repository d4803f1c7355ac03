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

/** The caller did not present the shared webhook token. */
export class UnauthenticatedError extends Error {
  override readonly name = 'UnauthenticatedError';
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

/** Failures talking to the Kubernetes API server, by what the caller can do about them. */
export type ApiFailure = 'unavailable' | 'throttled' | 'conflict' | 'rejected' | 'forbidden' | 'not-found';

export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    message: string,
    readonly failure: ApiFailure,
    readonly statusCode: number | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Wraps anything caught into an Error so that no non-Error value travels further. */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
