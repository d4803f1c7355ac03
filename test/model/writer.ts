import type { Answer, Fault } from './ingest.js';
import { planWhisper, whisperName, whisperPodEvent, whisperResolved, whisperSpec } from './kernel-whisper.js';
import { birthReport, certificateName, certificatePodEvent, mergeCertificate } from './pod-birth.js';
import { canonical, INSTANCE_MEMORY_MS } from './rules.js';
import {
  bumpRv,
  type CertificateState,
  type Facts,
  type InstanceMemory,
  type ModelPod,
  type ObjectState,
  objectKey,
  type WhisperState,
  type World,
} from './world.js';

/**
 * The writer's part of a delivery: plans against what this instance remembers
 * when it may, and against the stored object otherwise. A write planned from
 * memory carries the remembered resourceVersion, so a stale memory costs a
 * conflict and a re-read, never a wrong write.
 */
export type Step = Answer | 'incarnation';

type Planned = { readonly action: 'stale' | 'keep' } | { readonly action: 'write'; readonly next: ObjectState };

function plan(world: World, stored: ObjectState | undefined, facts: Facts, pod: ModelPod): Planned {
  const atMs = facts.atMs as number;
  if (facts.kind === 'throttle') {
    const spec = whisperSpec(facts, pod, world.namespace, atMs);
    const whisper = stored as WhisperState | undefined;
    const planned = planWhisper(whisper, spec);
    if (planned.action !== 'write') return planned;
    const name = whisperName(pod.name, facts.container);
    return { action: 'write', next: specWritten(whisper, { kind: 'KernelWhisper', name, spec: planned.spec }) };
  }
  const certificate = stored as CertificateState | undefined;
  const merged = mergeCertificate(certificate, birthReport(facts, atMs), facts, pod, world.namespace);
  if (certificate !== undefined && canonical(merged.spec) === canonical(certificate.spec)) return { action: 'keep' };
  const name = certificateName(pod.name);
  return {
    action: 'write',
    next: specWritten(certificate, {
      kind: 'PodBirthCertificate',
      name,
      spec: merged.spec,
      reportKeys: merged.reportKeys,
    }),
  };
}

function specWritten<T extends ObjectState>(stored: T | undefined, fresh: Record<string, unknown>): ObjectState {
  const generation = stored !== undefined && 'generation' in stored ? stored.generation + 1 : 1;
  return { ...(stored ?? {}), ...fresh, generation, rv: 0 } as ObjectState;
}

/** True when the status the ingest manager owns already says what the spec and the clock imply. */
export function statusCurrent(object: WhisperState | CertificateState, nowMs: number): boolean {
  const status = object.status;
  return (
    status !== undefined &&
    status.generation === object.generation &&
    canonical(status.fromSpec) === canonical(object.spec) &&
    status.resolved === resolvedNow(object, nowMs)
  );
}

export function resolvedNow(object: WhisperState | CertificateState, nowMs: number): boolean {
  return object.kind === 'KernelWhisper' && whisperResolved(object.spec, nowMs);
}

function keyOf(facts: Facts, pod: ModelPod): string {
  return facts.kind === 'throttle'
    ? objectKey('KernelWhisper', whisperName(pod.name, facts.container))
    : objectKey('PodBirthCertificate', certificateName(pod.name));
}

function otherIncarnation(stored: ObjectState | undefined, pod: ModelPod): boolean {
  return stored !== undefined && stored.kind !== 'Legacy' && stored.spec.pod_uid !== pod.uid;
}

export function write(
  world: World,
  memory: InstanceMemory,
  facts: Facts,
  pod: ModelPod,
  fresh: boolean,
  fault: Fault,
): Step {
  const key = keyOf(facts, pod);
  const remembered = memory.objects.get(key);
  const faultLeft = fault;
  if (remembered !== undefined && world.nowMs < remembered.atMs + INSTANCE_MEMORY_MS) {
    const cached = remembered.value;
    if (otherIncarnation(cached, pod) && !fresh) return dropped(memory, key, 'incarnation');
    const planned = plan(world, cached, facts, pod);
    if (planned.action === 'stale') return skippedAs('stale');
    if (planned.action === 'keep' && statusCurrent(cached as WhisperState, world.nowMs)) return skippedAs('unchanged');
    if (faultLeft !== undefined && (faultLeft === 'first' || planned.action === 'keep'))
      return dropped(memory, key, { status: 503 });
    if (world.objects.get(key)?.rv === cached.rv) return applyPlanned(world, memory, key, planned, cached, faultLeft);
    // The remembered copy is stale: the guarded write conflicts, and the writer reads the object again.
    memory.objects.delete(key);
  }
  if (faultLeft === 'first') return dropped(memory, key, { status: 503 });
  const stored = world.objects.get(key);
  if (otherIncarnation(stored, pod) && !fresh) return dropped(memory, key, 'incarnation');
  const planned = plan(world, stored, facts, pod);
  if (planned.action === 'stale') return skippedAs('stale');
  return applyPlanned(world, memory, key, planned, stored, faultLeft);
}

function applyPlanned(
  world: World,
  memory: InstanceMemory,
  key: string,
  planned: Planned,
  stored: ObjectState | undefined,
  fault: Fault,
): Answer {
  let object = (planned.action === 'write' ? planned.next : stored) as WhisperState | CertificateState;
  let writes = 0;
  if (planned.action === 'write') {
    object = { ...object, rv: bumpRv(world) };
    world.objects.set(key, object);
    writes++;
  }
  if (!statusCurrent(object, world.nowMs)) {
    if (fault !== undefined) return dropped(memory, key, { status: 503 });
    const status = { fromSpec: object.spec, generation: object.generation, resolved: resolvedNow(object, world.nowMs) };
    object = { ...object, status, rv: bumpRv(world) };
    world.objects.set(key, object);
    writes++;
  }
  memory.objects.set(key, { value: object, atMs: world.nowMs });
  if (writes === 0) return skippedAs('unchanged');
  const event = object.kind === 'KernelWhisper' ? whisperPodEvent(object) : certificatePodEvent(object);
  if (event !== undefined) world.podEvents.add(event);
  return { status: 202, result: 'applied' };
}

function dropped<T extends Step>(memory: InstanceMemory, key: string, step: T): T {
  memory.objects.delete(key);
  return step;
}

function skippedAs(result: 'stale' | 'unchanged'): Answer {
  return { status: 202, result };
}
