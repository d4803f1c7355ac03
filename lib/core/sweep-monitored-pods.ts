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
  /** Only when the lists were cut: how many pods are monitored, and that not all are listed. */
  total: 'total',
  truncated: 'truncated',
} as const;

/**
 * The API server refuses a ConfigMap with more than 1 MiB of data; names are
 * ASCII, so characters are bytes. At ~100 bytes a pod in both lists that is
 * ~9,000 monitored pods; past it the lists stop (in `pods.namespaced` order),
 * `count` says how many are listed and `total` how many are monitored, rather
 * than every sweep failing its write (the scale bench met it at 10,000 pods).
 */
export const MAX_LISTED_BYTES = 900_000;

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
  const listed = withinLimit(monitored.map(entryOf).sort((a, b) => byCodeUnits(a.namespaced, b.namespaced)));
  const truncated = listed.length < monitored.length;
  const list = {
    [MONITORED_PODS_KEY.pods]: listed
      .map((entry) => entry.legacy)
      .sort(byCodeUnits)
      .join(','),
    [MONITORED_PODS_KEY.namespaced]: listed.map((entry) => entry.namespaced).join(','),
  };
  const stored = current?.data;
  // UIDs are unique, so the same `pods` value means the same pods (and the same `pods.namespaced`).
  const kept =
    stored?.[MONITORED_PODS_KEY.pods] === list[MONITORED_PODS_KEY.pods]
      ? stored[MONITORED_PODS_KEY.updated]
      : undefined;
  const updated = kept ?? rfc3339Seconds(target.nowMs);
  const cut: Record<string, string> = truncated
    ? { [MONITORED_PODS_KEY.total]: String(monitored.length), [MONITORED_PODS_KEY.truncated]: 'true' }
    : {};
  const data: Record<string, string> = {
    ...list,
    [MONITORED_PODS_KEY.count]: String(listed.length),
    [MONITORED_PODS_KEY.updated]: updated,
    ...cut,
  };
  const labels = { [LABEL.managedBy]: MANAGED_BY };
  // Keys this manager stops sending go with its next apply; one still stored is a change to make.
  const stale = !truncated && stored?.[MONITORED_PODS_KEY.truncated] !== undefined;
  if (!stale && containsEntries(stored, data) && containsEntries(current?.metadata.labels, labels)) return undefined;
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

type Entry = { readonly legacy: string; readonly namespaced: string };

function entryOf(pod: Pod): Entry {
  const { name, namespace, uid } = pod.metadata;
  return { legacy: `${name}:${uid ?? ''}`, namespaced: `${namespace ?? ''}/${name}:${uid ?? ''}` };
}

/** The first entries whose two lists fit the limit together (each entry and its comma, in both). */
function withinLimit(entries: readonly Entry[]): readonly Entry[] {
  let bytes = 0;
  for (const [index, entry] of entries.entries()) {
    bytes += entry.legacy.length + entry.namespaced.length + 2;
    if (bytes > MAX_LISTED_BYTES) return entries.slice(0, index);
  }
  return entries;
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isMonitored(pod: Pod, policy: MonitorPolicy): boolean {
  if (pod.metadata.uid === undefined || TERMINAL_PHASES.has(pod.status?.phase ?? '')) return false;
  return monitorDecision(pod, policy).monitor;
}

/** RFC 3339 without fractions, the form the earlier system wrote. */
function rfc3339Seconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
