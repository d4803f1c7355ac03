import { describe, expect, it } from 'vitest';
import { OBJECT_TTL_MS, ObjectWriter } from '../../../functions/ingest/writer.js';
import { KERNEL_WHISPER } from '../../../lib/api/group.js';
import { FakeKubeApi } from '../support/fake-kube-api.js';
import { birth, throttle } from '../support/observations.js';

const timeline = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ timestamp_ms: 1000 + i, action: `${i}-${'x'.repeat(250)}` }));

function writer(cacheBytes?: number) {
  const api = new FakeKubeApi();
  const clock = { now: Date.parse('2024-01-01T00:01:00Z') };
  const objects = new ObjectWriter(api, {
    fieldManager: 'kernel-gossip-ingest',
    resolvedAfterMs: 600_000,
    targetPercent: 10,
    now: () => clock.now,
    ...(cacheBytes === undefined ? {} : { cacheBytes }),
  });
  const requestsFor = async (write: () => Promise<unknown>) => {
    const before = api.calls.length;
    await write();
    return api.calls.slice(before).map((call) => call.verb);
  };
  return { api, clock, objects, requestsFor };
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

describe('a copy older than OBJECT_TTL_MS', () => {
  const later = (seconds: number) => `2024-01-01T00:00:${String(seconds).padStart(2, '0')}.000Z`;

  it('still plans a new state, guarded by its resourceVersion: no read before the write', async () => {
    const { clock, objects, requestsFor } = writer();
    await objects.write(throttle({}, later(0)));
    clock.now += OBJECT_TTL_MS;
    expect(await requestsFor(() => objects.write(throttle({}, later(10))))).toEqual(['apply', 'apply_status']);
  });

  it('answers nothing else: a redelivery past it is read again', async () => {
    const { clock, objects, requestsFor } = writer();
    const observation = throttle({}, later(0));
    await objects.write(observation);
    clock.now += OBJECT_TTL_MS;
    expect(await requestsFor(() => objects.write(observation))).toEqual(['get']);
  });

  it('out of date (another writer changed the object), its write is refused and the object read again', async () => {
    const { api, clock, objects } = writer();
    await objects.write(throttle({}, later(0)));
    const [stored] = api.all(KERNEL_WHISPER);
    if (stored === undefined) throw new Error('no object');
    await api.apply(
      KERNEL_WHISPER,
      { ...stored, metadata: { ...stored.metadata, resourceVersion: undefined } },
      {
        fieldManager: 'someone-else',
      },
    );
    clock.now += OBJECT_TTL_MS;
    const outcome = await objects.write(throttle({}, later(10)));
    expect(outcome.result).toBe('applied');
    expect(api.calls.slice(-4).map((call) => call.verb)).toEqual(['apply', 'get', 'apply', 'apply_status']);
  });
});
