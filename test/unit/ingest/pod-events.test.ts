import { describe, expect, it } from 'vitest';
import { createIngestMetrics } from '../../../functions/ingest/metrics.js';
import { PodEventRecorder } from '../../../functions/ingest/pod-events.js';
import { EVENT } from '../../../lib/api/group.js';
import { desiredKernelWhisper } from '../../../lib/core/kernel-whisper.js';
import type { PodEvent } from '../../../lib/core/pod-event.js';
import { KubeApiError } from '../../../lib/errors.js';
import { createLogger } from '../../../lib/log.js';
import { FakeKubeApi } from '../support/fake-kube-api.js';
import { throttle } from '../support/observations.js';

const NAME = 'throttled-pod.app.cputhrottled.uid1';
const whisper = (second: number) =>
  desiredKernelWhisper(
    throttle({ throttle_percentage: 90 }, `2024-01-01T00:00:${String(second).padStart(2, '0')}.000Z`),
  );

function setup(api = new FakeKubeApi()) {
  const clock = { now: 0 };
  const metrics = createIngestMetrics();
  const log = createLogger({ level: 'silent', name: 'test' });
  const recorder = new PodEventRecorder(api, {
    fieldManager: 'kernel-gossip-ingest',
    reportingInstance: 'pod-a',
    seriesIntervalMs: 60_000,
    now: () => clock.now,
    log,
    metrics,
  });
  const stored = async () => api.get<PodEvent>(EVENT, { namespace: 'production', name: NAME });
  const eventWrites = () =>
    api
      .writes()
      .filter((call) => call.type === 'events')
      .map((call) => call.verb);
  return { api, clock, recorder, stored, eventWrites };
}

describe('PodEventRecorder', () => {
  it('creates once, then folds repeats into one series write per interval after the creation', async () => {
    const { clock, recorder, stored, eventWrites } = setup();
    expect(await recorder.record(whisper(1))).toBe('created');
    expect(await recorder.record(whisper(2))).toBe('deferred');
    expect(await recorder.record(whisper(3))).toBe('deferred');
    expect(eventWrites()).toEqual(['create']);
    clock.now += 60_000;
    expect(await recorder.record(whisper(4))).toBe('series_updated');
    expect((await stored())?.series).toEqual({ count: 4, lastObservedTime: '2024-01-01T00:00:04.000000Z' });
    expect(await recorder.record(whisper(5))).toBe('deferred');
    clock.now += 60_000;
    expect(await recorder.record(whisper(6))).toBe('series_updated');
    expect((await stored())?.series).toEqual({ count: 6, lastObservedTime: '2024-01-01T00:00:06.000000Z' });
    expect(eventWrites()).toEqual(['create', 'apply', 'apply']);
  });

  it('turns a concurrent burst into one create, its repeats counted for the next series write', async () => {
    const { clock, recorder, stored, eventWrites } = setup();
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => recorder.record(whisper(i))));
    expect(outcomes.filter((outcome) => outcome === 'created')).toHaveLength(1);
    expect(eventWrites()).toEqual(['create']);
    clock.now += 60_000;
    await recorder.record(whisper(30));
    expect((await stored())?.series?.count).toBe(21);
  });

  it('counts on from an Event another instance created', async () => {
    const first = setup();
    await first.recorder.record(whisper(1));
    const second = setup(first.api);
    expect(await second.recorder.record(whisper(2))).toBe('series_updated');
    expect((await second.stored())?.series?.count).toBe(2);
    expect((await second.stored())?.reportingInstance).toBe('pod-a');
  });

  it('creates the Event again once the API server expired it', async () => {
    const { api, clock, recorder, eventWrites } = setup();
    await recorder.record(whisper(1));
    await api.delete(EVENT, { namespace: 'production', name: NAME });
    clock.now += 60_000;
    expect(await recorder.record(whisper(2))).toBe('created');
    expect(eventWrites()).toEqual(['create', 'delete', 'create']);
  });

  it('reports a failure instead of throwing, and waits for the interval before trying the series again', async () => {
    const { api, clock, recorder } = setup();
    await recorder.record(whisper(1));
    clock.now += 60_000;
    api.failNext = { verb: 'apply', error: new KubeApiError('conflict', 'conflict', 409) };
    expect(await recorder.record(whisper(2))).toBe('failed');
    expect(await recorder.record(whisper(3))).toBe('deferred');
  });

  it('ignores objects that imply no Event', async () => {
    const { recorder, eventWrites } = setup();
    expect(await recorder.record(desiredKernelWhisper(throttle({ throttle_percentage: 10 })))).toBeUndefined();
    expect(eventWrites()).toEqual([]);
  });
});
