import {
  canonical,
  defined,
  metricsPercent,
  millicores,
  priorityOf,
  RECOMMENDATION_PREFIX,
  reportedStatusOf,
  resizeCommand,
  SETTINGS,
  SIZED_PREFIX,
  STATEFULSET_NAME,
  severityOf,
} from './rules.js';
import {
  fixEffective,
  keptHistory,
  limitChangeOf,
  peakOf,
  runAt,
  type StoryEntry,
  sizedLimit,
  throttledReason,
  trendOf,
} from './throttle-story.js';
import type { ModelPod, ThrottleFacts, WhisperSpec, WhisperState } from './world.js';

/**
 * The KernelWhisper part of the model: which object a throttle observation
 * belongs to, its spec, which observation wins, and what people read in the
 * status. Issue 16: every observation joins `spec.history` (merged in
 * `planWhisper` by the rules of throttle-story.ts), which the status's trend,
 * peak, Throttled reason, sized limit and FixEffective read.
 */

/** `<pod>.<container>` (container names never hold a dot). */
export function whisperName(pod: string, container: string): string {
  return `${pod}.${container}`;
}

export function whisperSpec(facts: ThrottleFacts, pod: ModelPod, namespace: string, atMs: number): WhisperSpec {
  const container = pod.containers.find((item) => item.name === facts.container);
  return defined({
    pod_name: pod.name,
    namespace,
    container_name: facts.container,
    pod_uid: pod.uid,
    detected_at: new Date(atMs).toISOString(),
    kernel_truth: defined({
      throttled_percent: facts.percent,
      actual_cpu_cores: facts.actual,
      throttle_ns: facts.throttleNs,
      period_seconds: facts.periodSeconds,
    }),
    metrics_lie: defined({
      cpu_percent: facts.reported === undefined ? undefined : metricsPercent(facts.reported),
      reported_status: reportedStatusOf(facts.actual, facts.reported),
    }),
    severity: severityOf(facts.percent),
    ebpf_detection: facts.ebpf,
    observer: facts.source,
    container_resources: defined({
      container_type: 'regular',
      cpu_request: container?.request === undefined ? undefined : `${millicores(container.request)}m`,
      cpu_limit: container?.limit === undefined ? undefined : `${millicores(container.limit)}m`,
    }),
    workload:
      pod.owner === 'statefulset'
        ? { api_version: 'apps/v1', kind: 'StatefulSet', name: STATEFULSET_NAME }
        : { api_version: 'v1', kind: 'Pod', name: pod.name },
  });
}

/**
 * Newer observation wins the top-level fields; at the same instant the greater
 * spec in canonical JSON (history left out) wins, so every arrival order agrees.
 * Every observation joins the history; an older one is stale only when the
 * kept history does not change. A spec of another pod incarnation, read fresh
 * from the API server, replaces the stored one whatever its time, with a new
 * history: the object follows the live pod.
 */
export function planWhisper(
  stored: WhisperState | undefined,
  candidate: WhisperSpec,
): { action: 'stale' } | { action: 'keep' } | { action: 'write'; spec: WhisperSpec } {
  const entry = storyEntry(candidate);
  if (stored === undefined || stored.spec.pod_uid !== candidate.pod_uid)
    return { action: 'write', spec: { ...candidate, history: [entry] } };
  const before = stored.spec.history ?? [];
  const history = keptHistory([...before, entry]);
  const order = compareWhisper(candidate, stored.spec);
  if (order > 0) return { action: 'write', spec: { ...candidate, history } };
  if (canonical(history) === canonical(before)) return { action: order === 0 ? 'keep' : 'stale' };
  return { action: 'write', spec: { ...stored.spec, history } };
}

function storyEntry(spec: WhisperSpec): StoryEntry {
  const truth = spec.kernel_truth;
  return defined({
    at: spec.detected_at,
    throttled_percent: truth.throttled_percent ?? 0,
    cpu_cores: truth.actual_cpu_cores ?? 0,
    cpu_limit: spec.container_resources.cpu_limit ?? 'none',
    throttle_ns: truth.throttle_ns,
    period_seconds: truth.period_seconds,
  });
}

