import * as v from 'valibot';
import { ConditionsSchema } from './conditions.js';
import { count, text, timestamp } from './fields.js';
import { HISTORY_RULE, HistorySchema, LimitChangeSchema, PeakSchema } from './throttle-history.js';

/**
 * KernelWhisper: the kernel's truth about CPU throttling of one container next to
 * what the metrics pipeline claims. Field names are the earlier operator's
 * (snake_case); new fields follow the same style.
 */
const nonNegative = (description: string) => v.pipe(v.number(), v.minValue(0), v.description(description));
const millicores = (description: string) => v.pipe(v.string(), v.regex(/^\d+m$/), v.description(description));
/** A figure as read, or the word saying why there is none: a number is never made up. */
const cpuFigure = (description: string) =>
  v.pipe(v.string(), v.regex(/^(\d+m|none|unknown)$/), v.description(description));

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const PRIORITIES = ['high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const KernelTruthSchema = v.pipe(
  v.object({
    throttled_percent: v.pipe(
      v.number(),
      v.minValue(0),
      v.maxValue(100),
      v.description('Share of CFS periods in which the container was throttled, 0-100.'),
    ),
    actual_cpu_cores: nonNegative('CPU cores the kernel saw the container use.'),
    throttle_ns: v.optional(count('Nanoseconds spent throttled in the observation window.')),
    period_seconds: v.optional(
      v.pipe(v.number(), v.minValue(0), v.description('Length of the observation window in seconds.')),
    ),
  }),
  v.description('What the kernel observed (eBPF / CFS statistics).'),
);

export const MetricsLieSchema = v.pipe(
  v.object({
    cpu_percent: v.optional(
      nonNegative(
        'CPU the metrics pipeline reports, in percent of one core (reported cores x 100). Absent when the observer had no metrics value.',
      ),
    ),
    reported_status: text(
      'How the metrics compare with the kernel: underreported, accurate, overreported, or unknown when metrics were missing.',
    ),
  }),
  v.description('What the metrics pipeline claims for the same window.'),
);

export const CONTAINER_TYPES = ['regular', 'init', 'sidecar'] as const;

export const ContainerResourcesSchema = v.pipe(
  v.object({
    container_type: v.pipe(
      v.picklist(CONTAINER_TYPES),
      v.description('regular, init, or sidecar (an init container with restartPolicy Always).'),
    ),
    cpu_request: v.optional(
      millicores('CPU request of the container in millicores, e.g. 250m; absent when it sets none.'),
    ),
    cpu_limit: v.optional(
      millicores(
        'CPU limit of the container in millicores, e.g. 500m; absent when it sets none (then no CFS quota of its own throttles it).',
      ),
    ),
  }),
  v.description(
    "The container's CPU request and limit in the pod spec when the observation was recorded; absent when the container was not found in the pod spec.",
  ),
);
export type ContainerResources = v.InferOutput<typeof ContainerResourcesSchema>;

export const WorkloadSchema = v.pipe(
  v.object({
    api_version: text('API version of the workload, e.g. apps/v1.'),
    kind: text(
      'Deployment, StatefulSet, DaemonSet, Job, ReplicaSet, another controller kind, or Pod for a pod without a controller.',
    ),
    name: text('Name of the workload.'),
  }),
  v.description(
    "Where the pod's resources are defined: its controller, or the pod itself. A pod of a ReplicaSet carrying the pod-template-hash label belongs to the Deployment named by the ReplicaSet name without -<hash>.",
  ),
);
export type Workload = v.InferOutput<typeof WorkloadSchema>;

/**
 * What the API server's Status names when the transition rule below refuses a
 * write: the cause a writer recognises as a lost race (re-read and re-plan),
 * never its message.
 */
export const DETECTED_AT_RULE_CAUSE = { field: 'spec.detected_at', reason: 'FieldValueForbidden' } as const;

