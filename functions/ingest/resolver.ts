import { MONITOR_ANNOTATION, POD } from '../../lib/api/group.js';
import { containerByStatusId, identityOf, type KernelIdentity } from '../../lib/core/kernel-identity.js';
import { type Pod, slimPod } from '../../lib/core/pod.js';
import { PodNotResolvedError, PodUnresolvableError } from '../../lib/errors.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { listPages } from '../../lib/k8s/list-all.js';
import { Lru } from '../../lib/lru.js';
import type { Candidate } from './candidates.js';
import type { KernelIdentityResolver } from './locate.js';
import { PodPointers } from './pod-pointers.js';
import type { PodDirectory } from './pods.js';

/**
 * Resolves pod UID / container ID / cgroup path to a pod. A pointer learnt
 * from an earlier listing names the pod, which is then read (cached) and
 * checked; without one, the pods of the event's node are listed (a field
 * selector) or, without a node, the whole cluster's. A listing is read page by
 * page and kept only as pointers (pod-pointers.ts); a node's pods also go to
 * the pod cache (bounded, 30 s), where the next events of that node's observer
 * find them without a read.
 *
 * Listings are shared (concurrent misses for one node wait for one listing)
 * and rate limited per node, and far more for the whole cluster: an event
 * without node_name is cheap to send, and must not make the function list every
 * pod of the cluster each time.
 *
 * An identity that matches nothing is retried (404) while the observation is
 * younger than the retry window (a container ID reaches pod status only once the
 * container runs), and refused for good (422) after it.
 */
export type ResolverOptions = {
  readonly now: () => number;
  readonly unresolvedRetryMs: number;
  /** A miss lists a node again only when its last listing is at least this old. */
  readonly relistAfterMs?: number;
  /** The same for the whole cluster. */
  readonly clusterRelistAfterMs?: number;
  readonly pointerBytes?: number;
  readonly pointerTtlMs?: number;
};

type Match = { pod: Pod; containerName: string | undefined };
type Waiter = { readonly identity: KernelIdentity; match?: Match };
type Listing = { readonly waiters: Waiter[]; readonly done: Promise<void> };

const PAGE = 500;
const DEFAULT_RELIST_AFTER_MS = 1000;
const DEFAULT_CLUSTER_RELIST_AFTER_MS = 30_000;
/**
 * About 6,000 pointers, the pods of 60 nodes: with 4 MB, ingest by node at
 * 25,000 and 50,000 pods peaked at 102 MB RSS (bench, scale phase); the
 * pointers of a node whose observer falls silent only cost a node listing later.
 */
const DEFAULT_POINTER_BYTES = 1_000_000;
const DEFAULT_POINTER_TTL_MS = 10 * 60_000;
/** Nodes whose last listing time is remembered; a node forgotten may be listed once more. */
const LISTED_NODES = 4096;
const CLUSTER = '*';

export class ApiIdentityResolver implements KernelIdentityResolver {
  private readonly pointers: PodPointers;
  private readonly listing = new Map<string, Listing>();
  private readonly listedAtMs: Lru<string, number>;

  constructor(
    private readonly api: KubeApi,
    private readonly pods: PodDirectory,
    private readonly options: ResolverOptions,
  ) {
    this.pointers = new PodPointers({
      maxBytes: options.pointerBytes ?? DEFAULT_POINTER_BYTES,
      ttlMs: options.pointerTtlMs ?? DEFAULT_POINTER_TTL_MS,
      now: options.now,
    });
    this.listedAtMs = new Lru({ maxEntries: LISTED_NODES });
  }

  /** What the pointers hold, as PodPointers counts it. */
  get pointerBytes(): number {
    return this.pointers.bytes;
  }

  unresolved(candidate: Candidate, message: string): Error {
    return unresolved(candidate, this.options, message);
  }

  async resolve(candidate: Candidate): Promise<Match> {
    const identity = identityOf(candidate.data);
    if (identity.podUid === undefined && identity.containerId === undefined)
      throw unresolved(candidate, this.options, 'The event carries no usable pod identity');
    const node = candidate.data.node_name;
    const match = (await this.followPointer(identity, node)) ?? (await this.list(identity, node));
    if (match === undefined)
      throw unresolved(candidate, this.options, 'No pod matches the kernel identity in the event');
    return match;
  }

