import { describe, expect, it } from 'vitest';
import { isRace } from '../../functions/ingest/writer.js';
import type { Condition } from '../../lib/api/conditions.js';
import { KERNEL_WHISPER } from '../../lib/api/group.js';
import type { KernelWhisperStatus } from '../../lib/api/kernel-whisper.js';
import { HISTORY_RULE_CAUSE } from '../../lib/api/throttle-history.js';
import { KubeApiError } from '../../lib/errors.js';
import { FIELD_MANAGER } from '../../lib/field-managers.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import type { System } from '../model/system.js';
import {
  keptHistory,
  peakOf,
  runAt,
  type StoryEntry,
  sizedLimit,
  throttledReason,
  trendOf,
} from '../model/throttle-story.js';
import { kubectl } from './support/cluster.js';
import { createPod, functionsOn, outcomeOf, sendThrottle, useFunctionsCluster, whisper } from './support/functions.js';

/**
 * Issue 16 against the real API server: the history a KernelWhisper keeps
 * whatever the order, duplication and instance of its deliveries (the model's
 * rules, test/model/throttle-story.ts, predict it), and a fix verified after the
 * recommended command resized the pod.
 */
const connected = useFunctionsCluster();
const MINUTE = 60_000;

type Observation = { readonly atMs: number; readonly percent: number; readonly throttleNs: number };

/**
 * Two early spikes, then rising into sustained throttling: 60 s windows, throttled
 * time in proportion. The history keeps the newest 24 and the two early spikes
 * (advised at 80 % or more), 26 in all.
 */
function observations(createdMs: number): Observation[] {
  const early = [5, 88, 12, 6, 82, 9];
  const middle = [45, 52, 7, 60, 40, 30, 20, 35, 55, 62, 48, 70, 66, 50, 75, 60, 79, 70];
  const shares = [...early, ...middle, 60, 65, 84, 91, 86, 95];
  return shares.map((percent, i) => ({ atMs: createdMs + (i + 1) * MINUTE, percent, throttleNs: percent * 2e8 }));
}

function entryOf(observation: Observation): StoryEntry {
  return {
    at: new Date(observation.atMs).toISOString(),
    throttled_percent: observation.percent,
    cpu_cores: 0.4,
    cpu_limit: '500m',
    throttle_ns: observation.throttleNs,
    period_seconds: 60,
  };
}

/** A deterministic shuffle (a linear congruential generator), so a failure replays. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** Delivers like the Broker: a 409 or 503 is delivered again. */
async function deliver(system: System, instance: number, observation: Observation): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const response = await sendThrottle(system, instance, {
      pod: 'web-0',
      percent: observation.percent,
      atMs: observation.atMs,
      throttleNs: observation.throttleNs,
      periodSeconds: 60,
    });
    const outcome = outcomeOf(response);
    if (response.status !== 409 && response.status !== 503) return outcome;
  }
  throw new Error('still refused after 5 deliveries');
}

const statusOf = (object: KubeObject | undefined) => object?.status as KernelWhisperStatus | undefined;
const condition = (status: KernelWhisperStatus | undefined, type: string) =>
  status?.conditions?.find((item: Condition) => item.type === type);

