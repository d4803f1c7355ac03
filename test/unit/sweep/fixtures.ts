import { desiredStatus } from '../../../lib/core/ingest-plan.js';
import { desiredKernelWhisper } from '../../../lib/core/kernel-whisper.js';
import type { Pod } from '../../../lib/core/pod.js';
import { desiredPodBirthCertificate } from '../../../lib/core/pod-birth.js';
import type { SweepPolicy } from '../../../lib/core/sweep-plan.js';
import type { KubeObject } from '../../../lib/k8s/objects.js';
import { birth, throttle } from '../support/observations.js';

/** Objects as the API server would return them, built by the same code the ingest uses. */
export const T0 = Date.parse('2024-01-01T00:00:00.000Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export const POLICY: SweepPolicy = {
  resolvedAfterMs: 10 * MINUTE,
  targetPercent: 10,
  retentionMs: { kernelWhisper: 24 * HOUR, podBirthCertificate: HOUR },
  monitor: { mode: 'annotated', skipNamespaces: new Set(['kube-system']) },
  monitoredPodsNamespace: 'kernel-gossip',
};

const CLOCK = { resolvedAfterMs: POLICY.resolvedAfterMs, targetPercent: POLICY.targetPercent };

/** A critical KernelWhisper for production/throttled-pod (pod UID uid-1), detected at T0, without status. */
export function whisper(overrides: { throttle_percentage?: number; pod_uid?: string | null } = {}): KubeObject {
  const observation = throttle({ throttle_percentage: overrides.throttle_percentage ?? 85.5 });
  const object = desiredKernelWhisper({
    ...observation,
    pod: { ...observation.pod, pod_uid: overrides.pod_uid === null ? undefined : (overrides.pod_uid ?? 'uid-1') },
  });
  return stored(object, 'kw-uid');
}

/** A PodBirthCertificate for production/web-1 (pod UID uid-web-1), without status. */
export function certificate(): KubeObject {
  return stored(desiredPodBirthCertificate(undefined, [birth()]), 'pbc-uid');
}

function stored(object: KubeObject, uid: string): KubeObject {
  return { ...object, metadata: { ...object.metadata, uid, resourceVersion: '7', generation: 1 } };
}

/** The object with the status the ingest wrote at `atMs`, plus any sweep conditions already stored. */
export function withStatus(object: KubeObject, atMs: number, ...extra: readonly object[]): KubeObject {
  const status = desiredStatus(object, { ...CLOCK, nowMs: atMs });
  const conditions = [...((status.conditions as object[] | undefined) ?? []), ...extra];
  return { ...object, status: { ...status, conditions } };
}

export function pod(
  name: string,
  uid: string,
  options: { namespace?: string; annotated?: boolean; phase?: string } = {},
): Pod {
  const annotations: Record<string, string> = options.annotated === false ? {} : { 'kernel-gossip.io/monitor': 'true' };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: options.namespace ?? 'production', uid, annotations },
    spec: { containers: [{ name: 'app' }] },
    status: { phase: options.phase ?? 'Running' },
  };
}

/** The pods both objects describe; not opted in, so the ConfigMap stays empty while resources are planned. */
export const QUIET_PODS: readonly Pod[] = [
  pod('throttled-pod', 'uid-1', { annotated: false }),
  pod('web-1', 'uid-web-1', { annotated: false }),
];

export function podGone(reason: 'PodDeleted' | 'PodReplaced', atMs: number, message: string): object {
  return {
    type: 'PodGone',
    status: 'True',
    reason,
    message,
    lastTransitionTime: new Date(atMs).toISOString(),
    observedGeneration: 1,
  };
}

/** A stored monitored-pods ConfigMap. */
export function monitoredPods(
  data: Record<string, string>,
  resourceVersion = '3',
): KubeObject & { data: Record<string, string> } {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'ebpf-monitored-pods',
      namespace: 'kernel-gossip',
      resourceVersion,
      labels: { 'app.kubernetes.io/managed-by': 'kernel-gossip' },
    },
    data,
  };
}

export const EMPTY_MONITORED_PODS = monitoredPods({
  pods: '',
  'pods.namespaced': '',
  count: '0',
  updated: '2023-12-31T00:00:00Z',
});
