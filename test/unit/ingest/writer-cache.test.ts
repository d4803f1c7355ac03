import { describe, expect, it } from 'vitest';
import { ObjectWriter } from '../../../functions/ingest/writer.js';
import { FakeKubeApi } from '../support/fake-kube-api.js';
import { birth, throttle } from '../support/observations.js';

const timeline = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ timestamp_ms: 1000 + i, action: `${i}-${'x'.repeat(250)}` }));

function writer(cacheBytes?: number) {
  const api = new FakeKubeApi();
  const objects = new ObjectWriter(api, {
    fieldManager: 'kernel-gossip-ingest',
    resolvedAfterMs: 600_000,
    now: () => Date.parse('2024-01-01T00:01:00Z'),
    ...(cacheBytes === undefined ? {} : { cacheBytes }),
  });
  const requestsFor = async (write: () => Promise<unknown>) => {
    const before = api.calls.length;
    await write();
    return api.calls.slice(before).map((call) => call.verb);
  };
  return { objects, requestsFor };
}

describe('the object cache is bounded in bytes', () => {
  it('answers a redelivery of a small object from the cache, with no request', async () => {
    const { objects, requestsFor } = writer();
    const observation = throttle();
    await objects.write(observation);
    expect(await requestsFor(() => objects.write(observation))).toEqual([]);
  });

  it('does not keep a birth certificate of hundreds of KB: its redelivery reads it again and writes nothing', async () => {
    const { objects, requestsFor } = writer();
    const observation = birth({ timeline: timeline(500) });
    await objects.write(observation);
    expect(await requestsFor(() => objects.write(observation))).toEqual(['get']);
  });

  it('forgets the least recent objects once their bytes pass the budget', async () => {
    const { objects, requestsFor } = writer(10_000);
    const pods = Array.from({ length: 10 }, (_, i) => throttle({ pod_name: `pod-${i}` }));
    for (const observation of pods) await objects.write(observation);
    const first = pods[0];
    const last = pods[9];
    if (first === undefined || last === undefined) throw new Error('no pods');
    expect(await requestsFor(() => objects.write(last))).toEqual([]);
    expect(await requestsFor(() => objects.write(first))).toEqual(['get']);
  });
});
