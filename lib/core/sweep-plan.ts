import * as v from 'valibot';
import { type Condition, findCondition } from '../api/conditions.js';
import { KERNEL_WHISPER, POD_BIRTH_CERTIFICATE, type ResourceType } from '../api/group.js';
import { KernelWhisperSpecSchema, WHISPER_CONDITION } from '../api/kernel-whisper.js';
import { type PodBirthCertificateSpec, PodBirthCertificateSpecSchema } from '../api/pod-birth-certificate.js';
import { describeIssues } from '../events/fields.js';
import type { KubeObject, ObjectRef } from '../k8s/objects.js';
import { statusApply } from './guarded-apply.js';
import { desiredStatus, statusMatches } from './ingest-plan.js';
import { compact, isRecord, sameJson } from './json.js';
import { RESOLVED_REASON, type WhisperClock } from './kernel-whisper.js';
import type { MonitorPolicy } from './monitor-policy.js';
import type { Pod } from './pod.js';
import { type LifecycleRefresh, planLifecycleRefresh } from './sweep-birth-lifecycle.js';
import { type ConfigMap, desiredMonitoredPods } from './sweep-monitored-pods.js';
import { indexPods, POD_GONE, type PodIndex, podGoneCondition, retentionElapsed } from './sweep-pod-gone.js';

/**
 * The sweep's pure core: observed objects, pods and the monitored-pods ConfigMap
 * in, the writes that converge them out. Level-based like a controller's
 * reconcile: every action follows from the state passed in and `nowMs`, so a
 * converged cluster plans nothing and two sweeps over the same state agree.
 */
export type SweepPolicy = {
  readonly resolvedAfterMs: number;
  readonly retentionMs: { readonly kernelWhisper: number; readonly podBirthCertificate: number };
  readonly monitor: MonitorPolicy;
  readonly monitoredPodsNamespace: string;
};

export type SweepObserved = {
  readonly kernelWhispers: readonly KubeObject[];
  readonly podBirthCertificates: readonly KubeObject[];
  readonly pods: readonly Pod[];
  readonly monitoredPods: ConfigMap | undefined;
};

export type StatusChange = 'repaired' | 'resolved' | 'markedPodGone';

export type SweepAction =
  | {
      readonly action: 'applyStatus';
      readonly type: ResourceType;
      readonly object: KubeObject;
      readonly changes: readonly StatusChange[];
    }
  | {
      readonly action: 'delete';
      readonly type: ResourceType;
      readonly ref: ObjectRef;
      readonly preconditions: { readonly uid?: string; readonly resourceVersion?: string };
    }
  | { readonly action: 'applyConfigMap'; readonly object: ConfigMap }
  | LifecycleRefresh;

/** An object the sweep cannot plan for (its spec fails our schema); the others go ahead. */
export type SweepProblem = { readonly object: string; readonly reason: string; readonly message: string };

export type SweepPlan = { readonly actions: readonly SweepAction[]; readonly problems: readonly SweepProblem[] };

/** A kind the sweep plans for, with the schema of its spec and its retention. */
export type SweptKind = {
  readonly type: ResourceType;
  readonly schema: typeof KernelWhisperSpecSchema | typeof PodBirthCertificateSpecSchema;
  readonly retentionMs: number;
};
export type SweepContext = { readonly pods: PodIndex; readonly nowMs: number; readonly resolvedAfterMs: number };

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
  const context: SweepContext = { pods: indexPods(observed.pods), nowMs, resolvedAfterMs: policy.resolvedAfterMs };
  const [whispers, certificates] = sweptKinds(policy);
  const plans = [
    whispers === undefined ? undefined : planObjects(observed.kernelWhispers, whispers, context),
    certificates === undefined ? undefined : planObjects(observed.podBirthCertificates, certificates, context),
  ];
  const target = { namespace: policy.monitoredPodsNamespace, policy: policy.monitor, nowMs };
  const configMap = desiredMonitoredPods(observed.pods, observed.monitoredPods, target);
  const actions = plans.flatMap((plan) => plan?.actions ?? []);
  if (configMap !== undefined) actions.push({ action: 'applyConfigMap', object: configMap });
  return { actions, problems: plans.flatMap((plan) => plan?.problems ?? []) };
}

/**
 * Some objects of one kind, each on its own: the sweep plans a page at a time
 * with the pods of its whole scope in `context`, and the decisions are the
 * same as planning them all at once.
 */
