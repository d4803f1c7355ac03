import * as v from 'valibot';
import type { Observation } from '../../lib/core/observation.js';
import type { Pod } from '../../lib/core/pod.js';
import { podLifecycle } from '../../lib/core/pod-lifecycle.js';
import { containerResources, workloadOf } from '../../lib/core/pod-resources.js';
import { CpuThrottleDataSchema } from '../../lib/events/cpu-throttle.js';
import { PodCreationDataSchema } from '../../lib/events/pod-creation.js';
import { EVENT_TYPE } from '../../lib/events/types.js';
import type { BenchEvent } from './workload.js';

/** Every bench pod: opted in, one container with a request and a limit, so throttle statuses carry concrete recommendations. */
export function benchPod(namespace: string, name: string, nodeName = 'bench-node', containers = ['app']): Pod {
  const container = (containerName: string) => ({
    name: containerName,
    image: `registry.invalid/${containerName}:1`,
    resources: { requests: { cpu: '250m' }, limits: { cpu: '500m' } },
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name, annotations: { 'kernel-gossip.io/monitor': 'true' } },
    spec: { nodeName, containers: containers.map(container) },
  };
}

/**
 * The observation the ingest function builds from a bench event once it has
 * read the pod (the same container resources and workload, from the same pod
 * manifest; the birth lifecycle of the pod as created, when given), for
 * writing the same objects without it.
 */
export function observationOf(event: BenchEvent, podUid: string, created?: Pod): Observation {
  const pod = {
    namespace: event.namespace,
    pod_name: event.pod,
    pod_uid: podUid,
    node_name: created?.spec?.nodeName ?? 'bench-node',
  };
  const base = {
    pod,
    observedAt: new Date(event.timestamp).toISOString(),
    source: '/kernel-observer/node-1',
    container_name: 'app',
  };
  if (event.type === EVENT_TYPE.cpuThrottle) {
    const manifest = benchPod(event.namespace, event.pod);
    const data = v.parse(CpuThrottleDataSchema, event.data);
    return {
      ...base,
      kind: 'cpu_throttle',
      data,
      container_resources: containerResources(manifest, 'app'),
      workload: workloadOf(manifest),
    };
  }
  const lifecycle = created === undefined ? undefined : podLifecycle(created);
  return {
    ...base,
    kind: 'pod_creation',
    data: v.parse(PodCreationDataSchema, event.data),
    ...(lifecycle === undefined ? {} : { lifecycle }),
  };
}
