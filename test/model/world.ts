import type { Owner } from './rules.js';
import type { StoryEntry } from './throttle-story.js';

/**
 * The state the model keeps for one generated sequence: the cluster as people
 * made it (pods), what every object must contain, what each ingest instance
 * remembers (it may answer from memory for INSTANCE_MEMORY_MS), and the pod
 * Events that exist. Plain data, so a command can try an action on a copy.
 */
export type ModelContainer = { readonly name: string; readonly request?: string; readonly limit?: string };

export type ModelPod = {
  readonly name: string;
  readonly uid: string;
  /** metadata.creationTimestamp as the API server returned it (whole seconds). */
  readonly createdAtMs: number;
  readonly annotated: boolean;
  readonly owner: Owner;
  readonly containers: readonly ModelContainer[];
};

export type TimelineFact = { readonly timestamp_ms: number; readonly action: string; readonly actor?: string };
/** A timeline entry as stored: an observer's (actor defaulted) or a lifecycle step of the pod. */
export type TimelineEntry = {
  readonly timestamp_ms: number;
  readonly actor: string;
  readonly action: string;
  readonly step?: string;
};

type Common = {
  readonly pod: string;
  readonly container?: string;
  /** The observation time (data.timestamp, else the CloudEvent time); undefined when none was sent. */
  readonly atMs: number | undefined;
  readonly uid?: string;
  /** CloudEvent source, or the legacy webhook path. */
  readonly source: string;
  /** False for data that fails validation (e.g. a percentage above 100). */
  readonly valid: boolean;
};

export type ThrottleFacts = Common & {
  readonly kind: 'throttle';
  readonly container: string;
  readonly percent: number;
  readonly actual: number;
  readonly reported?: number;
  readonly periodSeconds?: number;
  readonly throttleNs?: number;
  readonly ebpf?: boolean;
};

export type BirthFacts = Common & {
  readonly kind: 'birth';
  readonly syscalls: number;
  readonly namespaceOps: number;
  readonly cgroupWrites: number;
  readonly durationNs: number;
  readonly iptables?: number;
  readonly timeline: readonly TimelineFact[];
};

export type Facts = ThrottleFacts | BirthFacts;

/** An HTTP request exactly as sent, so a redelivery repeats its bytes. */
export type SentRequest = { readonly path: string; readonly headers: Record<string, string>; readonly body: string };
export type Delivery = { readonly facts: Facts; readonly request: SentRequest };

export type PodGone = { readonly status: 'True' | 'False'; readonly reason: string; readonly sinceMs: number };

/** The status the ingest manager owns, as last computed: from which spec, at which generation, on which side of the window. */
export type IngestStatus = { readonly fromSpec: unknown; readonly generation: number; readonly resolved: boolean };

export type WhisperState = {
  readonly kind: 'KernelWhisper';
  readonly name: string;
  readonly spec: WhisperSpec;
  readonly generation: number;
  readonly rv: number;
  readonly status?: IngestStatus;
  readonly podGone?: PodGone;
};

export type CertificateState = {
  readonly kind: 'PodBirthCertificate';
  readonly name: string;
  readonly spec: CertificateSpec;
  readonly generation: number;
  readonly rv: number;
  readonly status?: IngestStatus;
  readonly podGone?: PodGone;
  /** Internal identity of content-identified reports (the product hashes their content). */
  readonly reportKeys: readonly string[];
};

/**
 * An object stored under the earlier operator's CRD. Its KernelWhisper fails
 * today's schema (no container name): marked Invalid, deleted after retention.
 * Its certificate validates (reports are optional, issue 17): swept like any
 * certificate of a pod known only by name.
 */
export type LegacyState = {
  readonly kind: 'Legacy';
  readonly resource: 'KernelWhisper' | 'PodBirthCertificate';
  readonly name: string;
  readonly pod: string;
  readonly rv: number;
  readonly invalidSinceMs?: number;
  /** A certificate's status was computed by a sweep. */
  readonly swept?: boolean;
  readonly podGone?: PodGone;
};

export type ObjectState = WhisperState | CertificateState | LegacyState;

export type WhisperSpec = {
  readonly pod_name: string;
  readonly namespace: string;
  readonly container_name: string;
  readonly pod_uid: string;
  readonly detected_at: string;
  readonly kernel_truth: Record<string, number | undefined>;
  readonly metrics_lie: Record<string, unknown>;
  readonly severity: string;
  readonly ebpf_detection?: boolean;
  readonly observer: string;
  readonly container_resources: Record<string, string | undefined>;
  readonly workload: Record<string, string>;
  /** Issue 16: every observation merged (test/model/throttle-story.ts); absent only on a candidate not yet planned. */
  readonly history?: readonly StoryEntry[];
};

export type CertificateReport = Record<string, unknown> & { readonly id: string; readonly observed_at: string };
export type CertificateSpec = {
  readonly pod_name: string;
  readonly namespace: string;
  readonly pod_uid: string;
  readonly timeline: readonly TimelineEntry[];
  readonly kernel_stats: Record<string, number | undefined>;
  readonly reports: readonly CertificateReport[];
};

export type Remembered<T> = { readonly value: T; readonly atMs: number };
export type InstanceMemory = {
  readonly pods: Map<string, Remembered<ModelPod>>;
  readonly objects: Map<string, Remembered<ObjectState>>;
};

export type World = {
  readonly namespace: string;
  nowMs: number;
  readonly pods: Map<string, ModelPod>;
  /** UIDs of earlier pods of each name, newest last. */
  readonly formerUids: Map<string, string[]>;
  readonly objects: Map<string, ObjectState>;
  readonly instances: readonly InstanceMemory[];
  /** `reason/object/pod UID` of every pod Event that must exist. */
  readonly podEvents: Set<string>;
  readonly delivered: Delivery[];
  monitoredPods: string | undefined;
  nextRv: number;
  /** Whether objects of the earlier operator can be stored (etcd is reachable). */
  readonly canStoreLegacy: boolean;
};

export const INSTANCES = 2;

export function newWorld(namespace: string, nowMs: number, canStoreLegacy: boolean): World {
  return {
    namespace,
    nowMs,
    pods: new Map(),
    formerUids: new Map(),
    objects: new Map(),
    instances: Array.from({ length: INSTANCES }, () => ({ pods: new Map(), objects: new Map() })),
    podEvents: new Set(),
    delivered: [],
    monitoredPods: undefined,
    nextRv: 1,
    canStoreLegacy,
  };
}

export function objectKey(kind: string, name: string): string {
  return `${kind}/${name}`;
}

/** A deep copy, to try a command on without touching the model (Maps and arrays included). */
export function copyWorld(world: World): World {
  return structuredClone(world);
}

export function bumpRv(world: World): number {
  world.nextRv += 1;
  return world.nextRv;
}