export function planObjects(objects: readonly KubeObject[], kind: SweptKind, context: SweepContext): SweepPlan {
  const actions: SweepAction[] = [];
  const problems: SweepProblem[] = [];
  for (const stored of objects) {
    const planned = planObject(stored, kind, context);
    if (planned === undefined) continue;
    if ('action' in planned) actions.push(planned);
    else problems.push(planned);
  }
  return { actions, problems };
}

/** `kernelwhispers/<namespace>/<name>`: how failures and problems name an object. */
export function objectName(type: ResourceType, ref: ObjectRef): string {
  return `${type.plural}/${ref.namespace}/${ref.name}`;
}

function planObject(
  stored: KubeObject,
  kind: SweptKind,
  context: SweepContext,
): SweepAction | SweepProblem | undefined {
  // Already being deleted (a finalizer holds it): nothing left to converge.
  if (stored.metadata.deletionTimestamp !== undefined) return undefined;
  const ref = { namespace: stored.metadata.namespace ?? '', name: stored.metadata.name };
  const spec = v.safeParse(kind.schema, stored.spec);
  if (!spec.success)
    return {
      object: objectName(kind.type, ref),
      reason: 'SpecInvalid',
      message: `spec does not match the schema: ${describeIssues(spec.issues).join('; ')}`,
    };
  const previous = conditionsOf(stored.status);
  const generation = stored.metadata.generation ?? 1;
  const podGone = podGoneCondition(spec.output, context.pods, previous, { nowMs: context.nowMs, generation });
  if (retentionElapsed(previous, podGone, kind.retentionMs, context.nowMs)) {
    return {
      action: 'delete',
      type: kind.type,
      ref,
      preconditions: compact({ uid: stored.metadata.uid, resourceVersion: stored.metadata.resourceVersion }),
    };
  }
  const clock = { nowMs: context.nowMs, resolvedAfterMs: context.resolvedAfterMs };
  if (kind.type === POD_BIRTH_CERTIFICATE) {
    const refresh = planLifecycleRefresh(stored, spec.output as PodBirthCertificateSpec, context.pods, clock);
    if (refresh !== undefined) return refresh;
  }
  const desired = desiredStatus(stored, clock);
  const changes = statusChanges(stored, desired, podGone, clock);
  if (changes.length === 0) return undefined;
  return { action: 'applyStatus', type: kind.type, object: statusPatch(stored, desired, podGone), changes };
}

/**
 * What a status write would change. The ingest part is the status the ingest
 * function computes for this spec (the same pure function); it is "resolved" when
 * the only news is that throttling stopped, and "repaired" when it was missing,
 * stale for the spec's generation or otherwise wrong.
 */
function statusChanges(
  stored: KubeObject,
  desired: Record<string, unknown>,
  podGone: Condition | undefined,
  clock: WhisperClock,
): StatusChange[] {
  const changes = new Set<StatusChange>();
  const previous = conditionsOf(stored.status);
  if (!statusMatches(stored.status, desired)) {
    const resolved = isResolved(conditionsOf(desired)) && !isResolved(previous);
    // An infinite window gives the status as it was before throttling stopped.
    const unresolved = desiredStatus(stored, { ...clock, resolvedAfterMs: Number.POSITIVE_INFINITY });
    if (resolved) changes.add('resolved');
    if (!resolved || !statusMatches(stored.status, unresolved)) changes.add('repaired');
  }
  const before = findCondition(previous, POD_GONE);
  if (podGone !== undefined && !sameJson(before, podGone)) {
    changes.add(podGone.status === 'True' && before?.status !== 'True' ? 'markedPodGone' : 'repaired');
  }
  return [...changes];
}

/**
 * The whole status this manager owns: under server-side apply a field the sweep
 * stops sending is removed if no one else owns it, so it always sends the full
 * ingest status along with its PodGone condition. The resourceVersion it was
 * computed from makes a concurrent ingest write fail this apply (409) instead
 * of being overwritten by an older view.
 */
function statusPatch(stored: KubeObject, desired: Record<string, unknown>, podGone: Condition | undefined): KubeObject {
  const own = conditionsOf(desired);
  const status = podGone === undefined ? desired : { ...desired, conditions: [...(own ?? []), podGone] };
  return statusApply(stored, status);
}

function conditionsOf(status: unknown): Condition[] | undefined {
  if (!isRecord(status) || !Array.isArray(status.conditions)) return undefined;
  return status.conditions as Condition[];
}

function isResolved(conditions: readonly Condition[] | undefined): boolean {
  return findCondition(conditions, WHISPER_CONDITION.throttled)?.reason === RESOLVED_REASON;
}
