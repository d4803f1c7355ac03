import { describe, expect, it } from 'vitest';
import type { PodBirthCertificateSpec } from '../../../lib/api/pod-birth-certificate.js';
import type { Pod } from '../../../lib/core/pod.js';
import { certificateFor } from '../../../lib/core/pod-birth.js';
import { fuseLifecycle, podLifecycle } from '../../../lib/core/pod-lifecycle.js';
import { planSweep } from '../../../lib/core/sweep-plan.js';
import type { KubeObject } from '../../../lib/k8s/objects.js';
import { deepFreeze } from '../support/freeze.js';
import { certificate, EMPTY_MONITORED_PODS, MINUTE, POLICY, T0, withStatus } from './fixtures.js';

const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

/** production/web-1 as the sweep lists it, scheduled at +1 s and Ready at +8 s when `ready`. */
function web1(options: { ready?: boolean; uid?: string } = {}): Pod {
  const conditions = [{ type: 'PodScheduled', status: 'True', lastTransitionTime: at(1) }];
  if (options.ready === true) conditions.push({ type: 'Ready', status: 'True', lastTransitionTime: at(8) });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'production', uid: options.uid ?? 'uid-web-1', creationTimestamp: at(0) },
    spec: { containers: [{ name: 'app' }] },
    status: { phase: 'Running', conditions },
  };
}

function sweep(stored: KubeObject, pod: Pod) {
  const observed = deepFreeze({
    kernelWhispers: [],
    podBirthCertificates: [stored],
    pods: [pod],
    monitoredPods: EMPTY_MONITORED_PODS,
    workloadWhispers: [],
  });
  return planSweep(observed, T0 + MINUTE, { ...POLICY, monitor: { ...POLICY.monitor, mode: 'annotated' } }).actions;
}

/** The certificate as stored after a refresh from `pod`, with the ingest's status. */
function refreshedFrom(pod: Pod): KubeObject {
  const stored = certificate();
  const spec = stored.spec as PodBirthCertificateSpec;
  return withStatus({ ...stored, spec: fuseLifecycle(spec, spec, [podLifecycle(pod)]) }, T0);
}

describe('the sweep refreshes a birth certificate from its pod', () => {
  it('applies the whole spec with the pod lifecycle joined in, guarded by the uid and resourceVersion', () => {
    const stored = withStatus(certificate(), T0);
    const spec = stored.spec as PodBirthCertificateSpec;
    const expected = certificateFor(fuseLifecycle(spec, spec, [podLifecycle(web1())]));
    expect(sweep(stored, web1())).toEqual([
      {
        action: 'applySpec',
        type: expect.objectContaining({ kind: 'PodBirthCertificate' }),
        object: { ...expected, metadata: { ...expected.metadata, uid: 'pbc-uid', resourceVersion: '7' } },
        clock: { nowMs: T0 + MINUTE, resolvedAfterMs: POLICY.resolvedAfterMs, targetPercent: POLICY.targetPercent },
      },
    ]);
    expect((expected.spec?.timeline ?? []).map((entry) => entry.step).filter(Boolean)).toEqual([
      'created',
      'scheduled',
    ]);
  });

  it('plans nothing once the certificate holds what the pod shows', () => {
    expect(sweep(refreshedFrom(web1()), web1())).toEqual([]);
  });

  it('refreshes until the pod is Ready, then never again', () => {
    expect(sweep(refreshedFrom(web1()), web1({ ready: true })).map((a) => a.action)).toEqual(['applySpec']);
    const born = refreshedFrom(web1({ ready: true }));
    const restarted = web1({ ready: true });
    restarted.status?.conditions?.push({
      type: 'PodReadyToStartContainers',
      status: 'True',
      lastTransitionTime: at(2),
    });
    expect(sweep(born, restarted)).toEqual([]);
  });

  it('never reads the lifecycle of another pod of the same name', () => {
    const actions = sweep(withStatus(certificate(), T0), web1({ uid: 'uid-new' }));
    expect(actions.map((a) => a.action)).toEqual(['applyStatus']);
  });
});