describe('a KernelWhisper keeps the story of its container', () => {
  it('gives the history and trend the model predicts for 30 observations shuffled, duplicated and through two instances', async () => {
    const system = await functionsOn(connected());
    const pod = await createPod(system, 'web-0', { containers: [{ name: 'app', limit: '500m', request: '250m' }] });
    const createdMs = Date.parse(pod.metadata.creationTimestamp ?? '');
    system.clock.nowMs = createdMs + 31 * MINUTE;
    const all = observations(createdMs);
    // Every observation once, a third of them twice more; shuffled; sent six at a time, alternating instances.
    const deliveries = shuffled(
      [...all, ...all.filter((_, i) => i % 3 === 0), ...all.filter((_, i) => i % 3 === 1)],
      16,
    );
    const outcomes: string[] = [];
    for (let i = 0; i < deliveries.length; i += 6) {
      const group = deliveries.slice(i, i + 6);
      outcomes.push(...(await Promise.all(group.map((item, k) => deliver(system, (i + k) % 2, item as Observation)))));
    }
    expect(new Set(outcomes)).toEqual(new Set(['202 applied', '202 unchanged', '202 stale']));

    const predicted = keptHistory(all.map(entryOf));
    const stored = await whisper(system, 'web-0.app');
    expect((stored?.spec as { history?: unknown } | undefined)?.history).toEqual(predicted);
    expect(predicted.map((entry) => entry.throttled_percent).slice(0, 3)).toEqual([88, 82, 45]);
    expect(predicted).toHaveLength(26);
    const status = statusOf(stored);
    expect(status?.trend).toBe(trendOf(predicted));
    expect(status?.trend).toBe('rising');
    expect(status?.peak).toEqual(peakOf(predicted));
    expect(condition(status, 'Throttled')?.reason).toBe(throttledReason(predicted));
    expect(condition(status, 'Throttled')?.reason).toBe('SustainedThrottling');
    expect(status?.recommended_cpu_limit).toBe(`${sizedLimit(500, runAt(predicted, '500m')).limit}m`);
    expect(condition(status, 'FixEffective')).toBeUndefined();
  });

  it('verifies a fix: the recommended command resizes the pod, and calm observations flip FixEffective', async () => {
    const system = await functionsOn(connected());
    const pod = await createPod(system, 'web-0', { containers: [{ name: 'app', limit: '500m', request: '250m' }] });
    const createdMs = Date.parse(pod.metadata.creationTimestamp ?? '');
    system.clock.nowMs = createdMs + 20 * MINUTE;
    for (const minute of [1, 6, 11]) {
      const throttled = { atMs: createdMs + minute * MINUTE, percent: 90, throttleNs: 18e9 };
      expect(await deliver(system, minute % 2, throttled)).toBe('202 applied');
    }
    const before = statusOf(await whisper(system, 'web-0.app'));
    // 18 s over 60 s hid 300m; over 90% throttled periods m = 333.3m; 500m + 333.3m × ln(9) = 1232.4m → 1300m.
    expect(before?.recommended_cpu_limit).toBe('1300m');
    const command = before?.recommended_command ?? '';
    const words = command.match(/'[^']*'|\S+/g)?.map((word) => word.replace(/^'(.*)'$/, '$1')) ?? [];
    expect(words.slice(0, 5)).toEqual(['kubectl', 'patch', 'pod', 'web-0', '-n']);
    await kubectl(words.slice(1));

    // Past the 30 s an instance trusts its copy of the pod: both read the resized one.
    system.clock.nowMs = createdMs + 40 * MINUTE;
    const calm = (minute: number) => ({ atMs: createdMs + minute * MINUTE, percent: 3, throttleNs: 3e8 });
    expect(await deliver(system, 0, calm(21))).toBe('202 applied');
    const waiting = statusOf(await whisper(system, 'web-0.app'));
    expect(waiting?.limit_change).toMatchObject({ from: '500m', to: '1300m', advised_limit: '1300m' });
    expect(condition(waiting, 'FixEffective')).toMatchObject({ status: 'Unknown', reason: 'AwaitingObservations' });

    expect(await deliver(system, 1, calm(24))).toBe('202 applied');
    expect(await deliver(system, 0, calm(27))).toBe('202 applied');
    const after = statusOf(await whisper(system, 'web-0.app'));
    expect(after?.limit_change).toEqual({
      from: '500m',
      to: '1300m',
      detected_at: new Date(createdMs + 21 * MINUTE).toISOString(),
      advised_limit: '1300m',
      before: { observations: 3, median_throttled_percent: 90, peak_throttled_percent: 90 },
      after: { observations: 3, median_throttled_percent: 3, peak_throttled_percent: 3 },
      target_percent: 10,
      verdict: 'below-target',
    });
    expect(condition(after, 'FixEffective')).toMatchObject({ status: 'True', reason: 'BelowTarget' });
    expect(condition(after, 'FixEffective')?.message).toContain('Before: 3 observations, median 90% throttled');
    expect(after?.priority).toBe('low');
  });

  it('keeps both observations when two instances create the object at once (20 times)', async () => {
    const lengths: number[] = [];
    for (let round = 0; round < 20; round++) {
      const system = await functionsOn(connected());
      const pod = await createPod(system, 'web-0');
      const createdMs = Date.parse(pod.metadata.creationTimestamp ?? '');
      system.clock.nowMs = createdMs + 10 * MINUTE;
      const sent = [0, 1].map((i) => ({ atMs: createdMs + (i + 1) * MINUTE, percent: 60 + i, throttleNs: 1e9 }));
      await Promise.all(sent.map((observation, i) => deliver(system, i, observation)));
      const spec = (await whisper(system, 'web-0.app'))?.spec as { history?: unknown[] } | undefined;
      lengths.push(spec?.history?.length ?? 0);
    }
    expect(lengths).toEqual(Array(20).fill(2));
  });

  it('refuses a write that would drop a kept observation: what an instance that planned without the stored history sends', async () => {
    const system = await functionsOn(connected());
    const pod = await createPod(system, 'web-0');
    const createdMs = Date.parse(pod.metadata.creationTimestamp ?? '');
    system.clock.nowMs = createdMs + 10 * MINUTE;
    await deliver(system, 0, { atMs: createdMs + MINUTE, percent: 60, throttleNs: 1e9 });
    const stored = (await whisper(system, 'web-0.app')) as KubeObject;
    const spec = stored.spec as Record<string, unknown> & { history: StoryEntry[] };
    const newer = { ...(spec.history[0] as StoryEntry), at: new Date(createdMs + 2 * MINUTE).toISOString() };
    const lost = { ...stored, metadata: { name: stored.metadata.name, namespace: stored.metadata.namespace } };
    const body = { ...lost, spec: { ...spec, detected_at: newer.at, history: [newer] } };
    const refused = await system.cluster.api.apply(KERNEL_WHISPER, body, { fieldManager: FIELD_MANAGER.ingest }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(KubeApiError);
    expect((refused as KubeApiError).causes).toEqual([expect.objectContaining(HISTORY_RULE_CAUSE)]);
    expect(isRace(refused as KubeApiError)).toBe(true);
  });
});
