import { bareContainerId, type KernelIdentity } from '../../lib/core/kernel-identity.js';
import type { Pod } from '../../lib/core/pod.js';
import { Lru } from '../../lib/lru.js';

/**
 * Where a kernel identity lives: pod UID or container ID → the pod's namespace
 * and name, learnt from pod listings. A pointer is a hint, never the answer: the
 * resolver reads the pod it points to and checks the identity against it, so a
 * pointer to a deleted or replaced pod costs a read, never a wrong object.
 *
 * It replaces keeping the listings themselves: a node's pods as objects are
 * ~100 KB, a whole cluster's tens of MB, while a pointer is ~150 bytes and stays
 * true for the life of the pod (UIDs and container IDs are never reused), so it
 * can be kept for minutes within a byte budget.
 */
export type PodPointer = { readonly namespace: string; readonly name: string };

export type PodPointersOptions = { readonly maxBytes: number; readonly ttlMs: number; readonly now: () => number };

/** Observers may print a container ID's 12-character short form; a pointer is keyed by it. */
const SHORT_ID = 12;
/** A Map entry, its key and value objects, beyond the characters of its strings. */
const ENTRY_OVERHEAD_BYTES = 120;

export class PodPointers {
  private readonly pointers: Lru<string, PodPointer>;

  constructor(options: PodPointersOptions) {
    this.pointers = new Lru({ maxEntries: Number.POSITIVE_INFINITY, ...options });
  }

  learn(pod: Pod): void {
    const pointer = { namespace: pod.metadata.namespace ?? '', name: pod.metadata.name };
    const keep = (key: string) =>
      this.pointers.set(
        key,
        pointer,
        key.length + pointer.namespace.length + pointer.name.length + ENTRY_OVERHEAD_BYTES,
      );
    if (pod.metadata.uid !== undefined) keep(uidKey(pod.metadata.uid));
    const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
    for (const status of statuses) if (status.containerID !== undefined) keep(containerKey(status.containerID));
  }

  find(identity: KernelIdentity): PodPointer | undefined {
    if (identity.podUid !== undefined) return this.pointers.get(uidKey(identity.podUid));
    return identity.containerId === undefined ? undefined : this.pointers.get(containerKey(identity.containerId));
  }

  forget(identity: KernelIdentity): void {
    if (identity.podUid !== undefined) this.pointers.delete(uidKey(identity.podUid));
    if (identity.containerId !== undefined) this.pointers.delete(containerKey(identity.containerId));
  }

  /** Gives back the memory of pointers past their time, whether or not anyone asks for them again. */
  prune(): void {
    this.pointers.prune();
  }

  get bytes(): number {
    return this.pointers.bytes;
  }
}

function uidKey(uid: string): string {
  return `u/${uid}`;
}

function containerKey(containerId: string): string {
  return `c/${bareContainerId(containerId).slice(0, SHORT_ID)}`;
}
