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

/** The status the sweep sends: the ingest status for `nowMs` plus the sweep's own conditions. */
function statusAt(object: KubeObject, nowMs: number, ...extra: readonly object[]): Record<string, unknown> {
  const status = desiredStatus(object, { nowMs, resolvedAfterMs: POLICY.resolvedAfterMs });
  return extra.length === 0 ? status : { ...status, conditions: [...(status.conditions as object[]), ...extra] };
}

function applyStatus(object: KubeObject, status: Record<string, unknown>, changes: StatusChange[]): SweepAction {
  const type = object.kind === KERNEL_WHISPER.kind ? KERNEL_WHISPER : POD_BIRTH_CERTIFICATE;
  const { name, namespace } = object.metadata;
  return {
    action: 'applyStatus',
    type,
    object: {
      apiVersion: object.apiVersion,
      kind: object.kind,
      metadata: { name, namespace, resourceVersion: '7' },
      status,
    },
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
    expected: [applyStatus(kw, statusAt(kw, NOW), ['repaired'])],
  },
  {
    name: 'status behind the generation: recomputed',
    kernelWhispers: [kwGeneration2],
    nowMs: NOW,
    expected: [applyStatus(kwGeneration2, statusAt(kwGeneration2, NOW), ['repaired'])],
  },
  {
    name: 'no observation for the window: resolved',
    kernelWhispers: [kwCurrent],
    nowMs: LATER,
    expected: [applyStatus(kwCurrent, statusAt(kwCurrent, LATER), ['resolved'])],
  },
  {
    name: 'status missing past the window: resolved and repaired',
    kernelWhispers: [kw],
    nowMs: LATER,
    expected: [applyStatus(kw, statusAt(kw, LATER), ['resolved', 'repaired'])],
  },
  { name: 'info severity: nothing to resolve', kernelWhispers: [kwInfo], nowMs: LATER, expected: [] },
  {
    name: 'pod deleted: marked PodGone now',
    kernelWhispers: [kwCurrent],
    pods: onlyWeb,
    nowMs: NOW,
    expected: [
      applyStatus(kwCurrent, statusAt(kwCurrent, NOW, podGone('PodDeleted', NOW, KW_GONE)), ['markedPodGone']),
    ],
  },
  {
    name: 'pod replaced under the same name: marked PodGone',
    kernelWhispers: [kwCurrent],
    pods: replaced,
    nowMs: NOW,
    expected: [
      applyStatus(kwCurrent, statusAt(kwCurrent, NOW, podGone('PodReplaced', NOW, KW_REPLACED)), ['markedPodGone']),
    ],
  },
  {
    name: 'status missing and pod deleted: both in one write',
    kernelWhispers: [kw],
    pods: onlyWeb,
    nowMs: NOW,
    expected: [applyStatus(kw, statusAt(kw, NOW, podGone('PodDeleted', NOW, KW_GONE)), ['repaired', 'markedPodGone'])],
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
    expected: [
      applyStatus(kw, statusAt(kwMarked(T0 + 25 * HOUR), T0 + 25 * HOUR, presentAt(T0 + 25 * HOUR)), ['repaired']),
    ],
  },
  {
    name: 'deleted, then replaced: reason updated, transition time kept',
    kernelWhispers: [kwMarked(T0 + HOUR)],
    pods: replaced,
    nowMs: T0 + HOUR,
    expected: [
      applyStatus(kw, statusAt(kwMarked(T0 + HOUR), T0 + HOUR, podGone('PodReplaced', T0, KW_REPLACED)), ['repaired']),
    ],
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
    expected: [applyStatus(pbc, statusAt(pbc, NOW), ['repaired'])],
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
    const observed = deepFreeze({ kernelWhispers, podBirthCertificates, pods, monitoredPods: EMPTY_MONITORED_PODS });

    const plan = planSweep(observed, nowMs, POLICY);

    expect(plan).toEqual({ actions: expected, problems: [] });
  });

  it('says throttling stopped, at detected_at plus the window, and keeps the spec out of the write', () => {
    const plan = planSweep(
      deepFreeze({
        kernelWhispers: [kwCurrent],
        podBirthCertificates: [],
        pods: QUIET_PODS,
        monitoredPods: EMPTY_MONITORED_PODS,
      }),
      LATER,
      POLICY,
    );

    const [action] = plan.actions;
    expect(action?.action === 'applyStatus' && action.object.spec).toBeUndefined();
    expect(action?.action === 'applyStatus' && action.object.status).toMatchObject({
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

  it('reports an object whose spec fails the schema and plans the others', () => {
    const broken = {
      ...kw,
      metadata: { ...kw.metadata, name: 'broken.app' },
      spec: { ...(kw.spec as object), severity: 'extreme' },
    };

    const plan = planSweep(
      deepFreeze({
        kernelWhispers: [broken, kw],
        podBirthCertificates: [],
        pods: QUIET_PODS,
        monitoredPods: EMPTY_MONITORED_PODS,
      }),
      NOW,
      POLICY,
    );

    expect(plan.actions).toEqual([applyStatus(kw, statusAt(kw, NOW), ['repaired'])]);
    expect(plan.problems).toEqual([
      {
        object: 'kernelwhispers/production/broken.app',
        reason: 'SpecInvalid',
        message: expect.stringContaining('severity'),
      },
    ]);
  });

  it('plans nothing more once its own writes are stored (a second sweep is a no-op)', () => {
    const observed = {
      kernelWhispers: [kw],
      podBirthCertificates: [pbc],
      pods: [],
      monitoredPods: EMPTY_MONITORED_PODS,
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

/** The object as stored after the plan's status write. */
function written(object: KubeObject, plan: SweepPlan): KubeObject {
  const action = plan.actions.find(
    (item) =>
      item.action === 'applyStatus' &&
      item.object.kind === object.kind &&
      item.object.metadata.name === object.metadata.name,
  );
  return action?.action === 'applyStatus' ? { ...object, status: action.object.status } : object;
}
