import { describe, expect, it } from 'vitest';
import { KERNEL_WHISPER, POD_BIRTH_CERTIFICATE } from '../../../lib/api/group.js';
import { desiredStatus } from '../../../lib/core/ingest-plan.js';
import type { Pod } from '../../../lib/core/pod.js';
import { planSweep, type StatusChange, type SweepAction, type SweepPlan } from '../../../lib/core/sweep-plan.js';
import type { KubeObject } from '../../../lib/k8s/objects.js';
import { deepFreeze } from '../support/freeze.js';
import {
  certificate,
  EMPTY_MONITORED_PODS,
  HOUR,
  MINUTE,
  POLICY,
  pod,
  podGone,
  QUIET_PODS,
  T0,
  whisper,
  withStatus,
} from './fixtures.js';

const NOW = T0 + MINUTE;
const LATER = T0 + 11 * MINUTE;
const KW_GONE = 'Pod production/throttled-pod no longer exists.';
const KW_REPLACED = 'Pod production/throttled-pod with UID uid-1 was replaced by another pod of the same name.';

/** The status the ingest computes for `nowMs`: what the sweep applies under the ingest's manager. */
function statusAt(object: KubeObject, nowMs: number): Record<string, unknown> {
  return desiredStatus(object, { nowMs, resolvedAfterMs: POLICY.resolvedAfterMs, targetPercent: POLICY.targetPercent });
}

type Parts = { readonly ingest?: Record<string, unknown>; readonly sweep?: readonly object[] };

/** The planned status write: the ingest part under its manager, the sweep's own conditions under the sweep's. */
function applyStatus(object: KubeObject, parts: Parts, changes: StatusChange[]): SweepAction {
  const type = object.kind === KERNEL_WHISPER.kind ? KERNEL_WHISPER : POD_BIRTH_CERTIFICATE;
  const { name, namespace } = object.metadata;
  const body = (status: Record<string, unknown>) => ({
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: { name, namespace, resourceVersion: '7' },
    status,
  });
  return {
    action: 'applyStatus',
    type,
    ref: { namespace: namespace ?? '', name },
    ...(parts.ingest === undefined ? {} : { ingest: body(parts.ingest) }),
    ...(parts.sweep === undefined ? {} : { sweep: body(parts.sweep.length === 0 ? {} : { conditions: parts.sweep }) }),
    changes,
  };
}

function deleteOf(object: KubeObject): SweepAction {
  const type = object.kind === KERNEL_WHISPER.kind ? KERNEL_WHISPER : POD_BIRTH_CERTIFICATE;
  const ref = { namespace: object.metadata.namespace ?? '', name: object.metadata.name };
  return { action: 'delete', type, ref, preconditions: { uid: object.metadata.uid ?? '', resourceVersion: '7' } };
}

const kw = whisper();
const kwCurrent = withStatus(kw, T0);
const kwGeneration2 = { ...kwCurrent, metadata: { ...kwCurrent.metadata, generation: 2 } };
const kwInfo = withStatus(whisper({ throttle_percentage: 30 }), T0);
const kwNoUid = withStatus(whisper({ pod_uid: null }), T0);
const kwMarked = (nowMs: number) => withStatus(kw, nowMs, podGone('PodDeleted', T0, KW_GONE));
const pbc = certificate();
const pbcMarked = withStatus(pbc, T0, podGone('PodDeleted', T0, 'Pod production/web-1 no longer exists.'));
const onlyWeb = [pod('web-1', 'uid-web-1', { annotated: false })];
const replaced = [pod('throttled-pod', 'uid-2', { annotated: false }), ...onlyWeb];
const terminating = { ...kw, metadata: { ...kw.metadata, deletionTimestamp: '2024-01-01T00:00:30Z' } };
const presentAt = (nowMs: number) => ({
  type: 'PodGone',
  status: 'False',
  reason: 'PodPresent',
  message: 'Pod production/throttled-pod exists.',
  lastTransitionTime: new Date(nowMs).toISOString(),
  observedGeneration: 1,
});

type Case = {
  name: string;
  kernelWhispers?: KubeObject[];
  podBirthCertificates?: KubeObject[];
  pods?: readonly Pod[];
  nowMs: number;
  expected: SweepAction[];
};