export const KernelWhisperSpecSchema = v.pipe(
  v.object({
    pod_name: text('Name of the observed pod.'),
    namespace: text('Namespace of the observed pod.'),
    container_name: text('Name of the throttled container.'),
    pod_uid: v.optional(
      text('UID of the pod when the observation was recorded; tells a replaced pod of the same name apart.'),
    ),
    node_name: v.optional(text('Node the observation came from.')),
    detected_at: timestamp('When the kernel observation was made (RFC 3339).'),
    kernel_truth: KernelTruthSchema,
    metrics_lie: MetricsLieSchema,
    severity: v.pipe(
      v.picklist(SEVERITIES),
      v.description('critical above 80% throttled, warning above 50%, else info.'),
    ),
    ebpf_detection: v.optional(v.pipe(v.boolean(), v.description('Whether the observation came from an eBPF probe.'))),
    observer: v.optional(text('CloudEvent source of the observer instance that reported it.')),
    container_resources: v.optional(ContainerResourcesSchema),
    workload: v.optional(WorkloadSchema),
    history: v.optional(HistorySchema),
  }),
  // The API server itself keeps newer truth: two ingest instances racing cannot
  // replace a newer observation with an older one (a CEL transition rule). A
  // finding of another pod incarnation (a pod recreated under the same name)
  // replaces it whatever its time: the object follows the live pod.
  v.metadata({
    'x-kubernetes-validations': [
      {
        rule: '!has(oldSelf.detected_at) || (has(self.pod_uid) && has(oldSelf.pod_uid) && self.pod_uid != oldSelf.pod_uid) || timestamp(self.detected_at) >= timestamp(oldSelf.detected_at)',
        message: 'detected_at must not move backwards: an older observation of the same pod cannot replace a newer one',
        fieldPath: '.detected_at',
        reason: DETECTED_AT_RULE_CAUSE.reason,
      },
      HISTORY_RULE,
    ],
  }),
);
export type KernelWhisperSpec = v.InferOutput<typeof KernelWhisperSpecSchema>;

export const MetricsComparisonSchema = v.pipe(
  v.object({
    kernel_cpu_usage: nonNegative('CPU cores used according to the kernel.'),
    metrics_cpu_usage: v.optional(
      nonNegative('CPU cores used according to the metrics pipeline; absent when unknown.'),
    ),
    discrepancy_percent: v.optional(
      v.pipe(
        v.number(),
        v.description(
          'How far metrics are below the kernel figure, in percent of the kernel figure ((kernel - metrics) / kernel x 100); negative when metrics are higher. Absent when either figure is unknown or the kernel figure is 0.',
        ),
      ),
    ),
  }),
  v.description('Kernel and metrics CPU usage side by side, both in cores.'),
);

export const KernelWhisperStatusSchema = v.object({
  insight: v.optional(text('What the kernel saw that the metrics hide.')),
  recommendation: v.optional(text('What to do about it.')),
  kernel_evidence: v.optional(text('The kernel figures behind the insight.')),
  priority: v.optional(
    v.pipe(v.picklist(PRIORITIES), v.description('high at 80% throttled or more, medium at 40% or more, else low.')),
  ),
  current_cpu_request: v.optional(
    cpuFigure(
      'CPU request of the container when observed: millicores such as 250m, none when it sets none, unknown when it was not recorded.',
    ),
  ),
  current_cpu_limit: v.optional(
    cpuFigure(
      'CPU limit of the container when observed: millicores such as 500m, none when it sets none, unknown when it was not recorded.',
    ),
  ),
  recommended_cpu_limit: v.optional(
    millicores(
      'The new CPU limit in millicores, only at high priority with a known limit: the smallest rounded limit whose projected throttled share stays under the target, sized from the throttled time (docs/design.md); the current one plus 50% when no throttled time was reported.',
    ),
  ),
  recommended_cpu_request: v.optional(
    millicores('The new CPU request, given only when the request equals the limit, so the pod keeps its QoS class.'),
  ),
  recommended_command: v.optional(
    text(
      'The kubectl command that applies the recommended figures: on the owning workload, or the in-place resize subresource (Kubernetes 1.33+) for a pod without a controller. Absent when no command can (the recommendation says why).',
    ),
  ),
  metrics_comparison: v.optional(MetricsComparisonSchema),
  trend: v.optional(
    v.pipe(
      v.picklist(['rising', 'steady', 'falling']),
      v.description(
        'Where throttling is heading: the newer against the older half of the newest six observations (10 points or more). Absent below four observations.',
      ),
    ),
  ),
  peak: v.optional(PeakSchema),
  limit_change: v.optional(LimitChangeSchema),
  last_updated: v.optional(timestamp('Time of the observation this status was computed from.')),
  observed_generation: v.optional(count('metadata.generation of the spec this status was computed from.')),
  conditions: v.optional(ConditionsSchema),
});
export type KernelWhisperStatus = v.InferOutput<typeof KernelWhisperStatusSchema>;

/** Condition types on a KernelWhisper. */
export const WHISPER_CONDITION = {
  /** True while the latest observation is warning or critical. */
  throttled: 'Throttled',
  /** True when the observed pod no longer exists (set by the sweep). */
  podGone: 'PodGone',
  /** After a limit change: True when throttling at the new limit fell below the target. */
  fixEffective: 'FixEffective',
} as const;
