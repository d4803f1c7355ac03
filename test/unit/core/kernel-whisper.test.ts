import { describe, expect, it } from 'vitest';
import type { KernelWhisperSpec } from '../../../lib/api/kernel-whisper.js';
import { desiredKernelWhisper, kernelWhisperStatus } from '../../../lib/core/kernel-whisper.js';
import { deepFreeze } from '../support/freeze.js';
import { throttle } from '../support/observations.js';

const clock = { nowMs: Date.parse('2024-01-01T00:01:00Z'), resolvedAfterMs: 600_000, targetPercent: 10 };

describe('desiredKernelWhisper', () => {
  it('maps the legacy example to the earlier spec fields, labelled for selection', () => {
    const object = desiredKernelWhisper(deepFreeze(throttle()));
    expect(object.metadata).toEqual({
      name: 'throttled-pod.app',
      namespace: 'production',
      labels: {
        'kernel.gossip.io/pod': 'throttled-pod',
        'kernel.gossip.io/namespace': 'production',
        'kernel.gossip.io/container': 'app',
        'app.kubernetes.io/managed-by': 'kernel-gossip',
      },
    });
    expect(object.spec).toEqual({
      pod_name: 'throttled-pod',
      namespace: 'production',
      container_name: 'app',
      pod_uid: 'uid-1',
      detected_at: '2024-01-01T00:00:00.000Z',
      kernel_truth: { throttled_percent: 45.5, actual_cpu_cores: 0.8, throttle_ns: 123456789, period_seconds: 300 },
      metrics_lie: { cpu_percent: 50, reported_status: 'underreported' },
      severity: 'info',
      ebpf_detection: true,
      observer: '/kernel-observer/node-1',
    });
  });

  it('leaves the metrics figure out rather than inventing one', () => {
    const spec = desiredKernelWhisper(throttle({ reported_cpu_usage: undefined })).spec as KernelWhisperSpec;
    expect(spec.metrics_lie).toEqual({ reported_status: 'unknown' });
    const status = kernelWhisperStatus(spec, 1, undefined, clock);
    expect(status.metrics_comparison).toEqual({ kernel_cpu_usage: 0.8 });
    expect(status.insight).toContain('reported no metrics value');
  });
});

describe('kernelWhisperStatus', () => {
  const observed = {
    ...throttle({ throttle_percentage: 85.5 }),
    container_resources: { container_type: 'regular', cpu_request: '250m', cpu_limit: '500m' },
    workload: { api_version: 'apps/v1', kind: 'Deployment', name: 'web' },
  } as const;
  const spec = deepFreeze(desiredKernelWhisper(observed).spec as KernelWhisperSpec);

  it('records the container figures and the workload from the pod in the spec', () => {
    expect(spec).toMatchObject({
      container_resources: { container_type: 'regular', cpu_request: '250m', cpu_limit: '500m' },
      workload: { kind: 'Deployment', name: 'web' },
    });
  });

  it('states insight, concrete recommendation, evidence and a Throttled condition in consistent units', () => {
    expect(kernelWhisperStatus(spec, 3, undefined, clock)).toEqual({
      insight:
        'The kernel saw container app of pod production/throttled-pod throttled in 85.5% of CFS periods while using 0.8 cores; metrics report 0.5 cores (37.5% below the kernel figure).',
      // Sized from the throttled time: 123.46 ms over 300 s hid 0.41m, so 500m + 0.48m · ln(85.5 / 10) ≈ 501m,
      // but never below the 800m the kernel saw used (inconsistent with a 500m limit, yet what was observed).
      recommendation: 'increase CPU limits: raise the CPU limit of container app from 500m to 800m',
      kernel_evidence: expect.stringMatching(
        /^85\.5% of CFS periods throttled, 123\.46 ms throttled, over 300 s, 0\.8 cores used, detected by eBPF \(observed 2024-01-01T00:00:00\.000Z\)\. New limit sized from the throttled time: .* never below the 800m it used, rounded up to 800m\.$/,
      ) as unknown as string,
      priority: 'high',
      current_cpu_request: '250m',
      current_cpu_limit: '500m',
      recommended_cpu_limit: '800m',
      recommended_command: 'kubectl set resources deployment/web -n production -c app --limits=cpu=800m',
      peak: { throttled_percent: 85.5, at: '2024-01-01T00:00:00.000Z' },
      metrics_comparison: { kernel_cpu_usage: 0.8, metrics_cpu_usage: 0.5, discrepancy_percent: 37.5 },
      last_updated: '2024-01-01T00:00:00.000Z',
      observed_generation: 3,
      conditions: [
        {
          type: 'Throttled',
          status: 'True',
          reason: 'CriticalThrottling',
          message: expect.stringContaining('85.5%') as unknown as string,
          lastTransitionTime: '2024-01-01T00:00:00.000Z',
          observedGeneration: 3,
        },
      ],
    });
  });

  it('keeps the transition time while the condition status holds', () => {
    const first = kernelWhisperStatus(spec, 1, undefined, clock);
    const later = desiredKernelWhisper(throttle({ throttle_percentage: 90 }, '2024-01-01T00:00:30.000Z'))
      .spec as KernelWhisperSpec;
    const second = kernelWhisperStatus(later, 2, deepFreeze(first), clock);
    expect(second.conditions?.[0]?.lastTransitionTime).toBe('2024-01-01T00:00:00.000Z');
  });

  it('says throttling stopped once the window passes, at a time derived from the observation', () => {
    const status = kernelWhisperStatus(spec, 1, undefined, { ...clock, nowMs: Date.parse('2024-01-01T00:30:00Z') });
    expect(status.conditions?.[0]).toMatchObject({
      status: 'False',
      reason: 'NoRecentObservation',
      lastTransitionTime: '2024-01-01T00:10:00.000Z',
    });
    expect(status.insight).toMatch(/^Throttling stopped: no observation since 2024-01-01T00:00:00.000Z/);
  });

  it('computes nothing new for a redelivery a minute later: times come from the observation, not the clock', () => {
    const stored = deepFreeze(kernelWhisperStatus(spec, 1, undefined, clock));
    const redelivered = kernelWhisperStatus(spec, 1, stored, { ...clock, nowMs: clock.nowMs + 60_000 });
    expect(redelivered).toEqual(stored);
    expect([redelivered.last_updated, redelivered.conditions?.[0]?.lastTransitionTime]).toEqual([
      '2024-01-01T00:00:00.000Z',
      '2024-01-01T00:00:00.000Z',
    ]);
  });
});
