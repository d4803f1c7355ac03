import { type Condition, findCondition } from '../api/conditions.js';
import { KERNEL_WHISPER, POD_BIRTH_CERTIFICATE, type ResourceType } from '../api/group.js';
import type { KernelWhisperSpec, KernelWhisperStatus } from '../api/kernel-whisper.js';
import { kernelWhisperName, podBirthCertificateName } from '../api/names.js';
import type { PodBirthCertificateSpec, PodBirthCertificateStatus } from '../api/pod-birth-certificate.js';
import type { KubeObject } from '../k8s/objects.js';
import { compareCanonical, containsEntries, isRecord, sameJson } from './json.js';
import { desiredKernelWhisper, kernelWhisperStatus, type WhisperClock } from './kernel-whisper.js';
import type { BirthObservation, Observation, ThrottleObservation } from './observation.js';
import { desiredPodBirthCertificate, podBirthCertificateStatus } from './pod-birth.js';
import { historyEntryOf, mergeHistory } from './throttle-history.js';
import { historyOf } from './throttle-story.js';

/**
 * Pure planning for the ingest path: which object an observation belongs to,
 * what it should look like given what is stored, and whether anything changes.
 */
export type ObjectKey = { readonly type: ResourceType; readonly namespace: string; readonly name: string };

export function objectKeyOf(observation: Observation): ObjectKey {
  const { pod } = observation;
  if (observation.kind === 'cpu_throttle') {
    return {
      type: KERNEL_WHISPER,
      namespace: pod.namespace,
      name: kernelWhisperName(pod.pod_name, observation.container_name),
    };
  }
  return { type: POD_BIRTH_CERTIFICATE, namespace: pod.namespace, name: podBirthCertificateName(pod.pod_name) };
}

export function keyString(key: ObjectKey): string {
  return `${key.type.plural}/${key.namespace}/${key.name}`;
}

export type SpecPlan =
  | { readonly action: 'stale'; readonly storedAt: string }
  /** The stored object is about another incarnation of the pod, and the batch's pod came from a cache. */
  | { readonly action: 'otherIncarnation'; readonly storedUid: string }
  | { readonly action: 'write' | 'keep'; readonly desired: KubeObject };

/**
 * Plans one batch of observations for the same object (a coalesced burst). An
 * object follows the live pod: observations of another incarnation than the
 * stored one replace it (the certificate starts afresh, the finding is the new
 * pod's whatever its time), but only when their pod was read from the API
 * server for them; from a cache they may be about a pod that is gone.
 */
export function planSpec(current: KubeObject | undefined, batch: readonly Observation[]): SpecPlan {
  const first = batch[0];
  if (first === undefined) throw new RangeError('planSpec needs at least one observation');
  const storedUid = podUidOf(current);
  const other = batch.filter((observation) => storedUid !== undefined && observation.pod.pod_uid !== storedUid);
  if (storedUid !== undefined && other.some((observation) => observation.freshPod !== true))
    return { action: 'otherIncarnation', storedUid };
  const base = other.length === 0 ? current : undefined;
  const desired =
    first.kind === 'cpu_throttle'
      ? planWhisper(base, batch as readonly ThrottleObservation[])
      : planBirth(base, batch as readonly BirthObservation[]);
  if (desired.action === 'stale') return desired;
  const unchanged =
    current !== undefined &&
    sameJson(current.spec, desired.object.spec) &&
    containsEntries(current.metadata.labels, desired.object.metadata.labels ?? {});
  return { action: unchanged ? 'keep' : 'write', desired: desired.object };
}

function podUidOf(object: KubeObject | undefined): string | undefined {
  const spec = object?.spec;
  return isRecord(spec) && typeof spec.pod_uid === 'string' ? spec.pod_uid : undefined;
}

/**
 * The newest observation wins the top-level fields; at the same instant the
 * greater spec in canonical JSON, so any arrival order agrees. Every observation
 * joins the history (a merge, lib/core/throttle-history.ts), so an older one is
 * `stale` only when the history keeps nothing of it.
 */
function planWhisper(
  current: KubeObject | undefined,
  batch: readonly ThrottleObservation[],
): { action: 'stale'; storedAt: string } | { action: 'write'; object: KubeObject } {
  const objects = batch.map(desiredKernelWhisper);
  const newest = objects.reduce((a, b) => (b.spec !== undefined && isNewer(b.spec, a.spec) ? b : a));
  const specs = objects.map((object) => object.spec as KernelWhisperSpec);
  const stored = current?.spec as KernelWhisperSpec | undefined;
  const before = stored === undefined ? [] : historyOf(stored);
  const history = mergeHistory(before, specs.map(historyEntryOf));
  const top = newest.spec as KernelWhisperSpec;
  if (stored !== undefined && isNewer(stored, top)) {
    if (stored.history !== undefined && sameJson(history, stored.history))
      return { action: 'stale', storedAt: stored.detected_at };
    return { action: 'write', object: { ...newest, spec: { ...stored, history } } };
  }
  return { action: 'write', object: { ...newest, spec: { ...top, history } } };
}

function isNewer(stored: KernelWhisperSpec, candidate: KernelWhisperSpec | undefined): boolean {
  if (candidate === undefined) return false;
  if (stored.detected_at !== candidate.detected_at) return stored.detected_at > candidate.detected_at;
  // The observation's own fields decide, not the history one of them carries.
  const { history: _a, ...a } = stored;
  const { history: _b, ...b } = candidate;
  return compareCanonical(a, b) > 0;
}

function planBirth(
  current: KubeObject | undefined,
  batch: readonly BirthObservation[],
): { action: 'write'; object: KubeObject } {
  return {
    action: 'write',
    object: desiredPodBirthCertificate(current?.spec as PodBirthCertificateSpec | undefined, batch),
  };
}

/** The status this manager owns for a stored object, computed from its spec. */
export function desiredStatus(stored: KubeObject, clock: WhisperClock): Record<string, unknown> {
  const generation = stored.metadata.generation ?? 1;
  if (stored.kind === KERNEL_WHISPER.kind) {
    return kernelWhisperStatus(
      stored.spec as KernelWhisperSpec,
      generation,
      stored.status as KernelWhisperStatus | undefined,
      clock,
    );
  }
  return podBirthCertificateStatus(
    stored.spec as PodBirthCertificateSpec,
    generation,
    stored.status as PodBirthCertificateStatus | undefined,
  );
}

/**
 * True when the stored status already holds what we would apply: every field we
 * send, and each of our conditions (others' conditions, e.g. the sweep's, are theirs).
 */
export function statusMatches(stored: unknown, desired: Record<string, unknown>): boolean {
  if (!isRecord(stored)) return false;
  return Object.entries(desired).every(([key, value]) => {
    if (key !== 'conditions') return sameJson(stored[key], value);
    const storedConditions = stored.conditions as Condition[] | undefined;
    return (value as Condition[]).every((condition) =>
      sameJson(findCondition(storedConditions, condition.type), condition),
    );
  });
}
