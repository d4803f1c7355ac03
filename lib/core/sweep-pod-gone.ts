import { type Condition, carryTransitionTime, findCondition } from '../api/conditions.js';
import { WHISPER_CONDITION } from '../api/kernel-whisper.js';
import type { Pod } from './pod.js';

/**
 * Whether the pod a KernelWhisper or PodBirthCertificate describes still exists,
 * as the sweep's own `PodGone` condition. A pod counts as gone when no pod of
 * that namespace/name exists, or when one exists with another UID than the one
 * recorded (a StatefulSet pod recreated under the same name is a different pod).
 */
export const POD_GONE = WHISPER_CONDITION.podGone;
export const POD_GONE_REASON = { deleted: 'PodDeleted', replaced: 'PodReplaced', present: 'PodPresent' } as const;

/** The identity fields both kinds record in their spec. */
export type PodIdentity = {
  readonly pod_name: string;
  readonly namespace: string;
  readonly pod_uid?: string | undefined;
};

export type PodIndex = ReadonlyMap<string, Pod>;

export function indexPods(pods: readonly Pod[]): PodIndex {
  return new Map(pods.map((pod) => [podKey(pod.metadata.namespace ?? '', pod.metadata.name), pod]));
}

export function podKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** Why the pod counts as gone, or undefined while it exists. */
export function podGoneReason(identity: PodIdentity, pods: PodIndex): { reason: string; message: string } | undefined {
  const name = podKey(identity.namespace, identity.pod_name);
  const pod = pods.get(name);
  if (pod === undefined) return { reason: POD_GONE_REASON.deleted, message: `Pod ${name} no longer exists.` };
  if (identity.pod_uid !== undefined && pod.metadata.uid !== undefined && pod.metadata.uid !== identity.pod_uid) {
    return {
      reason: POD_GONE_REASON.replaced,
      message: `Pod ${name} with UID ${identity.pod_uid} was replaced by another pod of the same name.`,
    };
  }
  return undefined;
}

/**
 * The PodGone condition to hold, or undefined when there is nothing to say (the
 * pod exists and was never marked). Once marked, the condition is always sent
 * (False when the pod is back), because under server-side apply a condition the
 * sweep stops sending would be removed rather than updated.
 */
export function podGoneCondition(
  identity: PodIdentity,
  pods: PodIndex,
  previous: readonly Condition[] | undefined,
  at: { readonly nowMs: number; readonly generation: number },
): Condition | undefined {
  const gone = podGoneReason(identity, pods);
  const base = {
    type: POD_GONE,
    lastTransitionTime: new Date(at.nowMs).toISOString(),
    observedGeneration: at.generation,
  };
  if (gone !== undefined) return carryTransitionTime(previous, { ...base, status: 'True', ...gone });
  if (findCondition(previous, POD_GONE) === undefined) return undefined;
  const message = `Pod ${podKey(identity.namespace, identity.pod_name)} exists.`;
  return carryTransitionTime(previous, { ...base, status: 'False', reason: POD_GONE_REASON.present, message });
}

/**
 * True when the pod has been gone for the whole retention window. The window
 * counts from the stored condition's transition time, so an object is always
 * marked (and visible as such) in one sweep before a later one deletes it.
 */
export function retentionElapsed(
  previous: readonly Condition[] | undefined,
  current: Condition | undefined,
  retentionMs: number,
  nowMs: number,
): boolean {
  const stored = findCondition(previous, POD_GONE);
  if (stored?.status !== 'True' || current?.status !== 'True') return false;
  const since = Date.parse(stored.lastTransitionTime);
  return Number.isFinite(since) && nowMs >= since + retentionMs;
}