function compareWhisper(a: WhisperSpec, b: WhisperSpec): number {
  const byTime = Date.parse(a.detected_at) - Date.parse(b.detected_at);
  if (byTime !== 0) return byTime;
  const [ca, cb] = [canonical({ ...a, history: undefined }), canonical({ ...b, history: undefined })];
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

/** Throttling counts as stopped when nothing newer arrived for RESOLVED_AFTER_SECONDS. */
export function whisperResolved(spec: WhisperSpec, nowMs: number): boolean {
  return spec.severity !== 'info' && nowMs >= Date.parse(spec.detected_at) + SETTINGS.resolvedAfterMs;
}

/** What `kubectl get kw -o yaml` must show in the status, from what the ingest manager last computed. */
export function whisperStatusView(state: WhisperState): Record<string, unknown> {
  const status = state.status;
  if (status === undefined) return podGoneView(state);
  const spec = status.fromSpec as WhisperSpec;
  const percent = spec.kernel_truth.throttled_percent ?? 0;
  const priority = priorityOf(percent);
  const resources = spec.container_resources;
  const history = spec.history ?? [];
  const raised = priority === 'high' && resources.cpu_limit !== undefined ? raise(spec, history) : {};
  const change = limitChangeOf(history);
  return defined({
    priority,
    recommendation: RECOMMENDATION_PREFIX[priority],
    current_cpu_request: resources.cpu_request ?? 'none',
    current_cpu_limit: resources.cpu_limit ?? 'none',
    ...raised,
    last_updated: spec.detected_at,
    observed_generation: status.generation,
    stopped: status.resolved,
    trend: trendOf(history),
    peak: peakOf(history),
    limit_change: change === undefined ? undefined : `${change.from} to ${change.to}`,
    Throttled: throttled(spec, status.resolved, history),
    FixEffective: fixEffective(history),
    ...podGoneView(state),
  });
}

function raise(spec: WhisperSpec, history: readonly StoryEntry[]): Record<string, string | undefined> {
  const current = spec.container_resources.cpu_limit ?? '0m';
  const limit = millicores(current);
  const sized = sizedLimit(limit, runAt(history, current));
  const next = `${sized.limit}m`;
  const request = spec.container_resources.cpu_request;
  const withRequest = request !== undefined && millicores(request) === limit ? next : undefined;
  const owner = spec.workload.kind === 'StatefulSet' ? 'statefulset' : 'none';
  return {
    ...(sized.sized ? { recommendation: SIZED_PREFIX } : {}),
    recommended_cpu_limit: next,
    recommended_cpu_request: withRequest,
    recommended_command: resizeCommand({
      namespace: spec.namespace,
      pod: spec.pod_name,
      container: spec.container_name,
      owner,
      limit: next,
      request: withRequest,
    }),
  };
}

/** The severity says whether; the history, when it can tell, says sustained or a single spike. */
function throttled(spec: WhisperSpec, resolved: boolean, history: readonly StoryEntry[]): string {
  if (spec.severity === 'info') return 'False BelowThreshold';
  if (resolved) return 'False NoRecentObservation';
  const reason = throttledReason(history);
  if (reason === 'SustainedThrottling' || reason === 'ThrottlingSpike') return `True ${reason}`;
  return spec.severity === 'critical' ? 'True CriticalThrottling' : 'True WarningThrottling';
}

export function podGoneView(state: { podGone?: { status: string; reason: string; sinceMs: number } }): {
  PodGone?: string;
} {
  const gone = state.podGone;
  return gone === undefined ? {} : { PodGone: `${gone.status} ${gone.reason} ${new Date(gone.sinceMs).toISOString()}` };
}

/** A warning or critical finding tells its pod (docs/design.md "Kubernetes Events on the pod"). */
export function whisperPodEvent(state: WhisperState): string | undefined {
  if (state.spec.severity === 'info') return undefined;
  return `CPUThrottled/${state.name}/${state.spec.pod_uid}`;
}
