import { CREATION_SKEW_MS, INSTANCE_MEMORY_MS, MAX_FUTURE_MS, SETTINGS } from './rules.js';
import type { Facts, InstanceMemory, ModelPod, World } from './world.js';
import { type Step, write } from './writer.js';

/**
 * What one ingest instance answers to one event, and what it changes, by the
 * rules of docs/local-demo.md ("What the functions answer") and docs/design.md.
 *
 * An instance remembers the pods it read and the objects it wrote for
 * INSTANCE_MEMORY_MS and may answer from that memory: a redelivery it already
 * applied is "unchanged" without a request. It reads a pod again when the event
 * names another pod UID or a container the remembered pod lacks, and when the
 * stored object belongs to another incarnation than the remembered pod.
 */
export type Answer =
  | { readonly status: 202; readonly result: 'applied' | 'unchanged' | 'stale' | 'skipped' }
  | { readonly status: 400 | 404 | 409 | 422 | 503 };

/** A fault the test injects into this event's first API call about its object, or its first status write. */
export type Fault = 'first' | 'status' | undefined;

type PodView = { readonly pod: ModelPod | undefined; readonly fresh: boolean };

export function deliver(world: World, instance: number, facts: Facts, fault: Fault = undefined): Answer {
  const memory = world.instances[instance] as InstanceMemory;
  if (!facts.valid || facts.atMs === undefined || facts.atMs > world.nowMs + MAX_FUTURE_MS) return { status: 400 };
  let view = podView(world, memory, facts.pod);
  if (view.pod !== undefined && !view.fresh && (uidDiffers(facts, view.pod) || containerMissing(facts, view.pod)))
    view = readPod(world, memory, facts.pod);
  const first = decideAndWrite(world, memory, facts, view, fault);
  if (first !== 'incarnation') return first;
  // The stored object belongs to another incarnation than the remembered pod: read the pod again.
  return decideAndWrite(world, memory, facts, readPod(world, memory, facts.pod), fault) as Answer;
}

function decideAndWrite(world: World, memory: InstanceMemory, facts: Facts, view: PodView, fault: Fault): Step {
  const pod = view.pod;
  const atMs = facts.atMs as number;
  if (pod === undefined) return skipped();
  if (facts.uid !== undefined && facts.uid !== pod.uid) {
    // An event of an earlier pod of that name, or of a pod the API server does not know (yet).
    if (atMs < pod.createdAtMs - CREATION_SKEW_MS) return skipped();
    return { status: world.nowMs - atMs < SETTINGS.unresolvedRetryMs ? 404 : 422 };
  }
  if (facts.uid === undefined && atMs < pod.createdAtMs - CREATION_SKEW_MS) return skipped();
  if (!pod.annotated) return skipped();
  if (containerMissing(facts, pod)) return { status: 422 };
  return write(world, memory, facts, pod, view.fresh, fault);
}

function uidDiffers(facts: Facts, pod: ModelPod): boolean {
  return facts.uid !== undefined && facts.uid !== pod.uid;
}

function containerMissing(facts: Facts, pod: ModelPod): boolean {
  return facts.container !== undefined && !pod.containers.some((container) => container.name === facts.container);
}

function podView(world: World, memory: InstanceMemory, name: string): PodView {
  const remembered = memory.pods.get(name);
  if (remembered !== undefined && world.nowMs < remembered.atMs + INSTANCE_MEMORY_MS)
    return { pod: remembered.value, fresh: false };
  return readPod(world, memory, name);
}

function readPod(world: World, memory: InstanceMemory, name: string): PodView {
  const pod = world.pods.get(name);
  if (pod === undefined) memory.pods.delete(name);
  else memory.pods.set(name, { value: pod, atMs: world.nowMs });
  return { pod, fresh: true };
}

function skipped(): Answer {
  return { status: 202, result: 'skipped' };
}

/** Several events in one request: each on its own; the answer says whether any needs another try. */
export function batchAnswer(answers: readonly Answer[]): number {
  const retried = answers.find((answer) => [404, 409, 429, 503].includes(answer.status));
  if (retried !== undefined) return retried.status;
  const refused = answers.find((answer) => answer.status !== 202);
  return refused?.status ?? 202;
}
