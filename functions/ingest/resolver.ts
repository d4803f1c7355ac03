import { MONITOR_ANNOTATION, POD } from '../../lib/api/group.js';
import { containerByStatusId, identityOf, type KernelIdentity } from '../../lib/core/kernel-identity.js';
import { type Pod, slimPod } from '../../lib/core/pod.js';
import { PodNotResolvedError, PodUnresolvableError } from '../../lib/errors.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { listAll } from '../../lib/k8s/list-all.js';
import { Lru } from '../../lib/lru.js';
import type { Candidate } from './candidates.js';
import type { KernelIdentityResolver } from './locate.js';

/**
 * Resolves pod UID / container ID / cgroup path to a pod through the API: lists
 * the pods of the event's node (a field selector) or, without a node, of the
 * cluster, and keeps each listing for a few seconds so a burst costs one list.
 *
 * An identity that matches nothing is retried (404) while the observation is
 * younger than the retry window (a container ID reaches pod status only once the
 * container runs), and refused for good (422) after it.
 */
export type ResolverOptions = {
  readonly now: () => number;
  readonly unresolvedRetryMs: number;
  /** How long a listing serves hits. */
  readonly ttlMs?: number;
  /** A miss re-lists only when the listing is at least this old, so unresolvable bursts cannot turn into a list per event. */
  readonly relistAfterMs?: number;
};

type Listing = { readonly pods: readonly Pod[]; readonly listedAtMs: number };
type Match = { pod: Pod; containerName: string | undefined };

const PAGE = 500;
const DEFAULT_RELIST_AFTER_MS = 1000;

export class ApiIdentityResolver implements KernelIdentityResolver {
  private readonly listings: Lru<string, Listing>;
  /** Concurrent misses for one node share one list. */
  private readonly listing = new Map<string, Promise<Listing>>();

  constructor(
    private readonly api: KubeApi,
    private readonly options: ResolverOptions,
  ) {
    this.listings = new Lru(64, options.ttlMs ?? 3000, options.now);
  }

  unresolved(candidate: Candidate, message: string): Error {
    return unresolved(candidate, this.options, message);
  }

  async resolve(candidate: Candidate): Promise<Match> {
    const identity = identityOf(candidate.data);
    if (identity.podUid === undefined && identity.containerId === undefined)
      throw unresolved(candidate, this.options, 'The event carries no usable pod identity');
    const node = candidate.data.node_name;
    const cached = this.listings.get(node ?? '*');
    const fromCache = cached === undefined ? undefined : findPod(cached.pods, identity);
    // A UID match whose container is not in the cached status yet may be in a fresh one.
    if (fromCache !== undefined && complete(fromCache, identity)) return fromCache;
    const recent =
      cached !== undefined &&
      this.options.now() - cached.listedAtMs < (this.options.relistAfterMs ?? DEFAULT_RELIST_AFTER_MS);
    const match = recent ? fromCache : findPod((await this.listShared(node)).pods, identity);
    if (match === undefined)
      throw unresolved(candidate, this.options, 'No pod matches the kernel identity in the event');
    return match;
  }

  private listShared(node: string | undefined): Promise<Listing> {
    const key = node ?? '*';
    const running = this.listing.get(key);
    if (running !== undefined) return running;
    const started = this.listFresh(node).finally(() => this.listing.delete(key));
    this.listing.set(key, started);
    return started;
  }

  private async listFresh(node: string | undefined): Promise<Listing> {
    const listedAtMs = this.options.now();
    // Kept for seconds and possibly a whole cluster's worth: only the fields we read.
    const pods = await listAll<Pod>(
      this.api,
      POD,
      node === undefined ? {} : { fieldSelector: `spec.nodeName=${node}` },
      PAGE,
      (pod) => slimPod(pod, MONITOR_ANNOTATION),
    );
    const listing = { pods, listedAtMs };
    this.listings.set(node ?? '*', listing);
    return listing;
  }
}

function complete(match: Match, identity: KernelIdentity): boolean {
  return identity.containerId === undefined || match.containerName !== undefined;
}

export function findPod(pods: readonly Pod[], identity: KernelIdentity): Match | undefined {
  for (const pod of pods) {
    const uidMatches = identity.podUid !== undefined && pod.metadata.uid === identity.podUid;
    const container = containerByStatusId(pod, identity.containerId);
    if (identity.podUid !== undefined && !uidMatches) continue;
    // A matching UID is enough for the pod; the container may not be in its status yet.
    if (uidMatches || container !== undefined) return { pod, containerName: container };
  }
  return undefined;
}

export function unresolved(candidate: Candidate, options: ResolverOptions, message: string): Error {
  const age = options.now() - Date.parse(candidate.observedAt);
  if (age < options.unresolvedRetryMs) return new PodNotResolvedError(`${message} yet; retry later`);
  return new PodUnresolvableError(`${message} after ${Math.round(options.unresolvedRetryMs / 1000)} s; giving up`);
}
