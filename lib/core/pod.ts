import type { KubeObject } from '../k8s/objects.js';

/** The parts of a Pod the functions read. */
export type Quantity = string | number;
export type ResourceList = { cpu?: Quantity; memory?: Quantity };
export type Container = { name: string; resources?: { requests?: ResourceList; limits?: ResourceList }; restartPolicy?: string };
export type ContainerStatus = { name: string; containerID?: string };
export type PodSpec = { nodeName?: string; containers: Container[]; initContainers?: Container[] };
export type PodStatus = { phase?: string; containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
export type Pod = KubeObject<PodSpec, PodStatus>;
