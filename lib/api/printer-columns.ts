/**
 * What `kubectl get kw` / `kubectl get pbc` / `kubectl get wkw` print. The earlier operator's columns
 * (Pod, Throttled%, Metrics%, Severity, Age / Pod, Syscalls, Duration, Age) plus
 * what a person needs at a glance.
 */
export type PrinterColumn = {
  readonly name: string;
  readonly type: 'string' | 'number' | 'integer' | 'date' | 'boolean';
  readonly jsonPath: string;
  readonly description: string;
  readonly priority?: number;
};

/** Set by the sweep: PodDeleted or PodReplaced until the object is deleted after its retention. */
const podGone: PrinterColumn = {
  name: 'Pod Gone',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="PodGone")].reason',
  description: 'Why the observed pod is gone (PodDeleted, PodReplaced); empty while it exists.',
};

const age: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'Time since the object was created.',
};

export const KERNEL_WHISPER_COLUMNS: readonly PrinterColumn[] = [
  { name: 'Pod', type: 'string', jsonPath: '.spec.pod_name', description: 'Observed pod.' },
  { name: 'Container', type: 'string', jsonPath: '.spec.container_name', description: 'Throttled container.' },
  {
    name: 'Throttled%',
    type: 'number',
    jsonPath: '.spec.kernel_truth.throttled_percent',
    description: 'Share of CFS periods throttled.',
  },
  {
    name: 'Metrics%',
    type: 'number',
    jsonPath: '.spec.metrics_lie.cpu_percent',
    description: 'CPU the metrics report, percent of one core.',
  },
  { name: 'Severity', type: 'string', jsonPath: '.spec.severity', description: 'critical, warning or info.' },
  {
    name: 'Throttling',
    type: 'string',
    jsonPath: '.status.conditions[?(@.type=="Throttled")].reason',
    description: 'Why throttling is or is not current.',
  },
  {
    name: 'Trend',
    type: 'string',
    jsonPath: '.status.trend',
    description: 'rising, steady or falling over the newest observations.',
  },
  {
    name: 'CPU Limit',
    type: 'string',
    jsonPath: '.status.current_cpu_limit',
    description: 'CPU limit of the container when observed (none, or unknown).',
    priority: 1,
  },
  {
    name: 'New Limit',
    type: 'string',
    jsonPath: '.status.recommended_cpu_limit',
    description: 'Recommended CPU limit, at high priority.',
    priority: 1,
  },
  {
    name: 'Recommendation',
    type: 'string',
    jsonPath: '.status.recommendation',
    description: 'What to do.',
    priority: 1,
  },
  podGone,
  age,
];

export const POD_BIRTH_CERTIFICATE_COLUMNS: readonly PrinterColumn[] = [
  { name: 'Pod', type: 'string', jsonPath: '.spec.pod_name', description: 'Pod that was born.' },
  {
    name: 'Syscalls',
    type: 'integer',
    jsonPath: '.spec.kernel_stats.total_syscalls',
    description: 'Syscalls during the birth.',
  },
  {
    name: 'Duration(ms)',
    type: 'integer',
    jsonPath: '.spec.kernel_stats.total_duration_ms',
    description: 'Duration of the birth cascade.',
  },
  {
    name: 'Namespaces',
    type: 'integer',
    jsonPath: '.spec.kernel_stats.namespaces_created',
    description: 'Linux namespaces created.',
    priority: 1,
  },
  { name: 'Reports', type: 'integer', jsonPath: '.status.report_count', description: 'Distinct reports merged.' },
  {
    name: 'Ready After(ms)',
    type: 'integer',
    jsonPath: '.status.phases.ready_after_ms',
    description: "Milliseconds from the pod's creation until it was Ready (pod times are whole seconds).",
  },
  {
    name: 'Longest Phase',
    type: 'string',
    jsonPath: '.status.phases.longest_phase',
    description: 'scheduling, sandbox, first-container or readiness.',
    priority: 1,
  },
  podGone,
  age,
];

/** One line per workload container: how many replicas throttle, how badly, and the one new limit. */
export const WORKLOAD_WHISPER_COLUMNS: readonly PrinterColumn[] = [
  {
    name: 'Kind',
    type: 'string',
    jsonPath: '.spec.workload.kind',
    description: 'Deployment, StatefulSet or DaemonSet.',
  },
  { name: 'Workload', type: 'string', jsonPath: '.spec.workload.name', description: 'Name of the workload.' },
  {
    name: 'Container',
    type: 'string',
    jsonPath: '.spec.container_name',
    description: 'Container of its pod template.',
  },
  {
    name: 'Replicas',
    type: 'integer',
    jsonPath: '.status.replicas_observed',
    description: 'Live replicas with a KernelWhisper for this container.',
  },
  {
    name: 'Throttled',
    type: 'integer',
    jsonPath: '.status.replicas_throttled',
    description: 'Of those, last seen above 50% throttled.',
  },
  {
    name: 'Worst%',
    type: 'number',
    jsonPath: '.status.worst_throttled_percent',
    description: 'Highest throttled share among the replicas.',
  },
  {
    name: 'Median%',
    type: 'number',
    jsonPath: '.status.median_throttled_percent',
    description: 'Median throttled share of the replicas.',
  },
  {
    name: 'Limits Differ',
    type: 'boolean',
    jsonPath: '.status.limits_disagree',
    description: 'Replicas run with different CPU limits: a rollout under way or stuck.',
  },
  {
    name: 'New Limit',
    type: 'string',
    jsonPath: '.status.recommended_cpu_limit',
    description: 'One CPU limit for the pod template, when a replica needs a raise.',
  },
  {
    name: 'Command',
    type: 'string',
    jsonPath: '.status.recommended_command',
    description: 'The kubectl command that sets it.',
    priority: 1,
  },
  age,
];
