import { describe, expect, it } from 'vitest';
import { isRace } from '../../../functions/ingest/writer.js';
import { type ApiFailure, KubeApiError, type StatusCause } from '../../../lib/errors.js';

const rule = { reason: 'FieldValueForbidden', field: 'spec.detected_at' };
const reports = { reason: 'FieldValueForbidden', field: 'spec.reports' };

function error(failure: ApiFailure, status: number, causes: StatusCause[] = []): KubeApiError {
  // The message says "race" on purpose: only the structured causes may decide.
  return new KubeApiError('conflict: detected_at must not move backwards', failure, status, { causes });
}

describe('isRace reads the Status causes, never the message', () => {
  it.each([
    ['a 409 conflict', error('conflict', 409), true],
    ['the detected_at rule', error('rejected', 422, [rule]), true],
    ['the reports rule', error('rejected', 422, [reports]), true],
    ['a 422 without causes (an admission policy)', error('rejected', 422), false],
    [
      'a schema violation at the same field',
      error('rejected', 422, [{ reason: 'FieldValueInvalid', field: 'spec.detected_at' }]),
      false,
    ],
    [
      'a rule cause next to a schema violation',
      error('rejected', 422, [rule, { reason: 'FieldValueRequired', field: 'spec.severity' }]),
      false,
    ],
    [
      'a 400 from strict field validation',
      error('rejected', 400, [{ reason: 'FieldValueUnknown', field: 'spec.x' }]),
      false,
    ],
    ['the API server unavailable', error('unavailable', 503), false],
  ])('%s: %s', (_case, refusal, race) => {
    expect(isRace(refusal)).toBe(race);
  });
});