const cases: Case[] = [
  {
    name: 'converged: nothing to do',
    kernelWhispers: [kwCurrent],
    podBirthCertificates: [withStatus(pbc, T0)],
    nowMs: NOW,
    expected: [],
  },
  {
    name: 'status missing: recomputed from the spec',
    kernelWhispers: [kw],
    nowMs: NOW,
    expected: [applyStatus(kw, { ingest: statusAt(kw, NOW) }, ['repaired'])],
  },
  {
    name: 'status behind the generation: recomputed',
    kernelWhispers: [kwGeneration2],
    nowMs: NOW,
    expected: [applyStatus(kwGeneration2, { ingest: statusAt(kwGeneration2, NOW) }, ['repaired'])],
  },
  {
    name: 'no observation for the window: resolved',
    kernelWhispers: [kwCurrent],
    nowMs: LATER,
    expected: [applyStatus(kwCurrent, { ingest: statusAt(kwCurrent, LATER) }, ['resolved'])],
  },
  {
    name: 'status missing past the window: resolved and repaired',
    kernelWhispers: [kw],
    nowMs: LATER,
    expected: [applyStatus(kw, { ingest: statusAt(kw, LATER) }, ['resolved', 'repaired'])],
  },
  { name: 'info severity: nothing to resolve', kernelWhispers: [kwInfo], nowMs: LATER, expected: [] },
  {
    name: 'pod deleted: marked PodGone now',
    kernelWhispers: [kwCurrent],
    pods: onlyWeb,
    nowMs: NOW,
    expected: [applyStatus(kwCurrent, { sweep: [podGone('PodDeleted', NOW, KW_GONE)] }, ['markedPodGone'])],
  },
  {
    name: 'pod replaced under the same name: marked PodGone',
    kernelWhispers: [kwCurrent],
    pods: replaced,
    nowMs: NOW,
    expected: [applyStatus(kwCurrent, { sweep: [podGone('PodReplaced', NOW, KW_REPLACED)] }, ['markedPodGone'])],
  },
  {
    name: 'status missing and pod deleted: both in one write',
    kernelWhispers: [kw],
    pods: onlyWeb,
    nowMs: NOW,
    expected: [
      applyStatus(kw, { ingest: statusAt(kw, NOW), sweep: [podGone('PodDeleted', NOW, KW_GONE)] }, [
        'repaired',
        'markedPodGone',
      ]),
    ],
  },
  {
    name: 'no pod UID recorded and the name exists: present',
    kernelWhispers: [kwNoUid],
    pods: replaced,
    nowMs: NOW,
    expected: [],
  },
  {
    name: 'marked, inside the retention window: kept',
    kernelWhispers: [kwMarked(T0 + 23 * HOUR)],
    pods: onlyWeb,
    nowMs: T0 + 23 * HOUR,
    expected: [],
  },
  {
    name: 'marked for the whole retention window: deleted with preconditions',
    kernelWhispers: [kwMarked(T0 + 24 * HOUR)],
    pods: onlyWeb,
    nowMs: T0 + 24 * HOUR,
    expected: [deleteOf(kw)],
  },
  {
    name: 'marked but the pod is back: PodGone False, not deleted',
    kernelWhispers: [kwMarked(T0 + 25 * HOUR)],
    nowMs: T0 + 25 * HOUR,
    expected: [applyStatus(kw, { sweep: [presentAt(T0 + 25 * HOUR)] }, ['repaired'])],
  },
  {
    name: 'deleted, then replaced: reason updated, transition time kept',
    kernelWhispers: [kwMarked(T0 + HOUR)],
    pods: replaced,
    nowMs: T0 + HOUR,
    expected: [applyStatus(kw, { sweep: [podGone('PodReplaced', T0, KW_REPLACED)] }, ['repaired'])],
  },
  {
    name: 'being deleted already: left alone',
    kernelWhispers: [terminating],
    pods: onlyWeb,
    nowMs: T0 + 48 * HOUR,
    expected: [],
  },
  {
    name: 'certificate without status: recomputed',
    podBirthCertificates: [pbc],
    nowMs: NOW,
    expected: [applyStatus(pbc, { ingest: statusAt(pbc, NOW) }, ['repaired'])],
  },
  {
    name: 'certificate whose pod is gone past its shorter retention: deleted',
    podBirthCertificates: [pbcMarked],
    pods: [],
    nowMs: T0 + HOUR,
    expected: [deleteOf(pbc)],
  },
  {
    name: 'certificate within its retention: kept',
    podBirthCertificates: [pbcMarked],
    pods: [],
    nowMs: T0 + HOUR - 1,
    expected: [],
  },
];

