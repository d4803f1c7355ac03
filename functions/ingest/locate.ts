import { containerByStatusId, identityOf } from '../../lib/core/kernel-identity.js';
import type { Pod } from '../../lib/core/pod.js';
import type { Candidate } from './candidates.js';
import type { PodDirectory } from './pods.js';

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
};

export type KernelIdentityResolver = {
  /** Resolves, or throws the retried / final "not resolved" error. */
  resolve(candidate: Candidate): Promise<{ pod: Pod; containerName: string | undefined }>;
  /** The error for an identity that does not resolve: retried while the observation is young. */
  unresolved(candidate: Candidate, message: string): Error;
};

export async function locatePod(
  candidate: Candidate,
  pods: PodDirectory,
  resolver: KernelIdentityResolver,
): Promise<Located> {
  const { data } = candidate;
  if (data.pod_name !== undefined && data.namespace !== undefined)
    return locateNamed(candidate, data.namespace, data.pod_name, pods, resolver);
  const resolved = await resolver.resolve(candidate);
  pods.remember(resolved.pod);
  return requireContainer(candidate, resolver, {
    pod: resolved.pod,
    namespace: resolved.pod.metadata.namespace ?? '',
    podName: resolved.pod.metadata.name,
    containerName: data.container_name ?? resolved.containerName,
  });
}

/** The container ID may come from container_id or from a cgroup path; a cached pod may predate its status. */
async function locateNamed(
  candidate: Candidate,
  namespace: string,
  podName: string,
  pods: PodDirectory,
  resolver: KernelIdentityResolver,
): Promise<Located> {
  const { containerId } = identityOf(candidate.data);
  const named = candidate.data.container_name;
  let pod = await pods.get(namespace, podName);
  let containerName = named ?? (pod === undefined ? undefined : containerByStatusId(pod, containerId));
  if (
    candidate.kind === 'cpu_throttle' &&
    pod !== undefined &&
    containerName === undefined &&
    containerId !== undefined
  ) {
    pod = await pods.refresh(namespace, podName);
    containerName = pod === undefined ? undefined : containerByStatusId(pod, containerId);
  }
  return requireContainer(candidate, resolver, { pod, namespace, podName, containerName });
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
