import { describe, expect, it } from 'vitest';
import { candidateFromCloudEvent, MAX_CLOCK_SKEW_MS } from '../../../functions/ingest/candidates.js';
import { InvalidInputError } from '../../../lib/errors.js';
import { throttleData } from '../../fixtures/events.js';

const NOW = Date.parse('2024-01-01T00:01:00Z');
const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

function event(data: Record<string, unknown>, time: string | undefined) {
  return {
    id: 'e',
    source: '/kernel-observer/node-1',
    type: 'io.gossip.kernel.cpu_throttle.v1',
    subject: undefined,
    time,
    data,
  };
}

describe('observation times ahead of the clock', () => {
  it('bounds the skew in seconds, not minutes', () => {
    expect(MAX_CLOCK_SKEW_MS).toBe(5_000);
  });

  it.each([
    ['data.timestamp exactly at the bound', { ...throttleData, timestamp: at(5_000) }, undefined, at(5_000)],
    ['the CloudEvent time when data has none', { ...throttleData, timestamp: undefined }, at(4_999), at(4_999)],
    ['data.timestamp before the CloudEvent time', { ...throttleData, timestamp: at(-1) }, at(60_000), at(-1)],
  ])('accepts %s', (_case, data, time, observedAt) => {
    expect(candidateFromCloudEvent(event(data, time), NOW).observedAt).toBe(observedAt);
  });

  it.each([
    ['data.timestamp 1 ms past the bound', { ...throttleData, timestamp: at(5_001) }, undefined, 'timestamp'],
    ['the CloudEvent time past the bound', { ...throttleData, timestamp: undefined }, at(6_000), 'time'],
    ['a year ahead', { ...throttleData, timestamp: at(365 * 86_400_000) }, undefined, 'timestamp'],
  ])('refuses %s with a 400 naming the field', (_case, data, time, field) => {
    let thrown: unknown;
    try {
      candidateFromCloudEvent(event(data, time), NOW);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidInputError);
    expect((thrown as InvalidInputError).issues).toEqual([`${field}: in the future`]);
    expect((thrown as InvalidInputError).message).toBe(
      "The observation time is more than 5 s ahead of this function's clock; check the observer's clock (NTP)",
    );
  });
});
