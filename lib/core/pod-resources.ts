import type { ContainerResources, Workload } from '../api/kernel-whisper.js';
import { normalisedCpu } from './cpu-quantity.js';
import { compact } from './json.js';
import { type Container, POD_TEMPLATE_HASH, type Pod } from './pod.js';

/**
 * What a recommendation needs from the pod, read once at observation time and
 * stored in the KernelWhisper spec: the container's CPU figures and where they
 * are defined.
 */
export function containerResources(pod: Pod, containerName: string): ContainerResources | undefined {
  const regular = pod.spec?.containers.find((container) => container.name === containerName);
  if (regular !== undefined) return figures(regular, 'regular');
  const init = pod.spec?.initContainers?.find((container) => container.name === containerName);
  if (init === undefined) return undefined;
  // A restartable init container is a sidecar (KEP-753): it runs beside the others and can be resized.
  return figures(init, init.restartPolicy === 'Always' ? 'sidecar' : 'init');
}

function figures(container: Container, type: ContainerResources['container_type']): ContainerResources {
  return compact({
    container_type: type,
    cpu_request: normalisedCpu(container.resources?.requests?.cpu),
    cpu_limit: normalisedCpu(container.resources?.limits?.cpu),
  });
}

/**
 * The pod's controller, or the pod itself when it has none (other owner
 * references only garbage-collect it; they do not define its resources). The
 * Deployment controller names its ReplicaSets `<deployment>-<pod-template-hash>`
 * and labels their pods with the hash, so the Deployment is known without
 * reading the ReplicaSet.
 */
export function workloadOf(pod: Pod): Workload {
  const owner = pod.metadata.ownerReferences?.find((reference) => reference.controller === true);
  if (owner === undefined) return { api_version: 'v1', kind: 'Pod', name: pod.metadata.name };
  const hash = pod.metadata.labels?.[POD_TEMPLATE_HASH];
  if (
    owner.apiVersion === 'apps/v1' &&
    owner.kind === 'ReplicaSet' &&
    hash !== undefined &&
    owner.name.endsWith(`-${hash}`)
  ) {
    return { api_version: 'apps/v1', kind: 'Deployment', name: owner.name.slice(0, -(hash.length + 1)) };
  }
  return { api_version: owner.apiVersion, kind: owner.kind, name: owner.name };
}
