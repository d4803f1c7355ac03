import { describe, expect, it } from 'vitest';
import type { SweepSummary } from '../../../functions/sweep/handle.js';
import { KERNEL_WHISPER, POD, WORKLOAD_WHISPER } from '../../../lib/api/group.js';
import type { Pod } from '../../../lib/core/pod.js';
import { planSweep } from '../../../lib/core/sweep-plan.js';
import type { KubeObject } from '../../../lib/k8s/objects.js';
import { monitoredPod } from '../support/ingest-app.js';
import { POLICY } from './fixtures.js';
import { NOW, post, seedWhisper, sweepHarness } from './harness.js';

/** Pods of the Deployment `web` (ReplicaSet web-5f7c9d), as the API server lists them. */
function deploymentPod(name: string): Pod {
  const pod = monitoredPod('production', name);
  const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5f7c9d', uid: 'rs', controller: true };
  return { ...pod, metadata: { ...pod.metadata, labels: { 'pod-template-hash': '5f7c9d' }, ownerReferences: [owner] } };
}

describe('roll-ups in the paged sweep', () => {
  it('rolls up the KernelWhispers of every page as planSweep does, and the next sweep writes nothing', async () => {
    const { app, fake } = sweepHarness({ SWEEP_PAGE_SIZE: '1' });
    const names = ['web-5f7c9d-a', 'web-5f7c9d-b', 'web-5f7c9d-c'];
    for (const name of names) {
      fake.seed(POD, deploymentPod(name));
      seedWhisper(fake, name, { pod: false });
    }
    const observed = {
      kernelWhispers: fake.all(KERNEL_WHISPER),
      podBirthCertificates: [],
      pods: fake.all(POD) as Pod[],
      monitoredPods: undefined,
      workloadWhispers: [],
    };
    const planned = planSweep(observed, NOW, POLICY).actions.flatMap((action) =>
      action.action === 'applyRollup' ? [action.desired] : [],
    );

    const first = (await (await post(app)).json()) as SweepSummary;

    expect(first.actions.rollupsApplied).toBe(1);
    expect(planned).toHaveLength(1);
    const [rollup] = fake.all(WORKLOAD_WHISPER) as KubeObject[];
    const { observed_generation: _generation, ...figures } = planned[0]?.status ?? {};
    expect(rollup).toMatchObject({ metadata: planned[0]?.metadata, spec: planned[0]?.spec, status: figures });
    expect(rollup?.status).toMatchObject({ replicas_observed: 3 });

    const second = (await (await post(app)).json()) as SweepSummary;
    expect(second.seen.workloadWhispers).toBe(1);
    expect(second.writes).toBe(0);
  });
});
