import type { ContainerResources, Workload } from '../api/kernel-whisper.js';
import type { CpuThrottleData } from '../events/cpu-throttle.js';
import type { PodCreationData } from '../events/pod-creation.js';
import type { LifecycleView } from './pod-lifecycle.js';

/** The pod an observation is about, once its identity is known. */
export type PodRef = {
  readonly namespace: string;
  readonly pod_name: string;
  readonly pod_uid?: string;
  readonly node_name?: string;
};

/**
 * A validated kernel observation about a known pod: what the pure core maps into
 * desired objects. `observedAt` is the kernel's observation time (data.timestamp,
 * else the CloudEvent time), normalised to RFC 3339 with milliseconds.
 */
export type ThrottleObservation = {
  readonly kind: 'cpu_throttle';
  readonly pod: PodRef;
  readonly container_name: string;
  readonly data: CpuThrottleData;
  readonly observedAt: string;
  readonly source: string;
  /** The pod was read from the API server for this event (not a cache): its UID is the live pod's. */
  readonly freshPod?: boolean;
  /** Read from the pod at observation time, so the status stays a pure function of the spec. */
  readonly container_resources?: ContainerResources;
  readonly workload?: Workload;
};

export type BirthObservation = {
  readonly kind: 'pod_creation';
  readonly pod: PodRef;
  readonly container_name?: string;
  readonly data: PodCreationData;
  readonly observedAt: string;
  readonly source: string;
  readonly freshPod?: boolean;
  /** The pod's API lifecycle as read with the event (the pod the ingest reads anyway). */
  readonly lifecycle?: LifecycleView;
};

export type Observation = ThrottleObservation | BirthObservation;
