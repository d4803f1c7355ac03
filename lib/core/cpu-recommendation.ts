import type { ContainerResources, KernelWhisperSpec, Priority } from '../api/kernel-whisper.js';
import type { HistoryEntry } from '../api/throttle-history.js';
import { cpuMillicores, millicoreText } from './cpu-quantity.js';
import { resizeCommand } from './kubectl-command.js';
import {
  DEFAULT_TARGET_PERCENT,
  type LimitSizing,
  MIN_ENFORCED_LIMIT,
  NEAR_FULL_THROTTLE_PERCENT,
  sizeLimit,
} from './limit-sizing.js';
import { advised, runAt } from './throttle-history.js';
import { recommendationFor } from './throttle-policy.js';

/**
 * The concrete recommendation a KernelWhisper spec implies. The earlier
 * operator's text stays the prefix (people match on it) and its thresholds the
 * priorities; what follows states the container's own figures. Every number is
 * one that was observed or derived from one; what is unknown is said to be.
 */
export type CpuRecommendation = {
  readonly priority: Priority;
  readonly text: string;
  readonly current_cpu_request: string;
  readonly current_cpu_limit: string;
  readonly recommended_cpu_limit?: string;
  readonly recommended_cpu_request?: string;
  readonly recommended_command?: string;
  /** How the new limit was sized from the history (lib/core/limit-sizing.ts), for the evidence text. */
  readonly sizing_evidence?: string;
};

/**
 * The history the new limit is sized from, and the throttled share to stay
 * under. Without it the limit is the earlier operator's +50 %.
 */
export type SizingEvidence = { readonly history: readonly HistoryEntry[]; readonly targetPercent: number };

/** The earlier text promised +50 %; a limit sized from the evidence keeps only its first words. */
export const SIZED_HIGH_TEXT = 'increase CPU limits';

type Detail = { readonly text?: string; readonly sized?: boolean; readonly fields?: Partial<CpuRecommendation> };

export function cpuRecommendation(spec: KernelWhisperSpec, evidence?: SizingEvidence): CpuRecommendation {
  const level = recommendationFor(spec.kernel_truth.throttled_percent);
  const resources = spec.container_resources;
  const detail = detailFor(spec, level.priority, evidence);
  const prefix = detail.sized === true ? SIZED_HIGH_TEXT : level.text;
  return {
    priority: level.priority,
    text: detail.text === undefined ? prefix : `${prefix}: ${detail.text}`,
    current_cpu_request: shown(resources, resources?.cpu_request),
    current_cpu_limit: shown(resources, resources?.cpu_limit),
    ...detail.fields,
  };
}

function shown(resources: ContainerResources | undefined, value: string | undefined): string {
  if (resources === undefined) return 'unknown';
  return value ?? 'none';
}

function detailFor(spec: KernelWhisperSpec, priority: Priority, evidence: SizingEvidence | undefined): Detail {
  const container = spec.container_name;
  const resources = spec.container_resources;
  if (resources === undefined) {
    return priority === 'low'
      ? {}
      : {
          text: `the CPU limit of container ${container} is unknown (it was not found in the pod spec when observed), so no new limit is given`,
        };
  }
  const limit = resources.cpu_limit === undefined ? undefined : cpuMillicores(resources.cpu_limit);
  if (limit === undefined) {
    if (spec.kernel_truth.throttled_percent === 0) return {};
    return {
      text: `container ${container} has no CPU limit, yet CFS throttling needs a CPU quota: the data is inconsistent (a limit removed since, or the observer reporting another cgroup), so no new limit is given`,
    };
  }
  if (priority === 'high') return raise(spec, resources, limit, sized(limit, evidence));
  if (priority === 'medium')
    return { text: [usage(spec, resources, limit), ...requestNotes(spec, resources)].join('; ') };
  return {};
}

/** Sized from the advised observations at this limit; without a history, from this observation alone. */
function sized(limit: number, evidence: SizingEvidence | undefined): LimitSizing {
  const run = evidence === undefined ? [] : runAt(evidence.history, millicoreText(limit)).filter(advised);
  return sizeLimit(limit, run, evidence?.targetPercent ?? DEFAULT_TARGET_PERCENT);
}

function raise(spec: KernelWhisperSpec, resources: ContainerResources, limit: number, sizing: LimitSizing): Detail {
  const throttled = spec.kernel_truth.throttled_percent;
  const next = millicoreText(sizing.limit);
  // A request equal to the limit moves with it: a Guaranteed pod stays Guaranteed (resize refuses a QoS change).
  const request =
    resources.cpu_request !== undefined && cpuMillicores(resources.cpu_request) === limit ? next : undefined;
  const parts = [
    `raise the CPU limit of container ${spec.container_name} from ${millicoreText(limit)} to ${next}${request === undefined ? '' : ', and its equal request with it (keeping the QoS class)'}`,
  ];
  if (limit < MIN_ENFORCED_LIMIT)
    parts.push(
      `a ${millicoreText(limit)} limit is enforced as ${MIN_ENFORCED_LIMIT}m, the smallest CFS quota kubelet sets`,
    );
  if (throttled >= NEAR_FULL_THROTTLE_PERCENT) {
    parts.push(
      `throttled in ${throttled}% of CFS periods it was capped almost the whole window, so its real CPU demand is unknown and ${next} may still be too low: observe again after the change`,
    );
  }
  if (request === undefined) parts.push(...requestNotes(spec, resources));
  const advice = resizeCommand({
    namespace: spec.namespace,
    podName: spec.pod_name,
    containerName: spec.container_name,
    containerType: resources.container_type,
    workload: spec.workload,
    limit: next,
    request,
  });
  if ('why' in advice) parts.push(advice.why);
  const command = 'command' in advice ? advice.command : undefined;
  const fromEvidence = sizing.method === 'throttled-time';
  return {
    text: parts.join('; '),
    sized: fromEvidence,
    fields: {
      recommended_cpu_limit: next,
      recommended_cpu_request: request,
      recommended_command: command,
      sizing_evidence: fromEvidence ? sizing.text : undefined,
    },
  };
}

function usage(spec: KernelWhisperSpec, resources: ContainerResources, limit: number): string {
  const request = resources.cpu_request ?? 'none';
  return `container ${spec.container_name} used ${usedText(spec)} of its ${millicoreText(limit)} CPU limit (request ${request}) and was throttled in ${spec.kernel_truth.throttled_percent}% of CFS periods`;
}

function requestNotes(spec: KernelWhisperSpec, resources: ContainerResources): string[] {
  const request = resources.cpu_request === undefined ? undefined : cpuMillicores(resources.cpu_request);
  if (request === undefined || request <= usedMillicores(spec)) return [];
  return [
    `its CPU request (${millicoreText(request)}) is above the ${usedText(spec)} it used, so it reserves more than the window needed`,
  ];
}

function usedMillicores(spec: KernelWhisperSpec): number {
  return Math.round(spec.kernel_truth.actual_cpu_cores * 1000);
}

function usedText(spec: KernelWhisperSpec): string {
  return millicoreText(usedMillicores(spec));
}
