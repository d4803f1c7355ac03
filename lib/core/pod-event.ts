import { API_VERSION, EVENT, KERNEL_WHISPER, LABEL, MANAGED_BY, POD_BIRTH_CERTIFICATE } from '../api/group.js';
import type { KernelWhisperSpec } from '../api/kernel-whisper.js';
import { podEventName } from '../api/names.js';
import type { PodBirthCertificateSpec } from '../api/pod-birth-certificate.js';
import type { KubeObject } from '../k8s/objects.js';
import { cpuRecommendation } from './cpu-recommendation.js';
import { podBirthCertificateStatus } from './pod-birth.js';

/**
 * Kubernetes Events (events.k8s.io/v1) that put what the kernel saw where people
 * look first, `kubectl describe pod`. Pure: which Event a stored object implies,
 * and the bodies that create it or update its series.
 */
export const REPORTING_CONTROLLER = 'kernel.gossip.io/ingest';
export const POD_EVENT_REASON = { throttled: 'CPUThrottled', born: 'BirthRecorded' } as const;

export type ObjectReference = {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly uid?: string;
};

export type PodEventIntent = {
  readonly name: string;
  readonly namespace: string;
  readonly reason: string;
  readonly type: 'Normal' | 'Warning';
  readonly action: string;
  readonly note: string;
  /** When the kernel made the observation (RFC 3339). */
  readonly observedAt: string;
  readonly regarding: ObjectReference;
  readonly related: ObjectReference;
};

/** An Event as the API server takes it; times are MicroTime. */
export type PodEvent = KubeObject & {
  readonly eventTime?: string;
  readonly reportingController?: string;
  readonly reportingInstance?: string;
  readonly action?: string;
  readonly reason?: string;
  readonly type?: string;
  readonly note?: string;
  readonly regarding?: ObjectReference;
  readonly related?: ObjectReference;
  readonly series?: { readonly count: number; readonly lastObservedTime: string };
};

/** Validation of events.k8s.io/v1 caps the note at 1 kB. */
const MAX_NOTE = 1024;
const MAX_INSTANCE = 128;

/** A warning or critical KernelWhisper, and every recorded PodBirthCertificate, tell their pod. */
export function podEventFor(object: KubeObject): PodEventIntent | undefined {
  if (object.kind === KERNEL_WHISPER.kind) return throttledEvent(object as KubeObject<KernelWhisperSpec>);
  if (object.kind === POD_BIRTH_CERTIFICATE.kind) return birthEvent(object as KubeObject<PodBirthCertificateSpec>);
  return undefined;
}

function throttledEvent(object: KubeObject<KernelWhisperSpec>): PodEventIntent | undefined {
  const spec = object.spec;
  if (spec === undefined || spec.severity === 'info' || spec.pod_uid === undefined) return undefined;
  const seen = `Container ${spec.container_name} throttled in ${spec.kernel_truth.throttled_percent}% of CFS periods (${spec.severity})`;
  const note = `${seen}; ${cpuRecommendation(spec).text}`;
  return intent(object, {
    podName: spec.pod_name,
    podUid: spec.pod_uid,
    reason: POD_EVENT_REASON.throttled,
    type: 'Warning',
    action: 'ObserveThrottling',
    note,
    observedAt: spec.detected_at,
  });
}

function birthEvent(object: KubeObject<PodBirthCertificateSpec>): PodEventIntent | undefined {
  const spec = object.spec;
  const newest = (spec?.reports ?? [])
    .map((report) => report.observed_at)
    .sort()
    .at(-1);
  if (spec === undefined || spec.pod_uid === undefined || newest === undefined) return undefined;
  const note =
    podBirthCertificateStatus(spec, object.metadata.generation ?? 1).insight ?? 'Kernel birth timeline recorded.';
  return intent(object, {
    podName: spec.pod_name,
    podUid: spec.pod_uid,
    reason: POD_EVENT_REASON.born,
    type: 'Normal',
    action: 'RecordBirth',
    note,
    observedAt: newest,
  });
}

type Facts = Pick<PodEventIntent, 'reason' | 'type' | 'action' | 'note' | 'observedAt'> & {
  readonly podName: string;
  readonly podUid: string;
};

function intent(object: KubeObject, facts: Facts): PodEventIntent {
  const namespace = object.metadata.namespace ?? '';
  const { podName, podUid, ...rest } = facts;
  return {
    ...rest,
    name: podEventName(object.metadata.name, facts.reason, podUid),
    namespace,
    note: facts.note.length <= MAX_NOTE ? facts.note : `${facts.note.slice(0, MAX_NOTE - 3)}...`,
    regarding: { apiVersion: 'v1', kind: 'Pod', name: podName, namespace, uid: podUid },
    related: {
      apiVersion: API_VERSION,
      kind: object.kind,
      name: object.metadata.name,
      namespace,
      ...(object.metadata.uid === undefined ? {} : { uid: object.metadata.uid }),
    },
  };
}

/** The first occurrence: everything but the series, which the API server wants only from the second. */
export function newPodEvent(intent: PodEventIntent, reportingInstance: string): PodEvent {
  return {
    apiVersion: `${EVENT.group}/${EVENT.version}`,
    kind: EVENT.kind,
    metadata: { name: intent.name, namespace: intent.namespace, labels: { [LABEL.managedBy]: MANAGED_BY } },
    eventTime: microTime(intent.observedAt),
    reportingController: REPORTING_CONTROLLER,
    reportingInstance: reportingInstance.slice(0, MAX_INSTANCE),
    action: intent.action,
    reason: intent.reason,
    type: intent.type,
    note: intent.note,
    regarding: intent.regarding,
    related: intent.related,
  };
}

/**
 * A repeat: only `series` changes (note, reason, action and reporter are
 * immutable on events.k8s.io/v1), applied with the resourceVersion it counted from.
 */
export function podEventSeries(intent: PodEventIntent, count: number, resourceVersion: string | undefined): PodEvent {
  return {
    apiVersion: `${EVENT.group}/${EVENT.version}`,
    kind: EVENT.kind,
    metadata: {
      name: intent.name,
      namespace: intent.namespace,
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
    },
    series: { count, lastObservedTime: microTime(intent.observedAt) },
  };
}

/** metav1.MicroTime parses exactly six fractional digits. */
export function microTime(rfc3339: string): string {
  return new Date(rfc3339).toISOString().replace(/Z$/, '000Z');
}
