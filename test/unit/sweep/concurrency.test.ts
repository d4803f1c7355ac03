import { describe, expect, it, vi } from 'vitest';
import type { SweepSummary } from '../../../functions/sweep/handle.js';
import { SerialRunner } from '../../../functions/sweep/serial.js';
import { mapBounded } from '../../../lib/map-bounded.js';
import { post, seedWhisper, sweepHarness } from './harness.js';

describe('one sweep at a time per instance', () => {
  it('runs overlapping requests one after another; requests waiting together share the follow-up', async () => {
    const { app, fake, api } = sweepHarness();
    for (const name of ['a', 'b', 'c']) seedWhisper(fake, name);
    api.delayMs = 5;

    const first = post(app);
    await vi.waitFor(() => expect(api.calls.length).toBeGreaterThan(0));
    const responses = await Promise.all([first, post(app), post(app)]);
    const summaries = (await Promise.all(responses.map((response) => response.json()))) as SweepSummary[];

    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(summaries.map((summary) => summary.writes)).toEqual([4, 0, 0]);
    // One pod listing per sweep (its objects are listed page by page, several lists each).
    const sweepStarts = fake.calls.flatMap((call, index) =>
      call.verb === 'list' && call.type === 'pods' ? [index] : [],
    );
    const lastWrite = fake.calls.findLastIndex((call) => call.verb !== 'list' && call.verb !== 'get');
    expect(sweepStarts).toHaveLength(2);
    expect(sweepStarts[1]).toBeGreaterThan(lastWrite);
  });

  it('starts a fresh run for a request made while the follow-up is already running', async () => {
    const order: string[] = [];
    let runs = 0;
    const runner = new SerialRunner(async () => {
      const run = ++runs;
      order.push(`start ${run}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push(`end ${run}`);
      return run;
    });

    const first = runner.run();
    await tick(1);
    const joined = [runner.run(), runner.run()];
    await first;
    await tick(1);
    const late = runner.run();

    expect(await Promise.all([first, ...joined, late])).toEqual([1, 2, 2, 3]);
    expect(order).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  it('serves calls made before a run starts with that run', async () => {
    let runs = 0;
    const runner = new SerialRunner(async () => ++runs);

    expect(await Promise.all([runner.run(), runner.run()])).toEqual([1, 1]);
  });

  it('lets a failed run reject its callers and still runs the next', async () => {
    let fail = true;
    const runner = new SerialRunner(async () => {
      if (fail) throw new Error('listing failed');
      return 'ok';
    });

    await expect(runner.run()).rejects.toThrow('listing failed');
    fail = false;

    await expect(runner.run()).resolves.toBe('ok');
  });
});

describe('bounded concurrency', () => {
  it('keeps at most SWEEP_CONCURRENCY writes in flight', async () => {
    const { app, fake, api } = sweepHarness({ SWEEP_CONCURRENCY: '3' });
    for (let i = 0; i < 10; i++) seedWhisper(fake, `p${i}`);
    api.delayMs = 2;

    const summary = (await (await post(app)).json()) as SweepSummary;

    expect(summary.writes).toBe(11);
    expect(api.maxWritesInFlight).toBe(3);
  });

  it('mapBounded keeps results in input order whatever the completion order', async () => {
    const results = await mapBounded([30, 10, 20, 0], 2, async (ms) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return ms * 2;
    });

    expect(results).toEqual([60, 20, 40, 0]);
  });
});

describe('health and metrics', () => {
  it('serves the probes and counts sweeps and changed objects', async () => {
    const { app, fake } = sweepHarness();
    seedWhisper(fake, 'a');
    await post(app);

    const metrics = await (await app.request('/metrics')).text();

    expect((await app.request('/health/readiness')).status).toBe(200);
    expect((await app.request('/health/liveness')).status).toBe(200);
    expect(metrics).toContain('kernel_gossip_sweeps_total{outcome="converged"} 1');
    expect(metrics).toContain('kernel_gossip_sweep_objects_seen_total{resource="kernelwhispers"} 1');
    expect(metrics).toContain(
      'kernel_gossip_sweep_objects_changed_total{resource="kernelwhispers",change="repaired"} 1',
    );
    expect(metrics).toContain('kernel_gossip_sweep_objects_changed_total{resource="configmaps",change="updated"} 1');
    expect(metrics).toContain('kernel_gossip_sweep_duration_seconds_count 1');
  });
});

function tick(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
