import type { ContainerResources, KernelWhisperSpec, Priority } from '../api/kernel-whisper.js';
import { cpuMillicores, millicoreText, roundLimitUp } from './cpu-quantity.js';
import { resizeCommand } from './kubectl-command.js';
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
};

/** The earlier operator's "+50 %" at high priority. */
export const LIMIT_FACTOR = 1.5;
/** Throttled this often, the container was capped nearly all the time: its demand was never seen. */
export const NEAR_FULL_THROTTLE_PERCENT = 95;
/** kubelet never sets a CFS quota below 1 ms per 100 ms period (MinQuotaPeriod), i.e. 10m. */
export const MIN_ENFORCED_LIMIT = 10;

type Detail = { readonly text?: string; readonly fields?: Partial<CpuRecommendation> };

export function cpuRecommendation(spec: KernelWhisperSpec): CpuRecommendation {
  const level = recommendationFor(spec.kernel_truth.throttled_percent);
  const resources = spec.container_resources;
  const detail = detailFor(spec, level.priority);
  return {
    priority: level.priority,
    text: detail.text === undefined ? level.text : `${level.text}: ${detail.text}`,
    current_cpu_request: shown(resources, resources?.cpu_request),
    current_cpu_limit: shown(resources, resources?.cpu_limit),
    ...detail.fields,
  };
}

function shown(resources: ContainerResources | undefined, value: string | undefined): string {
  if (resources === undefined) return 'unknown';
  return value ?? 'none';
}

function detailFor(spec: KernelWhisperSpec, priority: Priority): Detail {
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
  if (priority === 'high') return raise(spec, resources, limit);
  if (priority === 'medium')
    return { text: [usage(spec, resources, limit), ...requestNotes(spec, resources)].join('; ') };
  return {};
}

function raise(spec: KernelWhisperSpec, resources: ContainerResources, limit: number): Detail {
  const throttled = spec.kernel_truth.throttled_percent;
  const next = millicoreText(roundLimitUp(Math.max(limit, MIN_ENFORCED_LIMIT) * LIMIT_FACTOR));
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
  return {
    text: parts.join('; '),
    fields: { recommended_cpu_limit: next, recommended_cpu_request: request, recommended_command: command },
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
