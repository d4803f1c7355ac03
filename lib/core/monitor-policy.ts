import { MONITOR_ANNOTATION } from '../api/group.js';
import type { Pod } from './pod.js';

/**
 * Which pods Kernel Gossip reports on, as in the earlier system: pods opt in with
 * the annotation `kernel-gossip.io/monitor: "true"` (policy `all` widens it), and
 * system namespaces are never reported on.
 */
export type MonitorPolicy = {
  readonly mode: 'annotated' | 'all';
  readonly skipNamespaces: ReadonlySet<string>;
};

export type MonitorDecision = { readonly monitor: true } | { readonly monitor: false; readonly reason: string };

export function namespaceSkipped(namespace: string, policy: MonitorPolicy): boolean {
  return policy.skipNamespaces.has(namespace);
}

export function monitorDecision(pod: Pod, policy: MonitorPolicy): MonitorDecision {
  const namespace = pod.metadata.namespace ?? '';
  if (namespaceSkipped(namespace, policy))
    return { monitor: false, reason: `namespace ${namespace} is a system namespace` };
  if (policy.mode === 'all') return { monitor: true };
  if (pod.metadata.annotations?.[MONITOR_ANNOTATION] === 'true') return { monitor: true };
  return {
    monitor: false,
    reason: `pod ${namespace}/${pod.metadata.name} is not opted in (annotation ${MONITOR_ANNOTATION}: "true")`,
  };
}
