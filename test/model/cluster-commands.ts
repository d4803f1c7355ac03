import type fc from 'fast-check';
import { KERNEL_WHISPER, POD_BIRTH_CERTIFICATE } from '../../lib/api/group.js';
import type { PodGen } from './arbitraries.js';
import { checkObjects, ModelMismatch } from './check.js';
import { whisperName } from './kernel-whisper.js';
import { certificateName } from './pod-birth.js';
import { createPod, deletePod, resizePod } from './pods.js';
import { POD_NAMES } from './requests.js';
import { millicores } from './rules.js';
import { sweep } from './sweep.js';
import type { System } from './system.js';
import { type ModelPod, objectKey, type World } from './world.js';

/**
 * What people and the cluster do between deliveries: pods come and go, limits
 * are resized, sweeps run, time passes, and objects of the earlier operator
 * turn up. Every command compares the objects with the model afterwards.
 */
export type ModelCommand = fc.AsyncCommand<World, System>;

/**
 * The clock never lags a pod's creation: after a pod is created, the simulated
 * time is at least 20 s past its creationTimestamp (whole seconds), so an event
 * a few seconds old is the new pod's and one a minute old predates it, whatever
 * the real time between two steps.
 */
const AFTER_CREATION_MS = 20_000;

function setClock(world: World, system: System, nowMs: number): void {
  world.nowMs = nowMs;
  system.clock.nowMs = nowMs;
}

async function created(world: World, system: System, name: string, gen: PodGen): Promise<void> {
  const pod = await createPod(system, name, gen);
  world.pods.set(name, pod);
  setClock(world, system, Math.max(world.nowMs, pod.createdAtMs + AFTER_CREATION_MS));
}

async function deleted(world: World, system: System, name: string): Promise<void> {
  await deletePod(system, name);
  const pod = world.pods.get(name) as ModelPod;
  world.formerUids.set(name, [...(world.formerUids.get(name) ?? []), pod.uid]);
  world.pods.delete(name);
}

function describePod(gen: PodGen): string {
  const containers = gen.containers.map((c) => `${c.name}[req=${c.request},lim=${c.limit ?? '-'}]`).join(' ');
  return `${gen.annotated ? 'annotated' : 'not annotated'}, ${gen.owner === 'none' ? 'bare' : 'statefulset'}, ${containers}`;
}

export class CreatePod implements ModelCommand {
  constructor(
    readonly pod: number,
    readonly gen: PodGen,
  ) {}
  check = (world: Readonly<World>) => !world.pods.has(POD_NAMES[this.pod] ?? '');
  async run(world: World, system: System): Promise<void> {
    await created(world, system, POD_NAMES[this.pod] ?? '', this.gen);
    await checkObjects(world, system);
  }
  toString = () => `createPod(${POD_NAMES[this.pod]}: ${describePod(this.gen)})`;
}

export class DeletePod implements ModelCommand {
  constructor(readonly pod: number) {}
  check = (world: Readonly<World>) => world.pods.has(POD_NAMES[this.pod] ?? '');
  async run(world: World, system: System): Promise<void> {
    await deleted(world, system, POD_NAMES[this.pod] ?? '');
    await checkObjects(world, system);
  }
  toString = () => `deletePod(${POD_NAMES[this.pod]})`;
}

/** Deleted and created again under the same name, with a new UID, as a StatefulSet does. */
export class RecreatePod implements ModelCommand {
  constructor(
    readonly pod: number,
    readonly gen: PodGen,
  ) {}
  check = (world: Readonly<World>) => world.pods.has(POD_NAMES[this.pod] ?? '');
  async run(world: World, system: System): Promise<void> {
    const name = POD_NAMES[this.pod] ?? '';
    await deleted(world, system, name);
    await created(world, system, name, this.gen);
    await checkObjects(world, system);
  }
  toString = () => `recreatePod(${POD_NAMES[this.pod]}: ${describePod(this.gen)})`;
}

export class ResizePod implements ModelCommand {
  constructor(
    readonly pod: number,
    readonly container: number,
    readonly limit: string,
  ) {}
  private target(world: Readonly<World>) {
    const pod = world.pods.get(POD_NAMES[this.pod] ?? '');
    const container = pod?.containers[this.container % (pod?.containers.length ?? 1)];
    return { pod, container };
  }
  check = (world: Readonly<World>) => {
    const { container } = this.target(world);
    if (container?.limit === undefined || millicores(container.limit) === millicores(this.limit)) return false;
    return millicores(this.limit) >= millicores(container.request ?? '0m');
  };
  async run(world: World, system: System): Promise<void> {
    const { pod, container } = this.target(world);
    if (pod === undefined || container === undefined) throw new ModelMismatch('resize target vanished');
    world.pods.set(pod.name, await resizePod(system, pod, container.name, this.limit));
    await checkObjects(world, system);
  }
  toString = () => `resize(${POD_NAMES[this.pod]} container#${this.container} limit=${this.limit})`;
}

export class Sweep implements ModelCommand {
  check = () => true;
  async run(world: World, system: System): Promise<void> {
    const response = await system.sweep.request('/', { method: 'POST' });
    const body = await response.text();
    if (response.status !== 200)
      throw new ModelMismatch(`sweep answered ${response.status}: ${body}, the model says 200`);
    const failures = (JSON.parse(body) as { failures?: unknown[] }).failures ?? [];
    if (failures.length > 0) throw new ModelMismatch(`the sweep failed on ${JSON.stringify(failures)}`);
    sweep(world);
    await checkObjects(world, system);
  }
  toString = () => 'sweep()';
}

export class Advance implements ModelCommand {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(world: World, system: System): Promise<void> {
    setClock(world, system, world.nowMs + this.ms);
  }
  toString = () => `advance(${this.ms / 1000}s)`;
}

/** A person deletes one of our objects with kubectl. */
export class DeleteObject implements ModelCommand {
  constructor(
    readonly pod: number,
    readonly container: string | undefined,
  ) {}
  private key(): { kind: typeof KERNEL_WHISPER | typeof POD_BIRTH_CERTIFICATE; name: string } {
    const pod = POD_NAMES[this.pod] ?? '';
    return this.container === undefined
      ? { kind: POD_BIRTH_CERTIFICATE, name: certificateName(pod) }
      : { kind: KERNEL_WHISPER, name: whisperName(pod, this.container) };
  }
  check = (world: Readonly<World>) => world.objects.has(objectKey(this.key().kind.kind, this.key().name));
  async run(world: World, system: System): Promise<void> {
    const { kind, name } = this.key();
    await system.cluster.api.delete(kind, { namespace: system.namespace, name });
    world.objects.delete(objectKey(kind.kind, name));
    await checkObjects(world, system);
  }
  toString = () => `kubectl delete ${this.key().kind.kind}/${this.key().name}`;
}
