import { type Condition, carryTransitionTime } from '../api/conditions.js';
import { API_VERSION, KERNEL_WHISPER, LABEL, MANAGED_BY } from '../api/group.js';
import { type KernelWhisperSpec, type KernelWhisperStatus, WHISPER_CONDITION } from '../api/kernel-whisper.js';
import { kernelWhisperName, labelValue } from '../api/names.js';
import type { KubeObject } from '../k8s/objects.js';
import { cpuRecommendation } from './cpu-recommendation.js';
import { compact, round } from './json.js';
import type { ThrottleObservation } from './observation.js';
import { discrepancyPercent, reportedStatusFor, severityFor } from './throttle-policy.js';
import { historyOf, type Story, storyOf } from './throttle-story.js';

export type KernelWhisper = KubeObject<KernelWhisperSpec, KernelWhisperStatus>;

/** The KernelWhisper (metadata and spec) one throttle observation asks for. */
export function desiredKernelWhisper(observation: ThrottleObservation): KernelWhisper {
  const { pod, container_name } = observation;
  return {
    apiVersion: API_VERSION,
    kind: KERNEL_WHISPER.kind,
    metadata: {
      name: kernelWhisperName(pod.pod_name, container_name),
      namespace: pod.namespace,
      labels: {
        [LABEL.pod]: labelValue(pod.pod_name),
        [LABEL.namespace]: pod.namespace,
        [LABEL.container]: container_name,
        [LABEL.managedBy]: MANAGED_BY,
      },
    },
    spec: whisperSpec(observation),
  };
}

function whisperSpec(observation: ThrottleObservation): KernelWhisperSpec {
  const { data, pod } = observation;
  const reported = data.reported_cpu_usage;
  return compact({
    pod_name: pod.pod_name,
    namespace: pod.namespace,
    container_name: observation.container_name,
    pod_uid: pod.pod_uid,
    node_name: pod.node_name,
    detected_at: observation.observedAt,
    kernel_truth: compact({
      throttled_percent: data.throttle_percentage,
      actual_cpu_cores: data.actual_cpu_usage,
      throttle_ns: data.throttle_ns,
      period_seconds: data.period_seconds,
    }),
    metrics_lie: compact({
      cpu_percent: reported === undefined ? undefined : round(reported * 100, 2),
      reported_status: reportedStatusFor(discrepancyPercent(data.actual_cpu_usage, reported)),
    }),
    severity: severityFor(data.throttle_percentage),
    ebpf_detection: data.ebpf_detection,
    observer: observation.source,
    container_resources: observation.container_resources,
    workload: observation.workload,
  });
}

/**
 * When throttling counts as stopped: no observation for `resolvedAfterMs` before
 * `nowMs`; and the throttled share a sized limit aims under (TARGET_THROTTLED_PERCENT).
 */
export type WhisperClock = { readonly nowMs: number; readonly resolvedAfterMs: number; readonly targetPercent: number };

/**
 * The status a spec implies. Ingest and sweep both call this, so they agree.
 * Times come from the observation (the resolution time is detected_at plus the
 * window), never from the clock, so recomputing it for the same spec and the
 * same side of the window yields the same status and writes nothing.
 */
export function kernelWhisperStatus(
  spec: KernelWhisperSpec,
  generation: number,
  previous: KernelWhisperStatus | undefined,
  clock: WhisperClock,
): KernelWhisperStatus {
  const truth = spec.kernel_truth;
  const metricsCores =
    spec.metrics_lie.cpu_percent === undefined ? undefined : round(spec.metrics_lie.cpu_percent / 100, 4);
  const discrepancy = discrepancyPercent(truth.actual_cpu_cores, metricsCores);
  const sizing = { history: historyOf(spec), targetPercent: clock.targetPercent };
  const { priority, text: recommendation, sizing_evidence, ...figures } = cpuRecommendation(spec, sizing);
  const story = storyOf(spec, clock.targetPercent);
  const resolvedAt = resolutionTime(spec, clock);
  const observed = whisperInsight(spec, metricsCores, discrepancy);
  const insight =
    resolvedAt === undefined
      ? observed
      : `Throttling stopped: no observation since ${spec.detected_at}. Last seen: ${observed}`;
  return compact({
    insight,
    recommendation,
    kernel_evidence: kernelEvidence(spec, sizing_evidence),
    priority,
    ...figures,
    ...story.fields,
    metrics_comparison: compact({
      kernel_cpu_usage: truth.actual_cpu_cores,
      metrics_cpu_usage: metricsCores,
      discrepancy_percent: discrepancy,
    }),
    last_updated: spec.detected_at,
    observed_generation: generation,
    conditions: [
      throttledCondition(spec, generation, insight, resolvedAt, story),
      ...(story.fixCondition === undefined ? [] : [{ ...story.fixCondition, observedGeneration: generation }]),
    ].map((condition) => carryTransitionTime(previous?.conditions, condition)),
  });
}

