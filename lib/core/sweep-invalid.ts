import { type Condition, carryTransitionTime, findCondition } from '../api/conditions.js';
import type { ResourceType } from '../api/group.js';
import { isRecord } from './json.js';

/**
 * Objects whose spec fails our schema: typically `<pod>-kw` / `<pod>-pbc` left
 * by the earlier Rust operator (same group, version and kind, but no container
 * name, pod UID or report identity), or written by hand. Nothing can be
 * migrated without inventing what they lack, so the sweep marks them with an
 * `Invalid` condition that says what they are and what to do, and deletes them
 * once the kind's retention window has passed since the mark.
 */
export const INVALID = 'Invalid';
export const INVALID_REASON = 'SpecInvalid';

const MAX_ISSUES = 3;

export function invalidCondition(
  stored: { readonly name: string; readonly namespace: string; readonly spec: unknown; readonly generation: number },
  type: ResourceType & { readonly singular?: string },
  issues: readonly string[],
  previous: readonly Condition[] | undefined,
  at: { readonly nowMs: number; readonly retentionMs: number },
): Condition {
  const since = findCondition(previous, INVALID)?.lastTransitionTime ?? new Date(at.nowMs).toISOString();
  const deleteAt = new Date(Date.parse(since) + at.retentionMs).toISOString();
  const pod = isRecord(stored.spec) && typeof stored.spec.pod_name === 'string' ? stored.spec.pod_name : undefined;
  const current =
    pod === undefined ? '' : ` Findings for pod ${stored.namespace}/${pod} are in ${currentNames(type, pod)}.`;
  const shown = issues.slice(0, MAX_ISSUES).join('; ') + (issues.length > MAX_ISSUES ? '; …' : '');
  const message =
    `The spec does not match what kernel-gossip writes (${shown}); objects named <pod>-kw or <pod>-pbc come from the earlier kernel-gossip operator. ` +
    `kernel-gossip never updates this object.${current} It is deleted after the retention window, at ${deleteAt}; ` +
    `to delete it now: kubectl delete ${type.plural} ${stored.name} -n ${stored.namespace}`;
  return carryTransitionTime(previous, {
    type: INVALID,
    status: 'True',
    reason: INVALID_REASON,
    message,
    lastTransitionTime: since,
    observedGeneration: stored.generation,
  });
}

function currentNames(type: ResourceType, pod: string): string {
  return type.kind === 'KernelWhisper' ? `kernelwhispers named ${pod}.<container>` : `the podbirthcertificate ${pod}`;
}

/** True once the object has been marked invalid for the whole retention window. */
export function invalidExpired(
  previous: readonly Condition[] | undefined,
  retentionMs: number,
  nowMs: number,
): boolean {
  const marked = findCondition(previous, INVALID);
  if (marked?.status !== 'True') return false;
  const since = Date.parse(marked.lastTransitionTime);
  return Number.isFinite(since) && nowMs >= since + retentionMs;
}
