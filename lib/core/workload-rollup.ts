import type { ContainerResources, KernelWhisperSpec, Workload } from '../api/kernel-whisper.js';
import { cpuMillicores } from './cpu-quantity.js';
import { compact, round } from './json.js';
import { compareText, median } from './order.js';
import { limitOf } from './throttle-history.js';
import { severityFor } from './throttle-policy.js';

/**
 * One finding per workload container from the KernelWhispers of its live pods:
 * the pods of a Deployment, StatefulSet or DaemonSet share one pod template, so
 * one limit and one command fix them all. The command is the one each pod's
 * KernelWhisper gives (it already targets the workload), taken from the replica
 * that needs the most: a limit that serves the worst replica serves the others.
 * Each replica brings the advice its own KernelWhisper's status gives, computed
 * by the same function (the sweep passes the status it plans for it), so the
 * roll-up can never advise what no replica advises.
 */
export type ReplicaAdvice = {
  readonly recommended_cpu_limit?: string | undefined;
  readonly recommended_cpu_request?: string | undefined;
  readonly recommended_command?: string | undefined;
};
/**
 * What a roll-up reads of a replica's KernelWhisper spec, and all the sweep
 * keeps of it: the paged sweep holds one per KernelWhisper until its last page.
 */
export type ReplicaSpec = Pick<
  KernelWhisperSpec,
  'pod_name' | 'namespace' | 'container_name' | 'detected_at' | 'container_resources' | 'workload'
> & { readonly kernel_truth: Pick<KernelWhisperSpec['kernel_truth'], 'throttled_percent'> };
export type Replica = { readonly spec: ReplicaSpec; readonly advice: ReplicaAdvice };

export type ReplicaLimit = { readonly cpu_limit: string; readonly replicas: number };

export type WorkloadFinding = {
  readonly namespace: string;
  readonly workload: Workload;
  readonly container_name: string;
  readonly container_type?: ContainerResources['container_type'];
  readonly replicas_observed: number;
  /** Replicas whose newest observation is at warning or above (more than 50 % throttled). */
  readonly replicas_throttled: number;
  readonly worst_throttled_percent: number;
  readonly worst_pod: string;
  readonly median_throttled_percent: number;
  /** The current limits the replicas were observed with (`none`, `unknown`), most common first. */
  readonly current_cpu_limits: ReplicaLimit[];
  /** Replicas disagree on the current limit: a rollout is under way (or stuck). */
  readonly limits_disagree: boolean;
  readonly recommended_cpu_limit?: string;
  readonly recommended_cpu_request?: string;
  readonly recommended_command?: string;
  /** The replica whose need set the recommended limit. */
  readonly recommended_for?: string;
  /** Time of the newest observation of any replica. */
  readonly last_updated: string;
};

/** As many limits as the schema keeps (`current_cpu_limits`, most common first); `limits_disagree` counts them all. */
const MAX_LIMITS = 64;

/** Kinds whose pods share one template, so that one finding speaks for all of them. */
const ROLLED_UP = new Set(['apps/v1/Deployment', 'apps/v1/StatefulSet', 'apps/v1/DaemonSet']);

export function workloadFindings(replicas: readonly Replica[]): WorkloadFinding[] {
  const groups = new Map<string, Replica[]>();
  for (const replica of replicas) {
    const { workload, namespace, container_name } = replica.spec;
    if (workload === undefined || !ROLLED_UP.has(`${workload.api_version}/${workload.kind}`)) continue;
    const key = [namespace, workload.api_version, workload.kind, workload.name, container_name].join('\n');
    groups.set(key, [...(groups.get(key) ?? []), replica]);
  }
  return [...groups.keys()].sort().map((key) => finding(groups.get(key) ?? []));
}

function finding(group: readonly Replica[]): WorkloadFinding {
  const replicas = [...group].sort((a, b) => compareText(a.spec.pod_name, b.spec.pod_name));
  const first = (replicas[0] as Replica).spec;
  const shares = replicas.map((replica) => replica.spec.kernel_truth.throttled_percent);
  const worst = replicas.reduce((a, b) => (throttled(b) > throttled(a) ? b : a));
  const limits = currentLimits(replicas);
  return compact({
    namespace: first.namespace,
    workload: first.workload as Workload,
    container_name: first.container_name,
    container_type: first.container_resources?.container_type,
    replicas_observed: replicas.length,
    replicas_throttled: shares.filter((share) => severityFor(share) !== 'info').length,
    worst_throttled_percent: throttled(worst),
    worst_pod: worst.spec.pod_name,
    median_throttled_percent: round(median(shares), 2),
    current_cpu_limits: limits.slice(0, MAX_LIMITS),
    limits_disagree: limits.length > 1,
    ...largestNeed(replicas),
    last_updated: replicas
      .map((replica) => replica.spec.detected_at)
      .reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a)),
  });
}

/** The recommendation of the replica asking for the highest limit; the first by pod name among equals. */
function largestNeed(replicas: readonly Replica[]): Partial<WorkloadFinding> {
  let best: { limit: number; fields: Partial<WorkloadFinding> } | undefined;
  for (const replica of replicas) {
    const { advice } = replica;
    const limit = advice.recommended_cpu_limit === undefined ? undefined : cpuMillicores(advice.recommended_cpu_limit);
    if (limit === undefined || (best !== undefined && limit <= best.limit)) continue;
    const fields = {
      recommended_cpu_limit: advice.recommended_cpu_limit,
      recommended_cpu_request: advice.recommended_cpu_request,
      recommended_command: advice.recommended_command,
      recommended_for: replica.spec.pod_name,
    };
    best = { limit, fields };
  }
  return best?.fields ?? {};
}

function currentLimits(replicas: readonly Replica[]): ReplicaLimit[] {
  const counts = new Map<string, number>();
  for (const replica of replicas) {
    const limit = limitOf(replica.spec.container_resources) ?? 'unknown';
    counts.set(limit, (counts.get(limit) ?? 0) + 1);
  }
  return [...counts]
    .map(([cpu_limit, count]) => ({ cpu_limit, replicas: count }))
    .sort((a, b) => b.replicas - a.replicas || compareText(a.cpu_limit, b.cpu_limit));
}

function throttled(replica: Replica): number {
  return replica.spec.kernel_truth.throttled_percent;
}
