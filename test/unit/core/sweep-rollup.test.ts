import { describe, expect, it } from 'vitest';
import type { KernelWhisperSpec } from '../../../lib/api/kernel-whisper.js';
import { cpuRecommendation } from '../../../lib/core/cpu-recommendation.js';
import { desiredStatus } from '../../../lib/core/ingest-plan.js';
import type { Pod } from '../../../lib/core/pod.js';
import { indexPods } from '../../../lib/core/sweep-pod-gone.js';
import { planRollups, rollupReplicas, type WorkloadWhisper } from '../../../lib/core/sweep-rollup.js';
import { historyEntryOf } from '../../../lib/core/throttle-history.js';
import type { Replica } from '../../../lib/core/workload-rollup.js';
import type { KubeObject } from '../../../lib/k8s/objects.js';
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

describe('rollupReplicas', () => {
  const clock = { nowMs: Date.parse('2024-01-01T12:02:00.000Z'), resolvedAfterMs: 600_000, targetPercent: 10 };
  const rsOwner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5f7c9d', uid: 'rs', controller: true };
  function pod(name: string, uid: string, extra: Partial<Pod['metadata']> = {}, phase = 'Running'): Pod {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: 'shop',
        uid,
        labels: { 'pod-template-hash': '5f7c9d' },
        ownerReferences: [rsOwner],
        ...extra,
      },
      status: { phase },
    };
  }
  function whisper(podName: string, uid: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
    // Recorded without a workload: the listed pod's owner decides it.
    const { workload: _, ...spec } = { ...replica(podName, 85).spec, pod_uid: uid };
    return {
      apiVersion: 'kernel.gossip.io/v1alpha1',
      kind: 'KernelWhisper',
      metadata: { name: `${podName}.app`, namespace: 'shop', generation: 1, ...extra },
      spec,
    };
  }

  it('keeps KernelWhispers of live, running pods of the same UID, with the workload the pod names now', () => {
    const pods = indexPods([
      pod('web-a', 'a'),
      pod('web-b', 'b-new'),
      pod('web-c', 'c', {}, 'Succeeded'),
      pod('web-e', 'e'),
      pod('solo', 's', { labels: {}, ownerReferences: [] }),
    ]);
    const replicas = rollupReplicas(
      deepFreeze([
        whisper('web-a', 'a'),
        whisper('web-b', 'b-old'),
        whisper('web-c', 'c'),
        whisper('web-d', 'd'),
        whisper('web-e', 'e', { deletionTimestamp: '2024-01-01T12:01:00Z' }),
        { ...whisper('web-a', 'a'), metadata: { name: 'broken', namespace: 'shop' }, spec: { pod_name: 'web-a' } },
        whisper('solo', 's'),
      ]),
      pods,
      clock,
    );
    expect(replicas.map((each) => [each.spec.pod_name, each.spec.workload])).toEqual([
      ['web-a', { api_version: 'apps/v1', kind: 'Deployment', name: 'web' }],
      ['solo', { api_version: 'v1', kind: 'Pod', name: 'solo' }],
    ]);
    // The advice its own status gives, for the Deployment: the +50 % fallback without a history.
    expect(replicas[0]?.advice).toEqual({
      recommended_cpu_limit: '750m',
      recommended_command: 'kubectl set resources deployment/web -n shop -c app --limits=cpu=750m',
    });
  });

  it('keeps the advice its history sizes, and not the history itself', () => {
    const pods = indexPods([pod('web-a', 'a')]);
    const plain = whisper('web-a', 'a');
    const spec = plain.spec as KernelWhisperSpec;
    const measured: KernelWhisperSpec = {
      ...spec,
      kernel_truth: { ...spec.kernel_truth, throttle_ns: 9_000_000_000, period_seconds: 60 },
    };
    const withHistory = { ...plain, spec: { ...measured, history: [historyEntryOf(measured)] } };
    const [sized] = rollupReplicas(deepFreeze([withHistory]), pods, clock);

    expect(sized?.spec).not.toHaveProperty('history');
    const ownStatus = desiredStatus(
      { ...withHistory, spec: { ...withHistory.spec, workload: sized?.spec.workload } },
      clock,
    );
    expect(sized?.advice.recommended_cpu_limit).toBe(ownStatus.recommended_cpu_limit);
    // Sized from the throttled time, not the +50 % fallback of a spec without a history.
    expect(sized?.advice.recommended_cpu_limit).not.toBe('750m');
  });
});
