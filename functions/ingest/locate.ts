import { containerByStatusId, identityOf } from '../../lib/core/kernel-identity.js';
import { hasContainer, type Pod } from '../../lib/core/pod.js';
import type { Candidate } from './candidates.js';
import type { PodDirectory, PodLookup } from './pods.js';

/**
 * Finds the pod an event is about. Events that name their pod are read
 * directly; kernel identities (pod UID, container ID, cgroup path) go through
 * the resolver.
 */
export type Located = {
  readonly pod: Pod | undefined;
  readonly namespace: string;
  readonly podName: string;
  readonly containerName: string | undefined;
  /** The pod was read from the API server for this event, or matched by the event's own identity: it is the live one. */
  readonly fresh: boolean;
};

export type KernelIdentityResolver = {
  /** Resolves, or throws the retried / final "not resolved" error. */
  resolve(candidate: Candidate): Promise<{ pod: Pod; containerName: string | undefined }>;
  /** The error for an identity that does not resolve: retried while the observation is young. */
  unresolved(candidate: Candidate, message: string): Error;
};

/** `fresh` reads a named pod past the cache (the stored object belongs to another incarnation than the cached pod). */
export async function locatePod(
  candidate: Candidate,
  pods: PodDirectory,
  resolver: KernelIdentityResolver,
  fresh = false,
): Promise<Located> {
  const { data } = candidate;
  if (data.pod_name !== undefined && data.namespace !== undefined)
    return locateNamed(candidate, { namespace: data.namespace, podName: data.pod_name, fresh }, pods, resolver);
  const resolved = await resolver.resolve(candidate);
  pods.remember(resolved.pod);
  return requireContainer(candidate, resolver, {
    pod: resolved.pod,
    namespace: resolved.pod.metadata.namespace ?? '',
    podName: resolved.pod.metadata.name,
    containerName: data.container_name ?? resolved.containerName,
    fresh: true,
  });
}

/**
 * A cached pod is read again when the event names another pod UID or a
 * container it lacks (it may be an earlier pod of that name, or predate the
 * container's status); the container ID may come from container_id or from a
 * cgroup path.
 */
async function locateNamed(
  candidate: Candidate,
  target: { namespace: string; podName: string; fresh: boolean },
  pods: PodDirectory,
  resolver: KernelIdentityResolver,
): Promise<Located> {
  const { namespace, podName } = target;
  const { containerId, podUid } = identityOf(candidate.data);
  const named = candidate.data.container_name;
  let lookup: PodLookup = target.fresh ? await pods.refresh(namespace, podName) : await pods.get(namespace, podName);
  const stale = (pod: Pod) =>
    (podUid !== undefined && pod.metadata.uid !== podUid) ||
    (named !== undefined && !hasContainer(pod, named)) ||
    (candidate.kind === 'cpu_throttle' &&
      named === undefined &&
      containerId !== undefined &&
      containerByStatusId(pod, containerId) === undefined);
  if (lookup.pod !== undefined && !lookup.fresh && stale(lookup.pod)) lookup = await pods.refresh(namespace, podName);
  const { pod } = lookup;
  const containerName = named ?? (pod === undefined ? undefined : containerByStatusId(pod, containerId));
  return requireContainer(candidate, resolver, { pod, namespace, podName, containerName, fresh: lookup.fresh });
}

/** A throttle report is per container; its container may reach pod status only after it starts. */
function requireContainer(candidate: Candidate, resolver: KernelIdentityResolver, located: Located): Located {
  if (candidate.kind !== 'cpu_throttle' || located.containerName !== undefined || located.pod === undefined)
    return located;
  throw resolver.unresolved(
    candidate,
    `No container of pod ${located.namespace}/${located.podName} has the event's container ID`,
  );
}