/** Set when throttling was observed but nothing newer arrived within the window. */
function resolutionTime(spec: KernelWhisperSpec, clock: WhisperClock): string | undefined {
  if (spec.severity === 'info') return undefined;
  const resolvedAtMs = Date.parse(spec.detected_at) + clock.resolvedAfterMs;
  return clock.nowMs >= resolvedAtMs ? new Date(resolvedAtMs).toISOString() : undefined;
}

const THROTTLED_REASON = {
  critical: 'CriticalThrottling',
  warning: 'WarningThrottling',
  info: 'BelowThreshold',
} as const;
export const RESOLVED_REASON = 'NoRecentObservation';

function throttledCondition(
  spec: KernelWhisperSpec,
  generation: number,
  message: string,
  resolvedAt: string | undefined,
  story: Story,
): Condition {
  const base = { type: WHISPER_CONDITION.throttled, message, observedGeneration: generation };
  if (resolvedAt !== undefined)
    return { ...base, status: 'False', reason: RESOLVED_REASON, lastTransitionTime: resolvedAt };
  if (spec.severity === 'info')
    return { ...base, status: 'False', reason: THROTTLED_REASON.info, lastTransitionTime: spec.detected_at };
  // Sustained or a single spike, when the history can tell; otherwise the severity, as before.
  const pattern = story.pattern;
  return {
    ...base,
    status: 'True',
    reason: pattern?.reason ?? THROTTLED_REASON[spec.severity],
    message: pattern === undefined ? message : `${message} Pattern: ${pattern.text}.`,
    lastTransitionTime: spec.detected_at,
  };
}

function whisperInsight(
  spec: KernelWhisperSpec,
  metricsCores: number | undefined,
  discrepancy: number | undefined,
): string {
  const seen = `The kernel saw container ${spec.container_name} of pod ${spec.namespace}/${spec.pod_name} throttled in ${spec.kernel_truth.throttled_percent}% of CFS periods while using ${cores(spec.kernel_truth.actual_cpu_cores)}`;
  if (metricsCores === undefined) return `${seen}; the observer reported no metrics value to compare with.`;
  const gap =
    discrepancy === undefined
      ? ''
      : ` (${Math.abs(discrepancy)}% ${discrepancy >= 0 ? 'below' : 'above'} the kernel figure)`;
  return `${seen}; metrics report ${cores(metricsCores)}${gap}.`;
}

function kernelEvidence(spec: KernelWhisperSpec, sizing: string | undefined): string {
  const truth = spec.kernel_truth;
  const parts = [`${truth.throttled_percent}% of CFS periods throttled`];
  if (truth.throttle_ns !== undefined) parts.push(`${round(truth.throttle_ns / 1e6, 2)} ms throttled`);
  if (truth.period_seconds !== undefined) parts.push(`over ${truth.period_seconds} s`);
  parts.push(`${cores(truth.actual_cpu_cores)} used`);
  if (spec.ebpf_detection === true) parts.push('detected by eBPF');
  const observed = `${parts.join(', ')} (observed ${spec.detected_at}).`;
  return sizing === undefined ? observed : `${observed} New limit ${sizing}.`;
}

function cores(value: number): string {
  return `${round(value, 3)} cores`;
}