  /** The pod a pointer names, read and checked; a container not in its status yet may be in a fresh read. */
  private async followPointer(identity: KernelIdentity, node: string | undefined): Promise<Match | undefined> {
    const pointer = this.pointers.find(identity);
    if (pointer === undefined) return undefined;
    const cached = (await this.pods.get(pointer.namespace, pointer.name)).pod;
    let match = cached === undefined ? undefined : matchPod(cached, identity, node);
    if (match !== undefined && !complete(match, identity)) {
      const fresh = (await this.pods.refresh(pointer.namespace, pointer.name)).pod;
      match = fresh === undefined ? undefined : matchPod(fresh, identity, node);
    }
    if (match === undefined) this.pointers.forget(identity);
    return match;
  }

  /** Joins the listing in progress for this node (or the cluster), or starts one if the last is old enough. */
  private async list(identity: KernelIdentity, node: string | undefined): Promise<Match | undefined> {
    const key = node ?? CLUSTER;
    const waiter: Waiter = { identity };
    let running = this.listing.get(key);
    if (running === undefined) {
      const last = this.listedAtMs.get(key);
      const interval =
        node === undefined
          ? (this.options.clusterRelistAfterMs ?? DEFAULT_CLUSTER_RELIST_AFTER_MS)
          : (this.options.relistAfterMs ?? DEFAULT_RELIST_AFTER_MS);
      // Too soon to list again; a listing that just ended may have learnt the pointer since.
      if (last !== undefined && this.options.now() - last < interval) return this.followPointer(identity, node);
      running = this.startListing(key, node);
    }
    running.waiters.push(waiter);
    await running.done;
    // A waiter that joined late missed the first pages, but their pods are pointed to now.
    return waiter.match ?? (await this.followPointer(identity, node));
  }

  private startListing(key: string, node: string | undefined): Listing {
    this.listedAtMs.set(key, this.options.now());
    this.pointers.prune();
    const waiters: Waiter[] = [];
    const done = this.readPages(node, waiters).finally(() => this.listing.delete(key));
    const listing = { waiters, done };
    this.listing.set(key, listing);
    return listing;
  }

  private async readPages(node: string | undefined, waiters: readonly Waiter[]): Promise<void> {
    const selector = node === undefined ? {} : { fieldSelector: `spec.nodeName=${node}` };
    for await (const page of listPages<Pod>(this.api, POD, selector, PAGE)) {
      for (const item of page) {
        this.pointers.learn(item);
        // A node's observer reports on the node's other pods next; a cluster's pods would flood the cache.
        if (node !== undefined) this.pods.remember(item);
        for (const waiter of waiters) {
          if (waiter.match !== undefined && complete(waiter.match, waiter.identity)) continue;
          const match = matchPod(item, waiter.identity, node);
          if (match !== undefined) waiter.match = { ...match, pod: slimPod(item, MONITOR_ANNOTATION) };
        }
      }
    }
  }
}

function complete(match: Match, identity: KernelIdentity): boolean {
  return identity.containerId === undefined || match.containerName !== undefined;
}

/** The pod, if the identity is one of its own (and it runs on the event's node, when the event names one). */
function matchPod(pod: Pod, identity: KernelIdentity, node: string | undefined): Match | undefined {
  if (node !== undefined && pod.spec?.nodeName !== node) return undefined;
  const uidMatches = identity.podUid !== undefined && pod.metadata.uid === identity.podUid;
  if (identity.podUid !== undefined && !uidMatches) return undefined;
  const container = containerByStatusId(pod, identity.containerId);
  // A matching UID is enough for the pod; the container may not be in its status yet.
  return uidMatches || container !== undefined ? { pod, containerName: container } : undefined;
}

export function unresolved(candidate: Candidate, options: ResolverOptions, message: string): Error {
  const age = options.now() - Date.parse(candidate.observedAt);
  if (age < options.unresolvedRetryMs) return new PodNotResolvedError(`${message} yet; retry later`);
  return new PodUnresolvableError(`${message} after ${Math.round(options.unresolvedRetryMs / 1000)} s; giving up`);
}
