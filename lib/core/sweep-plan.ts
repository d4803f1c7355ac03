import { KERNEL_WHISPER, POD_BIRTH_CERTIFICATE, type ResourceType, WORKLOAD_WHISPER } from '../api/group.js';
import { KernelWhisperSpecSchema } from '../api/kernel-whisper.js';
import { PodBirthCertificateSpecSchema } from '../api/pod-birth-certificate.js';
import type { KubeObject, ObjectRef } from '../k8s/objects.js';
import { compact } from './json.js';
import type { MonitorPolicy } from './monitor-policy.js';
import type { Pod } from './pod.js';
import type { LifecycleRefresh } from './sweep-birth-lifecycle.js';
import { type ConfigMap, desiredMonitoredPods } from './sweep-monitored-pods.js';
import { planObject, type SweepContext, type SweptKind } from './sweep-object.js';

export type { SweepContext, SweptKind } from './sweep-object.js';

import { indexPods } from './sweep-pod-gone.js';
import { planRollups, type RollupApply, rollupReplicas, type WorkloadWhisper } from './sweep-rollup.js';
import type { Replica } from './workload-rollup.js';

/**
 * The sweep's pure core: observed objects, pods and the monitored-pods ConfigMap
 * in, the writes that converge them out. Level-based like a controller's
 * reconcile: every action follows from the state passed in and `nowMs`, so a
 * converged cluster plans nothing and two sweeps over the same state agree.
 */
export type SweepPolicy = {
  readonly resolvedAfterMs: number;
  readonly targetPercent: number;
  readonly retentionMs: { readonly kernelWhisper: number; readonly podBirthCertificate: number };
  readonly monitor: MonitorPolicy;
  readonly monitoredPodsNamespace: string;
};

export type SweepObserved = {
  readonly kernelWhispers: readonly KubeObject[];
  readonly podBirthCertificates: readonly KubeObject[];
  readonly pods: readonly Pod[];
  readonly monitoredPods: ConfigMap | undefined;
  /** The roll-ups as stored, to write only what differs and delete what no replica backs. */
  readonly workloadWhispers: readonly WorkloadWhisper[];
};

export type StatusChange = 'repaired' | 'resolved' | 'markedPodGone' | 'markedInvalid';

/**
 * One object's status writes. Each manager owns what it computes and always
 * sends all of it (docs/design.md "Field ownership"): the status derived from
 * the spec and the clock goes under the ingest's manager, whichever function
 * computes it; the sweep's own conditions (PodGone, Invalid) under its own,
 * applied after the first with that write's resourceVersion.
 */
export type StatusWrite = {
  readonly action: 'applyStatus';
  readonly type: ResourceType;
  readonly ref: ObjectRef;
  readonly ingest?: KubeObject;
  readonly sweep?: KubeObject;
  readonly changes: readonly StatusChange[];
};

export type SweepAction =
  | StatusWrite
  | {
      readonly action: 'delete';
      readonly type: ResourceType;
      readonly ref: ObjectRef;
      readonly preconditions: { readonly uid?: string; readonly resourceVersion?: string };
    }
  | { readonly action: 'applyConfigMap'; readonly object: ConfigMap }
  | LifecycleRefresh
  | RollupApply;

export type SweepPlan = { readonly actions: readonly SweepAction[] };

/** The kinds the sweep plans for, with the schema of their spec and their retention. */
export function sweptKinds(policy: SweepPolicy): readonly SweptKind[] {
  return [
    { type: KERNEL_WHISPER, schema: KernelWhisperSpecSchema, retentionMs: policy.retentionMs.kernelWhisper },
    {
      type: POD_BIRTH_CERTIFICATE,
      schema: PodBirthCertificateSpecSchema,
      retentionMs: policy.retentionMs.podBirthCertificate,
    },
  ];
}

/** Everything observed at once: the plan of every object, then of the ConfigMap. */
export function planSweep(observed: SweepObserved, nowMs: number, policy: SweepPolicy): SweepPlan {
  const { resolvedAfterMs, targetPercent } = policy;
  const context: SweepContext = { pods: indexPods(observed.pods), nowMs, resolvedAfterMs, targetPercent };
  const [whispers, certificates] = sweptKinds(policy);
  const actions = [
    ...(whispers === undefined ? [] : planObjects(observed.kernelWhispers, whispers, context).actions),
    ...(certificates === undefined ? [] : planObjects(observed.podBirthCertificates, certificates, context).actions),
  ];
  const target = { namespace: policy.monitoredPodsNamespace, policy: policy.monitor, nowMs };
  const configMap = desiredMonitoredPods(observed.pods, observed.monitoredPods, target);
  if (configMap !== undefined) actions.push({ action: 'applyConfigMap', object: configMap });
  actions.push(
    ...planRollupActions(rollupReplicas(observed.kernelWhispers, context.pods, context), observed.workloadWhispers),
  );
  return { actions };
}

/**
 * Some objects of one kind, each on its own: the sweep plans a page at a time
 * with the pods of its whole scope in `context`, and the decisions are the
 * same as planning them all at once.
 */
export function planObjects(objects: readonly KubeObject[], kind: SweptKind, context: SweepContext): SweepPlan {
  const actions: SweepAction[] = [];
  for (const stored of objects) {
    const planned = planObject(stored, kind, context);
    if (planned !== undefined) actions.push(planned);
  }
  return { actions };
}

/**
 * The roll-ups' writes and deletions, from the replicas of every KernelWhisper
 * in scope (`rollupReplicas` with the sweep's context as the clock, so each
 * replica's advice is the status planned for its KernelWhisper) and the
 * WorkloadWhispers as stored. One function for `planSweep` and the paged
 * sweep (functions/sweep/handle.ts), so the two cannot drift.
 */
export function planRollupActions(replicas: readonly Replica[], stored: readonly WorkloadWhisper[]): SweepAction[] {
  const rollups = planRollups(replicas, stored);
  return [...rollups.writes, ...rollups.deletes.map(rollupDeletion)];
}

function rollupDeletion(stored: WorkloadWhisper): SweepAction {
  const { namespace = '', name, uid, resourceVersion } = stored.metadata;
  return {
    action: 'delete',
    type: WORKLOAD_WHISPER,
    ref: { namespace, name },
    preconditions: compact({ uid, resourceVersion }),
  };
}

/** `kernelwhispers/<namespace>/<name>`: how failures and problems name an object. */
export function objectName(type: ResourceType, ref: ObjectRef): string {
  return `${type.plural}/${ref.namespace}/${ref.name}`;
}
