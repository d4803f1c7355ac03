/**
 * What the kernel knows about a container, turned into Kubernetes identities.
 * kubelet names pod cgroups after the pod UID in both cgroup drivers:
 *   cgroupfs: /kubepods/burstable/pod<uid>/<container-id>
 *   systemd:  kubepods-burstable-pod<uid_with_underscores>.slice/cri-containerd-<container-id>.scope
 * (kubernetes.io/docs/concepts/architecture/cgroups, pkg/kubelet/cm/cgroup_manager_linux.go).
 */
import type { Pod } from './pod.js';

export type KernelIdentity = { readonly podUid?: string; readonly containerId?: string };

const CGROUPFS_POD = /(?:^|\/)pod([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/|$)/i;
const SYSTEMD_POD = /-pod([0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12})\.slice/i;
const SYSTEMD_CONTAINER = /(?:^|\/)(?:cri-containerd|crio|docker|containerd)-([0-9a-f]{12,64})\.scope(?:\/|$)/i;
// CRI-O under cgroupfs names the container cgroup crio-<id>; containerd uses the bare ID.
const CGROUPFS_CONTAINER = /\/pod[0-9a-f-]{36}\/(?:crio-|docker-|cri-containerd-)?([0-9a-f]{12,64})(?:\/|$)/i;

export function parseCgroupPath(path: string): KernelIdentity {
  const systemdPod = SYSTEMD_POD.exec(path)?.[1]?.replaceAll('_', '-');
  const podUid = systemdPod ?? CGROUPFS_POD.exec(path)?.[1];
  const containerId = SYSTEMD_CONTAINER.exec(path)?.[1] ?? CGROUPFS_CONTAINER.exec(path)?.[1];
  return { podUid: podUid?.toLowerCase(), containerId: containerId?.toLowerCase() };
}

/** A pod UID with its dashes, whether it arrived with dashes, underscores or none. */
export function normalizePodUid(uid: string): string {
  const hex = uid.replace(/[-_]/g, '').toLowerCase();
  if (hex.length !== 32) return uid.toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Container IDs from pod status carry a runtime prefix (containerd://<id>); events may not. */
export function bareContainerId(containerId: string): string {
  const separator = containerId.indexOf('://');
  return (separator === -1 ? containerId : containerId.slice(separator + 3)).toLowerCase();
}

/** Observers often print the 12-character short form; a full ID matches its prefix. */
export function sameContainer(statusId: string, eventId: string): boolean {
  const full = bareContainerId(statusId);
  const given = bareContainerId(eventId);
  return given.length >= 12 && full.startsWith(given);
}

export function identityOf(data: { pod_uid?: string; container_id?: string; cgroup_path?: string }): KernelIdentity {
  const fromPath = data.cgroup_path === undefined ? {} : parseCgroupPath(data.cgroup_path);
  return {
    podUid: data.pod_uid === undefined ? fromPath.podUid : normalizePodUid(data.pod_uid),
    containerId: data.container_id === undefined ? fromPath.containerId : bareContainerId(data.container_id),
  };
}

/** The container (regular or init) whose status carries this ID; status IDs carry a runtime prefix, events may not. */
export function containerByStatusId(pod: Pod, containerId: string | undefined): string | undefined {
  if (containerId === undefined) return undefined;
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  return statuses.find((status) => status.containerID !== undefined && sameContainer(status.containerID, containerId))
    ?.name;
}
