import { describe, expect, it } from 'vitest';
import type { KernelWhisperSpec } from '../../../lib/api/kernel-whisper.js';
import { cpuRecommendation } from '../../../lib/core/cpu-recommendation.js';
import { planRollups, type WorkloadWhisper } from '../../../lib/core/sweep-rollup.js';
import { historyEntryOf } from '../../../lib/core/throttle-history.js';
import type { Replica } from '../../../lib/core/workload-rollup.js';
import { deepFreeze } from '../support/freeze.js';

function replica(pod: string, throttled: number, detectedAt = '2024-01-01T12:00:00.000Z'): Replica {
  const spec: KernelWhisperSpec = {
    pod_name: pod,
    namespace: 'shop',
    container_name: 'app',
    detected_at: detectedAt,
    kernel_truth: { throttled_percent: throttled, actual_cpu_cores: 0.5 },
    metrics_lie: { reported_status: 'unknown' },
    severity: throttled > 80 ? 'critical' : throttled > 50 ? 'warning' : 'info',
    container_resources: { container_type: 'regular', cpu_limit: '500m' },
    workload: { api_version: 'apps/v1', kind: 'Deployment', name: 'web' },
  };
  return { spec, advice: cpuRecommendation(spec, { history: [historyEntryOf(spec)], targetPercent: 10 }) };
}

/** What the API server would return after the planned writes: the desired object with server metadata. */
function stored(write: { desired: WorkloadWhisper }): WorkloadWhisper {
  return {
    ...write.desired,
    metadata: { ...write.desired.metadata, uid: 'u1', resourceVersion: '7', generation: 1 },
  };
}

describe('planRollups', () => {
  const replicas = deepFreeze([replica('web-a', 85), replica('web-b', 20, '2024-01-01T12:01:00.000Z')]);

  it('creates one WorkloadWhisper per workload container, named kind.workload.container', () => {
    const plan = planRollups(replicas, []);
    expect(plan.deletes).toEqual([]);
    expect(plan.writes).toHaveLength(1);
    const [write] = plan.writes;
    expect(write).toMatchObject({ current: undefined, spec: true, status: true });
    expect(write?.desired).toEqual({
      apiVersion: 'kernel.gossip.io/v1alpha1',
      kind: 'WorkloadWhisper',
      metadata: {
        name: 'deployment.web.app',
        namespace: 'shop',
        labels: { 'kernel.gossip.io/container': 'app', 'app.kubernetes.io/managed-by': 'kernel-gossip' },
      },
      spec: { workload: { api_version: 'apps/v1', kind: 'Deployment', name: 'web' }, container_name: 'app' },
      status: {
        container_type: 'regular',
        replicas_observed: 2,
        replicas_throttled: 1,
        worst_throttled_percent: 85,
        worst_pod: 'web-a',
        median_throttled_percent: 52.5,
        current_cpu_limits: [{ cpu_limit: '500m', replicas: 2 }],
        limits_disagree: false,
        recommended_cpu_limit: '750m',
        recommended_command: 'kubectl set resources deployment/web -n shop -c app --limits=cpu=750m',
        recommended_for: 'web-a',
        last_updated: '2024-01-01T12:01:00.000Z',
        observed_generation: 1,
      },
    });
  });

  it('plans nothing once converged', () => {
    const [write] = planRollups(replicas, []).writes;
    if (write === undefined) throw new Error('expected a write');
    expect(planRollups(replicas, [stored(write)])).toEqual({ writes: [], deletes: [] });
  });

  it('rewrites only the status when a replica changes', () => {
    const [write] = planRollups(replicas, []).writes;
    if (write === undefined) throw new Error('expected a write');
    const current = stored(write);
    const plan = planRollups([replicas[0] as Replica, replica('web-b', 90)], [current]);
    expect(plan.writes).toHaveLength(1);
    expect(plan.writes[0]).toMatchObject({ current, spec: false, status: true });
    expect(plan.writes[0]?.desired.status?.replicas_throttled).toBe(2);
  });

  it('deletes a roll-up with no live replica left, but not one of someone else or already going', () => {
    const [write] = planRollups(replicas, []).writes;
    if (write === undefined) throw new Error('expected a write');
    const ours = stored(write);
    const foreign = { ...ours, metadata: { ...ours.metadata, name: 'other', labels: {} } };
    const going = { ...ours, metadata: { ...ours.metadata, name: 'going', deletionTimestamp: '2024-01-01T00:00:00Z' } };
    expect(planRollups([], [ours, foreign, going])).toEqual({ writes: [], deletes: [ours] });
  });
});
