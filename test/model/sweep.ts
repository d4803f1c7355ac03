import { byCodeUnits, SETTINGS } from './rules.js';
import {
  bumpRv,
  type CertificateState,
  type LegacyState,
  type PodGone,
  type WhisperState,
  type World,
} from './world.js';
import { resolvedNow, statusCurrent } from './writer.js';

/**
 * One sweep, by functions/sweep/README.md: every object's status recomputed for
 * the clock (throttling that stopped), PodGone for objects whose pod is gone or
 * replaced, deletion once the pod has been gone for the retention window,
 * objects that fail the schema (the earlier operator's) marked and deleted after
 * retention, and the monitored-pods ConfigMap.
 */
export function sweep(world: World): void {
  const now = world.nowMs;
  for (const [key, object] of [...world.objects]) {
    if (object.kind === 'Legacy') {
      sweepEarlier(world, key, object);
      continue;
    }
    const gone = podGone(world, object);
    const before = object.podGone;
    if (
      before?.status === 'True' &&
      gone?.status === 'True' &&
      now >= before.sinceMs + SETTINGS.retentionMs[object.kind]
    ) {
      world.objects.delete(key);
      continue;
    }
    let next: WhisperState | CertificateState = object;
    if (!statusCurrent(object, now)) {
      const status = { fromSpec: object.spec, generation: object.generation, resolved: resolvedNow(object, now) };
      next = { ...next, status, rv: bumpRv(world) };
    }
    if (gone !== undefined && JSON.stringify(gone) !== JSON.stringify(before))
      next = { ...next, podGone: gone, rv: bumpRv(world) };
    world.objects.set(key, next);
  }
  const monitored = [...world.pods.values()].filter((pod) => pod.annotated);
  world.monitoredPods = monitored
    .map((pod) => `${pod.name}:${pod.uid}`)
    .sort(byCodeUnits)
    .join(',');
}

function sweepEarlier(world: World, key: string, object: LegacyState): void {
  const now = world.nowMs;
  if (object.resource === 'KernelWhisper') {
    if (object.invalidSinceMs === undefined)
      world.objects.set(key, { ...object, invalidSinceMs: now, rv: bumpRv(world) });
    else if (now >= object.invalidSinceMs + SETTINGS.retentionMs.KernelWhisper) world.objects.delete(key);
    return;
  }
  // Without a pod UID the pod of that name counts as its pod.
  const before = object.podGone;
  const gone = goneByName(world, object.pod, before);
  if (
    before?.status === 'True' &&
    gone?.status === 'True' &&
    now >= before.sinceMs + SETTINGS.retentionMs.PodBirthCertificate
  ) {
    world.objects.delete(key);
    return;
  }
  const changed = object.swept !== true || JSON.stringify(gone) !== JSON.stringify(before);
  if (changed) world.objects.set(key, { ...object, swept: true, podGone: gone, rv: bumpRv(world) });
}

function goneByName(world: World, pod: string, before: PodGone | undefined): PodGone | undefined {
  const since = (status: 'True' | 'False') => (before?.status === status ? before.sinceMs : world.nowMs);
  if (!world.pods.has(pod)) return { status: 'True', reason: 'PodDeleted', sinceMs: since('True') };
  return before === undefined ? undefined : { status: 'False', reason: 'PodPresent', sinceMs: since('False') };
}

/**
 * Gone when no pod of that name exists, or one with another UID (a replaced
 * pod); once marked, False again while the pod is there. The transition time
 * stays while the status does.
 */
function podGone(world: World, object: WhisperState | CertificateState): PodGone | undefined {
  const pod = world.pods.get(object.spec.pod_name);
  const before = object.podGone;
  const since = (status: 'True' | 'False') => (before?.status === status ? before.sinceMs : world.nowMs);
  if (pod === undefined) return { status: 'True', reason: 'PodDeleted', sinceMs: since('True') };
  if (pod.uid !== object.spec.pod_uid) return { status: 'True', reason: 'PodReplaced', sinceMs: since('True') };
  if (before === undefined) return undefined;
  return { status: 'False', reason: 'PodPresent', sinceMs: since('False') };
}