describe('planSweep: KernelWhispers and PodBirthCertificates', () => {
  it.each(cases)('$name', ({ kernelWhispers = [], podBirthCertificates = [], pods = QUIET_PODS, nowMs, expected }) => {
    const observed = deepFreeze({
      kernelWhispers,
      podBirthCertificates,
      pods,
      monitoredPods: EMPTY_MONITORED_PODS,
      workloadWhispers: [],
    });

    const plan = planSweep(observed, nowMs, POLICY);

    expect(plan).toEqual({ actions: expected });
  });

  it('says throttling stopped, at detected_at plus the window, and keeps the spec out of the write', () => {
    const plan = planWhispers([kwCurrent], LATER);

    const [action] = plan.actions;
    expect(action?.action === 'applyStatus' && action.sweep).toBeUndefined();
    expect(action?.action === 'applyStatus' && action.ingest?.spec).toBeUndefined();
    expect(action?.action === 'applyStatus' && action.ingest?.status).toMatchObject({
      insight: expect.stringMatching(/^Throttling stopped: no observation since 2024-01-01T00:00:00.000Z/),
      conditions: [
        {
          type: 'Throttled',
          status: 'False',
          reason: 'NoRecentObservation',
          lastTransitionTime: '2024-01-01T00:10:00.000Z',
        },
      ],
    });
  });

  it('marks an object whose spec fails the schema Invalid, under its own manager, and plans the others', () => {
    const broken = {
      ...kw,
      metadata: { ...kw.metadata, name: 'broken.app' },
      spec: { ...(kw.spec as object), severity: 'extreme' },
    };

    const plan = planWhispers([broken, kw], NOW);

    const deleteAt = new Date(NOW + 24 * HOUR).toISOString();
    expect(plan.actions).toEqual([
      applyStatus(
        broken,
        {
          sweep: [
            {
              type: 'Invalid',
              status: 'True',
              reason: 'SpecInvalid',
              message: expect.stringMatching(
                new RegExp(
                  `severity.*deleted after the retention window, at ${deleteAt}.*kubectl delete kernelwhispers broken.app -n production`,
                ),
              ),
              lastTransitionTime: new Date(NOW).toISOString(),
              observedGeneration: 1,
            },
          ],
        },
        ['markedInvalid'],
      ),
      applyStatus(kw, { ingest: statusAt(kw, NOW) }, ['repaired']),
    ]);
  });

  it('keeps an Invalid object marked, and deletes it once the retention has passed since the mark', () => {
    const broken = { ...kw, spec: { ...(kw.spec as object), severity: 'extreme' } };
    const first = planWhispers([broken], NOW);
    const marked = written(broken, first);
    const at = (nowMs: number) => planWhispers([marked], nowMs).actions;

    expect(at(NOW + 24 * HOUR - 1)).toEqual([]);
    expect(at(NOW + 24 * HOUR)).toEqual([deleteOf(kw)]);
  });

  it('gives up what an earlier sweep co-owned: its own conditions only, so fields the ingest no longer sends go', () => {
    // An earlier sweep applied the whole status; the ingest then stopped sending the raised limit.
    const coOwned = { ...kwCurrent, status: { ...(kwCurrent.status as object), recommended_cpu_limit: '750m' } };

    const plan = planWhispers([coOwned], NOW);

    expect(plan.actions).toEqual([applyStatus(kwCurrent, { sweep: [] }, ['repaired'])]);
  });

  it('plans nothing more once its own writes are stored (a second sweep is a no-op)', () => {
    const observed = {
      kernelWhispers: [kw],
      podBirthCertificates: [pbc],
      pods: [],
      monitoredPods: EMPTY_MONITORED_PODS,
      workloadWhispers: [],
    };
    const first = planSweep(deepFreeze(observed), NOW, POLICY);
    expect(first.actions.map((action) => action.action === 'applyStatus' && action.changes)).toEqual([
      ['repaired', 'markedPodGone'],
      ['repaired', 'markedPodGone'],
    ]);

    const again = planSweep(
      deepFreeze({ ...observed, kernelWhispers: [written(kw, first)], podBirthCertificates: [written(pbc, first)] }),
      NOW + MINUTE,
      POLICY,
    );

    expect(again.actions).toEqual([]);
  });
});

/** The plan for these KernelWhispers alone, in a cluster whose pods are all there. */
function planWhispers(kernelWhispers: readonly KubeObject[], nowMs: number): SweepPlan {
  const observed = {
    kernelWhispers,
    podBirthCertificates: [],
    pods: QUIET_PODS,
    monitoredPods: EMPTY_MONITORED_PODS,
    workloadWhispers: [],
  };
  return planSweep(deepFreeze(observed), nowMs, POLICY);
}

/** The object as stored after the plan's status writes (each manager's part merged, as SSA does). */
function written(object: KubeObject, plan: SweepPlan): KubeObject {
  const action = plan.actions.find(
    (item) => item.action === 'applyStatus' && item.type.kind === object.kind && item.ref.name === object.metadata.name,
  );
  if (action?.action !== 'applyStatus') return object;
  const before = (object.status ?? {}) as Record<string, unknown>;
  const ingest = (action.ingest?.status ?? before) as Record<string, unknown>;
  const sweep = (action.sweep?.status ?? {}) as { conditions?: { type: string }[] };
  const kept = ((ingest.conditions ?? []) as { type: string }[]).filter(
    (condition) => !['PodGone', 'Invalid'].includes(condition.type),
  );
  return { ...object, status: { ...ingest, conditions: [...kept, ...(sweep.conditions ?? [])] } };
}
