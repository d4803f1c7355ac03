import * as v from 'valibot';
import type { Observation } from '../../lib/core/observation.js';
import { CpuThrottleDataSchema } from '../../lib/events/cpu-throttle.js';
import { PodCreationDataSchema } from '../../lib/events/pod-creation.js';
import { EVENT_TYPE } from '../../lib/events/types.js';
import type { BenchEvent } from './workload.js';

/** The observation the ingest function builds from a bench event once it has read the pod, for writing without it. */
export function observationOf(event: BenchEvent, podUid: string): Observation {
  const pod = { namespace: event.namespace, pod_name: event.pod, pod_uid: podUid, node_name: 'bench-node' };
  const base = { pod, observedAt: new Date(event.timestamp).toISOString(), source: '/kernel-observer/node-1', container_name: 'app' };
  if (event.type === EVENT_TYPE.cpuThrottle) return { ...base, kind: 'cpu_throttle', data: v.parse(CpuThrottleDataSchema, event.data) };
  return { ...base, kind: 'pod_creation', data: v.parse(PodCreationDataSchema, event.data) };
}
