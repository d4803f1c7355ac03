import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { KernelWhisperSpec, Workload } from '../../../lib/api/kernel-whisper.js';
import { WorkloadWhisperStatusSchema } from '../../../lib/api/workload-whisper.js';
import { cpuRecommendation } from '../../../lib/core/cpu-recommendation.js';
import { historyEntryOf } from '../../../lib/core/throttle-history.js';
import { type Replica, workloadFindings } from '../../../lib/core/workload-rollup.js';
import { deepFreeze } from '../support/freeze.js';

const web: Workload = { api_version: 'apps/v1', kind: 'Deployment', name: 'web' };

type Figures = {
  readonly throttled: number;
  readonly limit?: string;
  readonly request?: string;
  readonly throttleNs?: number;
  readonly container?: string;
  readonly workload?: Workload;
};

/** A replica with the whole spec it was taken from (a Replica keeps part of it). */
function replica(pod: string, figures: Figures): Replica & { readonly spec: KernelWhisperSpec } {
  const spec: KernelWhisperSpec = {
    pod_name: pod,
    namespace: 'shop',
    container_name: figures.container ?? 'app',
    detected_at: '2024-01-01T12:00:00.000Z',
    kernel_truth: {
      throttled_percent: figures.throttled,
      actual_cpu_cores: 0.4,
      ...(figures.throttleNs === undefined ? {} : { throttle_ns: figures.throttleNs, period_seconds: 300 }),
    },
    metrics_lie: { reported_status: 'unknown' },
    severity: figures.throttled > 80 ? 'critical' : figures.throttled > 50 ? 'warning' : 'info',
    container_resources: {
      container_type: 'regular',
      ...(figures.request === undefined ? {} : { cpu_request: figures.request }),
      ...(figures.limit === undefined ? {} : { cpu_limit: figures.limit }),
    },
    workload: figures.workload ?? web,
  };
  return { spec, advice: cpuRecommendation(spec, { history: [historyEntryOf(spec)], targetPercent: 10 }) };
}

