import { POD } from '../../lib/api/group.js';
import { PodNotResolvedError, PodUnresolvableError } from '../../lib/errors.js';
import { identityOf, sameContainer, type KernelIdentity } from '../../lib/core/kernel-identity.js';
import type { Pod } from '../../lib/core/pod.js';
import type { KubeApi } from '../../lib/k8s/api.js';
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
export type ResolverOptions = { readonly now: () => number; readonly unresolvedRetryMs: number; readonly ttlMs?: number };

const PAGE = 500;

export class ApiIdentityResolver implements KernelIdentityResolver {
  private readonly listings: Lru<string, Pod[]>;

  constructor(
    private readonly api: KubeApi,
    private readonly options: ResolverOptions,
  ) {
    this.listings = new Lru(64, options.ttlMs ?? 3000, options.now);
  }

  unresolved(candidate: Candidate, message: string): Error {
    return unresolved(candidate, this.options, message);
  }

  async resolve(candidate: Candidate): Promise<{ pod: Pod; containerName: string | undefined }> {
    const identity = identityOf(candidate.data);
    if (identity.podUid === undefined && identity.containerId === undefined) throw unresolved(candidate, this.options, 'The event carries no usable pod identity');
    const node = candidate.data.node_name;
    const cached = this.listings.get(node ?? '*');
    const match = (cached === undefined ? undefined : findPod(cached, identity)) ?? findPod(await this.listFresh(node), identity);
    if (match === undefined) throw unresolved(candidate, this.options, 'No pod matches the kernel identity in the event');
    return match;
  }

  /** A container not yet in pod status resolves once the status has it, so misses re-list. */
  private async listFresh(node: string | undefined): Promise<Pod[]> {
    const pods: Pod[] = [];
    let next: string | undefined;
    do {
      const page = await this.api.list<Pod>(POD, { fieldSelector: node === undefined ? undefined : `spec.nodeName=${node}`, limit: PAGE, continue: next });
      pods.push(...page.items);
      next = page.continue;
    } while (next !== undefined);
    this.listings.set(node ?? '*', pods);
    return pods;
  }
}

export function findPod(pods: readonly Pod[], identity: KernelIdentity): { pod: Pod; containerName: string | undefined } | undefined {
  for (const pod of pods) {
    const uidMatches = identity.podUid !== undefined && pod.metadata.uid === identity.podUid;
    const container = identity.containerId === undefined ? undefined : containerNamed(pod, identity.containerId);
    if (identity.podUid !== undefined && !uidMatches) continue;
    // A matching UID is enough for the pod; the container may not be in its status yet.
    if (uidMatches || container !== undefined) return { pod, containerName: container };
  }
  return undefined;
}

function containerNamed(pod: Pod, containerId: string): string | undefined {
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  return statuses.find((status) => status.containerID !== undefined && sameContainer(status.containerID, containerId))?.name;
}

export function unresolved(candidate: Candidate, options: ResolverOptions, message: string): Error {
  const age = options.now() - Date.parse(candidate.observedAt);
  if (age < options.unresolvedRetryMs) return new PodNotResolvedError(`${message} yet; retry later`);
  return new PodUnresolvableError(`${message} after ${Math.round(options.unresolvedRetryMs / 1000)} s; giving up`);
}
