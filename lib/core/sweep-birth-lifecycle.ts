import { POD_BIRTH_CERTIFICATE, type ResourceType } from '../api/group.js';
import type { PodBirthCertificateSpec } from '../api/pod-birth-certificate.js';
import type { KubeObject } from '../k8s/objects.js';
import { compact, sameJson } from './json.js';
import type { WhisperClock } from './kernel-whisper.js';
import { certificateFor } from './pod-birth.js';
import { fuseLifecycle, isBorn, podLifecycle } from './pod-lifecycle.js';
import { type PodIndex, podKey } from './sweep-pod-gone.js';

/**
 * The sweep's part in the fused timeline: a pod is rarely Ready when its kernel
 * report arrives, so the sweep joins the lifecycle of the pod it lists into the
 * certificate, through the same pure function the ingest uses, until the
 * certificate records the pod Ready; after that, never again. A sweep that
 * learns nothing new plans nothing.
 *
 * The spec belongs to the ingest manager, so this is applied as the ingest
 * would apply it (whole spec, its labels, the ingest's field manager, guarded
 * by the resourceVersion it was computed from), followed by the status the
 * ingest computes for the stored result.
 */
export type LifecycleRefresh = {
  readonly action: 'applySpec';
  readonly type: ResourceType;
  readonly object: KubeObject;
  /** For the status computed after the spec is stored (its generation is known only then). */
  readonly clock: WhisperClock;
};

export function planLifecycleRefresh(
  stored: KubeObject,
  spec: PodBirthCertificateSpec,
  pods: PodIndex,
  clock: WhisperClock,
): LifecycleRefresh | undefined {
  // Without a recorded UID (the earlier operator's certificates) the pod of that name may be another one.
  if (spec.pod_uid === undefined || isBorn(spec)) return undefined;
  const pod = pods.get(podKey(spec.namespace, spec.pod_name));
  if (pod === undefined || pod.metadata.uid !== spec.pod_uid) return undefined;
  const desired = fuseLifecycle(spec, spec, [podLifecycle(pod)]);
  if (sameJson(desired, spec)) return undefined;
  const object = certificateFor(desired);
  const { name, resourceVersion, uid } = stored.metadata;
  return {
    action: 'applySpec',
    type: POD_BIRTH_CERTIFICATE,
    object: {
      ...object,
      // The uid too: applied to an object deleted since, a resourceVersion alone would create it again.
      metadata: { ...object.metadata, name, ...compact({ uid, resourceVersion }) },
    },
    clock,
  };
}
