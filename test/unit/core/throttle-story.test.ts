import { describe, expect, it } from 'vitest';
import type { KernelWhisperSpec } from '../../../lib/api/kernel-whisper.js';
import { planSpec } from '../../../lib/core/ingest-plan.js';
import { kernelWhisperStatus } from '../../../lib/core/kernel-whisper.js';
import type { ThrottleObservation } from '../../../lib/core/observation.js';
import { historyOf, storyOf } from '../../../lib/core/throttle-story.js';
import type { KubeObject } from '../../../lib/k8s/objects.js';
import { deepFreeze } from '../support/freeze.js';
import { throttle } from '../support/observations.js';

/** Issue 16 wired into the KernelWhisper: the history a write plans, and the status read from it. */
const at = (minute: number) => new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString();
const observed = (minute: number, percent: number, limit = '500m'): ThrottleObservation => ({
  ...throttle({ throttle_percentage: percent, throttle_ns: 90e9, period_seconds: 300 }, at(minute)),
  container_resources: { container_type: 'regular', cpu_request: '250m', cpu_limit: limit },
});

/** What a sequence of single deliveries leaves stored (every write planned from the last). */
function stored(...observations: ThrottleObservation[]): KubeObject {
  let current: KubeObject | undefined;
  for (const observation of observations) {
    const plan = planSpec(current, [observation]);
    if (plan.action === 'write') current = plan.desired;
  }
  if (current === undefined) throw new Error('nothing written');
  return deepFreeze(current);
}
const specOf = (object: KubeObject) => object.spec as KernelWhisperSpec;
const shares = (spec: KernelWhisperSpec) => historyOf(spec).map((entry) => entry.throttled_percent);

describe('the history a write plans', () => {
  it('merges an older observation into the history, keeping the newest top-level fields', () => {
    const plan = planSpec(stored(observed(10, 85)), [observed(5, 30)]);
    expect(plan.action).toBe('write');
    const spec = specOf((plan as { desired: KubeObject }).desired);
    expect(spec.detected_at).toBe(at(10));
    expect(shares(spec)).toEqual([30, 85]);
  });

  it('is stale for a redelivered older observation, and keeps for the newest', () => {
    const both = stored(observed(10, 85), observed(5, 30));
    expect(planSpec(both, [observed(5, 30)]).action).toBe('stale');
    expect(planSpec(both, [observed(10, 85)]).action).toBe('keep');
  });

  it('starts with the observation itself for a spec written before the history', () => {
    const { history: _none, ...old } = specOf(stored(observed(10, 85)));
    expect(historyOf(old)).toEqual([
      { at: at(10), throttled_percent: 85, cpu_cores: 0.8, cpu_limit: '500m', throttle_ns: 90e9, period_seconds: 300 },
    ]);
  });
});

describe('the status read from the history', () => {
  const clock = { nowMs: Date.parse(at(40)), resolvedAfterMs: 3_600_000, targetPercent: 10 };
  const throttled = [observed(0, 90), observed(5, 90), observed(10, 90)];

  it('says sustained when three observations at 90% cover 15 minutes', () => {
    const status = kernelWhisperStatus(specOf(stored(...throttled)), 3, undefined, clock);
    expect(status.conditions?.[0]).toMatchObject({ type: 'Throttled', reason: 'SustainedThrottling' });
    expect(status.peak).toEqual({ throttled_percent: 90, at: at(10) });
    expect(status.limit_change).toBeUndefined();
  });

  it('records a limit change at once, and a verdict once three observations cover five minutes', () => {
    const waiting = storyOf(specOf(stored(...throttled, observed(15, 3, '1300m'))), 10);
    expect(waiting.fields.limit_change).toMatchObject({ from: '500m', to: '1300m', detected_at: at(15) });
    expect(waiting.fields.limit_change).not.toHaveProperty('verdict');
    expect(waiting.fixCondition).toMatchObject({ status: 'Unknown', reason: 'AwaitingObservations' });

    const settled = storyOf(specOf(stored(...throttled, ...[15, 20, 25].map((m) => observed(m, 3, '1300m')))), 10);
    expect(settled.fields.limit_change).toMatchObject({
      before: { observations: 3, median_throttled_percent: 90, peak_throttled_percent: 90 },
      after: { observations: 3, median_throttled_percent: 3, peak_throttled_percent: 3 },
      verdict: 'below-target',
    });
    expect(settled.fixCondition).toMatchObject({ status: 'True', reason: 'BelowTarget', lastTransitionTime: at(25) });
    expect(settled.fixCondition?.message).toContain('Before: 3 observations, median 90% throttled, peak 90%');
    // Still above the target at the new limit: False.
    const above = storyOf(specOf(stored(...throttled, ...[15, 20, 25].map((m) => observed(m, 40, '1300m')))), 10);
    expect(above.fixCondition).toMatchObject({ status: 'False', reason: 'AboveTarget' });
  });
});
