import type { KubeObject } from '../k8s/objects.js';

/** The parts of a Pod the functions read. */
export type Quantity = string | number;
export type ResourceList = { cpu?: Quantity; memory?: Quantity };
export type Container = {
  name: string;
  resources?: { requests?: ResourceList; limits?: ResourceList };
  restartPolicy?: string;
};
/** Only when a container (last) started: what the birth lifecycle reads. */
export type ContainerState = { running?: { startedAt?: string }; terminated?: { startedAt?: string } };
export type ContainerStatus = {
  name: string;
  containerID?: string;
  state?: ContainerState;
  lastState?: ContainerState;
};
export type PodCondition = { type: string; status: string; lastTransitionTime?: string };
export type PodSpec = { nodeName?: string; containers: Container[]; initContainers?: Container[] };
export type PodStatus = {
  phase?: string;
  conditions?: PodCondition[];
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
};
export type Pod = KubeObject<PodSpec, PodStatus>;

/** The label the Deployment controller puts on its pods, the suffix of their ReplicaSet's name. */
export const POD_TEMPLATE_HASH = 'pod-template-hash';

/**
 * What a pod cache needs to keep: the fields above, nothing else. Real pods carry
 * kilobytes of spec, status and annotations (last-applied configurations); a
 * cache of thousands of them must not.
 */
export function slimPod(pod: Pod, keepAnnotation: string): Pod {
  const { name, namespace, uid, labels, ownerReferences, creationTimestamp } = pod.metadata;
  const annotation = pod.metadata.annotations?.[keepAnnotation];
  const container = ({ name: containerName, resources, restartPolicy }: Container): Container => ({
    name: containerName,
    resources,
    restartPolicy,
  });
  const status = ({ name: containerName, containerID, state, lastState }: ContainerStatus): ContainerStatus => ({
    name: containerName,
    containerID,
    state: slimState(state),
    lastState: slimState(lastState),
  });
  return {
    apiVersion: pod.apiVersion,
    kind: pod.kind,
    metadata: {
      name,
      namespace,
      uid,
      creationTimestamp,
      labels,
      ownerReferences,
      annotations: annotation === undefined ? undefined : { [keepAnnotation]: annotation },
    },
    spec:
      pod.spec === undefined
        ? undefined
        : {
            nodeName: pod.spec.nodeName,
            containers: pod.spec.containers.map(container),
            initContainers: pod.spec.initContainers?.map(container),
          },
    status:
      pod.status === undefined
        ? undefined
        : {
            phase: pod.status.phase,
            conditions: pod.status.conditions?.map(({ type, status: value, lastTransitionTime }) => ({
              type,
              status: value,
              lastTransitionTime,
            })),
            containerStatuses: pod.status.containerStatuses?.map(status),
            initContainerStatuses: pod.status.initContainerStatuses?.map(status),
          },
  };
}

function slimState(state: ContainerState | undefined): ContainerState | undefined {
  if (state === undefined) return undefined;
  const started = (at: { startedAt?: string } | undefined) =>
    at === undefined ? undefined : { startedAt: at.startedAt };
  return { running: started(state.running), terminated: started(state.terminated) };
}

/**
 * What the sweep keeps of each pod in its scope, all of them at once (tens of
 * thousands in a large cluster): identity, the monitor annotation, phase, and
 * what the birth lifecycle reads (conditions, container names and start times),
 * and what names the pod's workload for the roll-ups (`workloadOf`: the
 * controller's owner reference and the pod-template-hash label). Less than
 * slimPod: no resources, other labels or owners, node or container IDs.
 */
export function sweepPod(pod: Pod, keepAnnotation: string): Pod {
  const { metadata, spec, status } = slimPod(pod, keepAnnotation);
  const { labels, ownerReferences, ...identity } = metadata;
  const controller = ownerReferences?.find((reference) => reference.controller === true);
  const hash = labels?.[POD_TEMPLATE_HASH];
  const names = (containers: readonly Container[]) => containers.map(({ name }) => ({ name }));
  const started = ({ containerID: _id, ...rest }: ContainerStatus): ContainerStatus => rest;
  return {
    apiVersion: pod.apiVersion,
    kind: pod.kind,
    metadata: {
      ...identity,
      ...(controller === undefined ? {} : { ownerReferences: [controller] }),
      ...(hash === undefined ? {} : { labels: { [POD_TEMPLATE_HASH]: hash } }),
    },
    spec:
      spec === undefined
        ? undefined
        : { containers: names(spec.containers), initContainers: spec.initContainers && names(spec.initContainers) },
    status:
      status === undefined
        ? undefined
        : {
            ...status,
            containerStatuses: status.containerStatuses?.map(started),
            initContainerStatuses: status.initContainerStatuses?.map(started),
          },
  };
}

/** Whether the pod spec has a container (regular, init or sidecar) of that name; containers never change. */
export function hasContainer(pod: Pod, name: string): boolean {
  const named = (container: Container) => container.name === name;
  return (pod.spec?.containers.some(named) ?? false) || (pod.spec?.initContainers?.some(named) ?? false);
}
