import { describe, expect, it } from 'vitest';
import {
  BatchFailedError,
  InvalidInputError,
  KubeApiError,
  PodNotResolvedError,
  UnsupportedEventTypeError,
} from '../../../lib/errors.js';
import { failureReply, httpFailureFor } from '../../../lib/http/status.js';

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
