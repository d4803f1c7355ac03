import { LABEL, MANAGED_BY } from '../api/group.js';
import type { KubeObject } from '../k8s/objects.js';
import { containsEntries } from './json.js';
import { type MonitorPolicy, monitorDecision } from './monitor-policy.js';
import type { Pod } from './pod.js';

/**
 * The ConfigMap observers read to know which pods to watch. `pods`, `count` and
 * `updated` keep the earlier system's format; `pods.namespaced` adds the namespace,
 * which `pods` (`name:uid`) lacks although monitored pods span namespaces.
 */
export const MONITORED_PODS_CONFIG_MAP = 'ebpf-monitored-pods';
export const MONITORED_PODS_KEY = {
  pods: 'pods',
  namespaced: 'pods.namespaced',
  count: 'count',
  updated: 'updated',
} as const;

export type ConfigMap = KubeObject & { data?: Record<string, string> };

/** Finished pods have no containers left to observe. */
const TERMINAL_PHASES: ReadonlySet<string> = new Set(['Succeeded', 'Failed']);

/**
 * The ConfigMap to apply, or undefined when the stored one already says it. The
 * `updated` time moves only when the list does, so an unchanged cluster writes
 * nothing; the stored resourceVersion is sent as a precondition, so a sweep
 * working from an older pod list cannot overwrite a newer one.
 */
export function desiredMonitoredPods(
  pods: readonly Pod[],
  current: ConfigMap | undefined,
  target: { readonly namespace: string; readonly policy: MonitorPolicy; readonly nowMs: number },
): ConfigMap | undefined {
  const monitored = pods.filter((pod) => isMonitored(pod, target.policy));
  const legacy = monitored.map((pod) => `${pod.metadata.name}:${pod.metadata.uid ?? ''}`).sort();
  const namespaced = monitored
    .map((pod) => `${pod.metadata.namespace ?? ''}/${pod.metadata.name}:${pod.metadata.uid ?? ''}`)
    .sort();
  const list = { [MONITORED_PODS_KEY.pods]: legacy.join(','), [MONITORED_PODS_KEY.namespaced]: namespaced.join(',') };
  const stored = current?.data;
  // UIDs are unique, so the same `pods` value means the same pods (and the same `pods.namespaced`).
  const kept =
    stored?.[MONITORED_PODS_KEY.pods] === list[MONITORED_PODS_KEY.pods]
      ? stored[MONITORED_PODS_KEY.updated]
      : undefined;
  const updated = kept ?? rfc3339Seconds(target.nowMs);
  const data = { ...list, [MONITORED_PODS_KEY.count]: String(monitored.length), [MONITORED_PODS_KEY.updated]: updated };
  const labels = { [LABEL.managedBy]: MANAGED_BY };
  if (containsEntries(stored, data) && containsEntries(current?.metadata.labels, labels)) return undefined;
  const resourceVersion = current?.metadata.resourceVersion;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: MONITORED_PODS_CONFIG_MAP,
      namespace: target.namespace,
      labels,
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
    },
    data,
  };
}

function isMonitored(pod: Pod, policy: MonitorPolicy): boolean {
  if (pod.metadata.uid === undefined || TERMINAL_PHASES.has(pod.status?.phase ?? '')) return false;
  return monitorDecision(pod, policy).monitor;
}

/** RFC 3339 without fractions, the form the earlier system wrote. */
function rfc3339Seconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
