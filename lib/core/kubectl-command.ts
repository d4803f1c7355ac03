import type { ContainerResources, Workload } from '../api/kernel-whisper.js';

/**
 * The exact kubectl command that applies new CPU figures, or why there is none.
 * Resources are changed where they are defined: the controller's pod template
 * (a patched pod would be replaced by its controller's template), or, for a pod
 * without a controller, the pod's in-place resize subresource.
 */
export type ResizeTarget = {
  readonly namespace: string;
  readonly podName: string;
  readonly containerName: string;
  readonly containerType: ContainerResources['container_type'];
  readonly workload: Workload | undefined;
  readonly limit: string;
  /** Only when the request moves with the limit. */
  readonly request?: string;
};

export type CommandAdvice = { readonly command: string } | { readonly why: string };

/** Kinds whose pod template `kubectl set resources` changes (verified against kubectl 1.36, init containers included). */
const TEMPLATE_RESOURCE: Readonly<Record<string, string>> = {
  'apps/v1/Deployment': 'deployment',
  'apps/v1/StatefulSet': 'statefulset',
  'apps/v1/DaemonSet': 'daemonset',
  'apps/v1/ReplicaSet': 'replicaset',
  'v1/ReplicationController': 'replicationcontroller',
};

export function resizeCommand(target: ResizeTarget): CommandAdvice {
  const { workload } = target;
  if (workload === undefined) return { why: 'the pod owner was not recorded, so no command is given' };
  if (workload.api_version === 'v1' && workload.kind === 'Pod') return podResize(target);
  const resource = TEMPLATE_RESOURCE[`${workload.api_version}/${workload.kind}`];
  if (resource !== undefined) {
    const requests = target.request === undefined ? '' : ` --requests=cpu=${target.request}`;
    return {
      command: `kubectl set resources ${resource}/${workload.name} -n ${target.namespace} -c ${target.containerName} --limits=cpu=${target.limit}${requests}`,
    };
  }
  if (workload.api_version === 'batch/v1' && workload.kind === 'Job') {
    return {
      why: `the pod belongs to Job ${workload.name}, whose pod template cannot change: set the new limit where the Job is defined (its manifest or CronJob)`,
    };
  }
  if (workload.api_version === 'v1' && workload.kind === 'Node')
    return { why: `it is a static pod of node ${workload.name}: set the new limit in its manifest on that node` };
  return { why: `set the new limit in the pod template of its controller, ${workload.kind} ${workload.name}` };
}

/** The resize subresource accepts containers and sidecars only, and refuses a change of QoS class. */
function podResize(target: ResizeTarget): CommandAdvice {
  if (target.containerType === 'init')
    return {
      why: `init container ${target.containerName} of a pod without a controller cannot be resized: recreate the pod with the new limit`,
    };
  const list = target.containerType === 'sidecar' ? 'initContainers' : 'containers';
  const resources =
    target.request === undefined
      ? { limits: { cpu: target.limit } }
      : { requests: { cpu: target.request }, limits: { cpu: target.limit } };
  const patch = JSON.stringify({ spec: { [list]: [{ name: target.containerName, resources }] } });
  return {
    command: `kubectl patch pod ${target.podName} -n ${target.namespace} --subresource resize --patch '${patch}'`,
  };
}