describe('workloadFindings', () => {
  // Five replicas of deployment/web at 500m: 85, 90, 20, 60, 85 % throttled.
  // Needs (model in limit-sizing.test.ts): web-a 85 %, 90e9 ns → 1255.32 → 1300m; web-b 90 %, 30e9 ns:
  // H = 100, m = 111.11, ln 9 = 2.1972 → 744.14 → 750m; web-e 85 %, 3e9 ns: H = 10, m = 11.76, ln 8.5 = 2.1401
  // → 525.18 → 550m; web-c (20 %) and web-d (60 %, medium) advise no limit. The largest: 1300m, from web-a.
  const five = [
    replica('web-c', { throttled: 20, limit: '500m', throttleNs: 1e9 }),
    replica('web-a', { throttled: 85, limit: '500m', throttleNs: 90e9 }),
    replica('web-e', { throttled: 85, limit: '500m', throttleNs: 3e9 }),
    replica('web-b', { throttled: 90, limit: '500m', throttleNs: 30e9 }),
    replica('web-d', { throttled: 60, limit: '500m', throttleNs: 20e9 }),
  ];

  it('gives one finding for five replicas, with the per-pod command of the neediest', () => {
    const findings = workloadFindings(deepFreeze(five));
    const neediest = five[1] as ReturnType<typeof replica>;
    const perPod = cpuRecommendation(neediest.spec, { history: [historyEntryOf(neediest.spec)], targetPercent: 10 });
    expect(perPod.recommended_command).toBe('kubectl set resources deployment/web -n shop -c app --limits=cpu=1300m');
    expect(findings).toEqual([
      {
        namespace: 'shop',
        workload: web,
        container_name: 'app',
        container_type: 'regular',
        replicas_observed: 5,
        // 85, 90, 60, 85 are above 50 %
        replicas_throttled: 4,
        worst_throttled_percent: 90,
        worst_pod: 'web-b',
        // sorted 20, 60, 85, 85, 90 → 85
        median_throttled_percent: 85,
        current_cpu_limits: [{ cpu_limit: '500m', replicas: 5 }],
        limits_disagree: false,
        recommended_cpu_limit: '1300m',
        recommended_command: perPod.recommended_command,
        recommended_for: 'web-a',
        last_updated: '2024-01-01T12:00:00.000Z',
      },
    ]);
  });

  it('gives the same finding whatever order the replicas are listed in', () => {
    expect(workloadFindings([...five].reverse())).toEqual(workloadFindings(five));
  });

  it('flags replicas that disagree on the current limit (a rollout)', () => {
    // Two at the new 1300m (calm), three at 500m; 500m is the most common, listed first.
    const rolling = [
      ...five.slice(0, 3),
      replica('web-f', { throttled: 2, limit: '1300m', throttleNs: 0 }),
      replica('web-g', { throttled: 3, limit: '1300m', throttleNs: 0 }),
    ];
    const [finding] = workloadFindings(rolling);
    expect(finding?.limits_disagree).toBe(true);
    expect(finding?.current_cpu_limits).toEqual([
      { cpu_limit: '500m', replicas: 3 },
      { cpu_limit: '1300m', replicas: 2 },
    ]);
    // sorted 2, 3, 20, 85, 85 → 20
    expect(finding?.median_throttled_percent).toBe(20);
  });

  it('keeps at most 64 limits, as the schema does, and still flags them', () => {
    // 70 replicas each resized in place to its own limit: 100m, 110m, … 790m.
    const resized = Array.from({ length: 70 }, (_, i) =>
      replica(`web-${i}`, { throttled: 10, limit: `${100 + 10 * i}m` }),
    );
    const [finding] = workloadFindings(resized);
    expect(finding?.current_cpu_limits).toHaveLength(64);
    expect(finding?.current_cpu_limits?.[0]).toEqual({ cpu_limit: '100m', replicas: 1 });
    expect(finding?.limits_disagree).toBe(true);
    expect(v.safeParse(WorkloadWhisperStatusSchema, finding).success).toBe(true);
  });

  it('keeps containers, workloads and kinds apart, and skips pods without a shared template', () => {
    const db: Workload = { api_version: 'apps/v1', kind: 'StatefulSet', name: 'db' };
    const agent: Workload = { api_version: 'apps/v1', kind: 'DaemonSet', name: 'agent' };
    const findings = workloadFindings([
      replica('web-a', { throttled: 85, limit: '500m' }),
      replica('web-a', { throttled: 85, limit: '100m', request: '100m', container: 'proxy' }),
      replica('db-0', { throttled: 10, limit: '2000m', workload: db }),
      replica('agent-x', { throttled: 10, workload: agent }),
      replica('solo', { throttled: 99, limit: '500m', workload: { api_version: 'v1', kind: 'Pod', name: 'solo' } }),
      replica('job-1', {
        throttled: 99,
        limit: '500m',
        workload: { api_version: 'batch/v1', kind: 'Job', name: 'j' },
      }),
    ]);
    expect(findings.map((f) => [f.workload.kind, f.workload.name, f.container_name])).toEqual([
      ['DaemonSet', 'agent', 'app'],
      ['Deployment', 'web', 'app'],
      ['Deployment', 'web', 'proxy'],
      ['StatefulSet', 'db', 'app'],
    ]);
    // Without throttled time: the +50 % fallback; the proxy's equal request moves with its limit.
    expect(findings[2]).toMatchObject({
      recommended_cpu_limit: '150m',
      recommended_cpu_request: '150m',
      recommended_command:
        'kubectl set resources deployment/web -n shop -c proxy --limits=cpu=150m --requests=cpu=150m',
    });
    expect(findings[0]).toMatchObject({ current_cpu_limits: [{ cpu_limit: 'none', replicas: 1 }] });
    expect(findings[3]).not.toHaveProperty('recommended_cpu_limit');
  });
});
