import * as v from 'valibot';
import { type Condition, findCondition } from '../api/conditions.js';
import { POD_BIRTH_CERTIFICATE, type ResourceType } from '../api/group.js';
import { type KernelWhisperSpecSchema, WHISPER_CONDITION } from '../api/kernel-whisper.js';
import type { PodBirthCertificateSpec, PodBirthCertificateSpecSchema } from '../api/pod-birth-certificate.js';
import { describeIssues } from '../events/fields.js';
import type { KubeObject, ObjectRef } from '../k8s/objects.js';
import { statusApply } from './guarded-apply.js';
import { desiredStatus, statusMatches } from './ingest-plan.js';
import { compact, isRecord, sameJson } from './json.js';
import { RESOLVED_REASON, type WhisperClock } from './kernel-whisper.js';
import { planLifecycleRefresh } from './sweep-birth-lifecycle.js';
import { INVALID, invalidCondition, invalidExpired } from './sweep-invalid.js';
import type { StatusChange, SweepAction } from './sweep-plan.js';
import { POD_GONE, type PodIndex, podGoneCondition, retentionElapsed } from './sweep-pod-gone.js';

/** What the sweep plans for one stored KernelWhisper or PodBirthCertificate. */
export type SweptKind = {
  readonly type: ResourceType;
  readonly schema: typeof KernelWhisperSpecSchema | typeof PodBirthCertificateSpecSchema;
  readonly retentionMs: number;
};
export type SweepContext = { readonly pods: PodIndex } & WhisperClock;

/** Conditions only the sweep computes, hence owned by its field manager. */
const SWEEP_CONDITIONS: ReadonlySet<string> = new Set([POD_GONE, INVALID]);

export function planObject(stored: KubeObject, kind: SweptKind, context: SweepContext): SweepAction | undefined {
  // Already being deleted (a finalizer holds it): nothing left to converge.
  if (stored.metadata.deletionTimestamp !== undefined) return undefined;
  const ref = { namespace: stored.metadata.namespace ?? '', name: stored.metadata.name };
  const previous = conditionsOf(stored.status);
  const generation = stored.metadata.generation ?? 1;
  const spec = v.safeParse(kind.schema, stored.spec);
  if (!spec.success) {
    if (invalidExpired(previous, kind.retentionMs, context.nowMs)) return deletion(stored, kind, ref);
    const issues = describeIssues(spec.issues);
    const at = { nowMs: context.nowMs, retentionMs: kind.retentionMs };
    const marked = invalidCondition({ ...ref, spec: stored.spec, generation }, kind.type, issues, previous, at);
    return sweepWrite(stored, kind, ref, [marked], [], ['markedInvalid']);
  }
  const podGone = podGoneCondition(spec.output, context.pods, previous, { nowMs: context.nowMs, generation });
  if (retentionElapsed(previous, podGone, kind.retentionMs, context.nowMs)) return deletion(stored, kind, ref);
  const clock = {
    nowMs: context.nowMs,
    resolvedAfterMs: context.resolvedAfterMs,
    targetPercent: context.targetPercent,
  };
  if (kind.type === POD_BIRTH_CERTIFICATE) {
    // The pod's lifecycle joins the certificate until it is Ready (issue 17); its status follows that write.
    const refresh = planLifecycleRefresh(stored, spec.output as PodBirthCertificateSpec, context.pods, clock);
    if (refresh !== undefined) return refresh;
  }
  const desired = desiredStatus(stored, clock);
  const changes = ingestChanges(stored, desired, clock);
  const ingest = changes.length === 0 ? undefined : statusApply(stored, desired);
  return sweepWrite(stored, kind, ref, podGone === undefined ? [] : [podGone], changes, [], desired, ingest);
}

function deletion(stored: KubeObject, kind: SweptKind, ref: ObjectRef): SweepAction {
  const preconditions = compact({ uid: stored.metadata.uid, resourceVersion: stored.metadata.resourceVersion });
  return { action: 'delete', type: kind.type, ref, preconditions };
}

/**
 * The write, if any: the ingest part when it differs, and the sweep's own
 * conditions when they differ from what it stored, or when the status holds
 * fields the ingest no longer computes. Those are co-owned by an earlier
 * version of the sweep, which applied the whole status under its own manager;
 * applying only its conditions releases them, and SSA then removes them.
 */
function sweepWrite(
  stored: KubeObject,
  kind: SweptKind,
  ref: ObjectRef,
  own: readonly Condition[],
  ingestChanged: readonly StatusChange[],
  marked: readonly StatusChange[],
  desired?: Record<string, unknown>,
  ingest?: KubeObject,
): SweepAction | undefined {
  const storedOwn = (conditionsOf(stored.status) ?? []).filter((condition) => SWEEP_CONDITIONS.has(condition.type));
  const ownChanged = !sameJson(sortedByType(storedOwn), sortedByType(own));
  const release = desired !== undefined && leftovers(stored.status, desired).length > 0;
  const changes = [...ingestChanged, ...(ownChanged ? ownChanges(storedOwn, own, marked) : [])];
  if (!ownChanged && !release && ingest === undefined) return undefined;
  const sweep = ownChanged || release ? statusApply(stored, own.length === 0 ? {} : { conditions: own }) : undefined;
  return {
    action: 'applyStatus',
    type: kind.type,
    ref,
    ...(ingest === undefined ? {} : { ingest }),
    ...(sweep === undefined ? {} : { sweep }),
    changes: changes.length === 0 ? ['repaired'] : [...new Set(changes)],
  };
}

function ownChanges(before: readonly Condition[], after: readonly Condition[], marked: readonly StatusChange[]) {
  if (marked.length > 0) return marked;
  const gone = findCondition(after, POD_GONE);
  const wasGone = findCondition(before, POD_GONE)?.status === 'True';
  return gone?.status === 'True' && !wasGone ? (['markedPodGone'] as const) : (['repaired'] as const);
}

/** Status fields present but not computed from the spec (conditions of others aside). */
function leftovers(stored: unknown, desired: Record<string, unknown>): string[] {
  if (!isRecord(stored)) return [];
  return Object.keys(stored).filter((key) => key !== 'conditions' && desired[key] === undefined);
}

function sortedByType(conditions: readonly Condition[]): Condition[] {
  return [...conditions].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/**
 * What the ingest part changes: "resolved" when the only news is that
 * throttling stopped, "repaired" when the status was missing, stale for the
 * spec's generation or otherwise wrong.
 */
function ingestChanges(stored: KubeObject, desired: Record<string, unknown>, clock: WhisperClock): StatusChange[] {
  if (statusMatches(stored.status, desired)) return [];
  const resolved = isResolved(conditionsOf(desired)) && !isResolved(conditionsOf(stored.status));
  // An infinite window gives the status as it was before throttling stopped.
  const unresolved = desiredStatus(stored, { ...clock, resolvedAfterMs: Number.POSITIVE_INFINITY });
  const changes: StatusChange[] = resolved ? ['resolved'] : [];
  if (!resolved || !statusMatches(stored.status, unresolved)) changes.push('repaired');
  return changes;
}

function conditionsOf(status: unknown): Condition[] | undefined {
  if (!isRecord(status) || !Array.isArray(status.conditions)) return undefined;
  return status.conditions as Condition[];
}

function isResolved(conditions: readonly Condition[] | undefined): boolean {
  return findCondition(conditions, WHISPER_CONDITION.throttled)?.reason === RESOLVED_REASON;
}
