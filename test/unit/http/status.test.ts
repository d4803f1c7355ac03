import { describe, expect, it } from 'vitest';
import {
  BatchFailedError,
  InvalidInputError,
  KubeApiError,
  PodNotResolvedError,
  PodUnresolvableError,
  SenderNotAllowedError,
  UnauthenticatedError,
  UnsupportedEventTypeError,
} from '../../../lib/errors.js';
import { failureReply, httpFailureFor } from '../../../lib/http/status.js';
import { binaryEvent, throttleData } from '../../fixtures/events.js';
import { ingestHarness, send } from '../support/ingest-app.js';

const invalid = new InvalidInputError('Invalid cpu_throttle data: throttle_percentage: must be a number');
const unsupported = new UnsupportedEventTypeError('Unsupported event type');
const unresolved = new PodNotResolvedError('container not started yet');
const down = new KubeApiError('GET /api/v1/...: unreachable 10.0.0.1', 'unavailable', undefined);

function batch(...errors: Error[]): BatchFailedError {
  return new BatchFailedError(
    errors.map((error, i) => ({ index: i * 2 + 1, id: `e${i}`, error })),
    errors.length * 2 + 1,
  );
}

describe('a batch is answered for all its events', () => {
  it.each([
    ['only permanent failures: the first one', batch(invalid, unsupported), 400, false],
    ['permanent, then unsupported type', batch(unsupported, invalid), 422, false],
    ['a retried failure behind a permanent one', batch(invalid, unresolved), 404, true],
    ['a retried failure first', batch(down, invalid), 503, true],
  ])('%s', (_case, error, status, retried) => {
    expect(httpFailureFor(error)).toMatchObject({ status, retried });
  });

  it('names every failed event, with the generic text for server-side failures', () => {
    const error = batch(invalid, down);
    const reply = failureReply(httpFailureFor(error), error);
    expect(reply).toEqual({
      message:
        '2 of 5 events failed: [1] (id e0) 400 InvalidEvent: Invalid cpu_throttle data: throttle_percentage: must be a number; ' +
        '[3] (id e1) 503 ApiServerUnavailable: Temporarily unable to process the request; retry later',
      headers: { 'retry-after': '1' },
    });
  });

  it('names at most ten failures and counts the rest', () => {
    const error = batch(...Array.from({ length: 12 }, () => invalid));
    const { message } = failureReply(httpFailureFor(error), error);
    expect(message.match(/\[\d+\]/g)).toHaveLength(10);
    expect(message).toMatch(/; and 2 more$/);
  });
});

/** Sender refusals in the Knative retry table, and what a client may read of any failure. */
describe('sender refusals', () => {
  it.each([
    [new UnauthenticatedError('no token'), { status: 401, retried: false, reason: 'Unauthenticated' }],
    [new SenderNotAllowedError('not listed'), { status: 403, retried: false, reason: 'SenderNotAllowed' }],
  ])('%s', (error, failure) => {
    expect(httpFailureFor(error)).toEqual(failure);
  });

  it('name the scheme on a 401', () => {
    const unauthenticated = new UnauthenticatedError('no token');
    expect(failureReply(httpFailureFor(unauthenticated), unauthenticated)).toEqual({
      message: 'no token',
      headers: { 'www-authenticate': 'Bearer realm="kernel-gossip"' },
    });
  });
});

describe('what a client reads', () => {
  const apiPath = '/apis/kernel.gossip.io/v1alpha1/namespaces/production/kernelwhispers/a.app';

  it.each([
    [new KubeApiError(`PATCH ${apiPath}: 422 spec.severity: Unsupported value`, 'rejected', 422)],
    [new KubeApiError(`GET ${apiPath}: 403 forbidden: User "system:serviceaccount:x" cannot`, 'forbidden', 403)],
    [new KubeApiError(`PATCH ${apiPath}: the API server could not be reached`, 'unavailable', undefined)],
  ])('never holds what the API server said: %s', (error) => {
    const { message } = failureReply(httpFailureFor(error), error);
    expect(message).not.toContain('/apis/');
    expect(message).not.toContain(error.message.split(': ').at(-1));
  });

  it('keeps the message of a mistake the client can fix', () => {
    const error = new PodUnresolvableError('No pod with uid abc after 120 s; giving up');
    expect(failureReply(httpFailureFor(error), error).message).toBe(error.message);
  });

  it('gets no API server message in the reply to an event whose object was refused', async () => {
    const { app, api } = ingestHarness();
    const rejected = new KubeApiError(`PATCH ${apiPath}: 422 spec: Invalid value`, 'rejected', 422);
    api.apply = async () => {
      throw rejected;
    };
    const response = await send(app, '/', binaryEvent('io.gossip.kernel.cpu_throttle.v1', throttleData));
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      error: 'ObjectRejected',
      message: 'The API server did not accept the request (ObjectRejected)',
    });
  });
});
