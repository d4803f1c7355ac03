import * as v from 'valibot';
import { ConditionsSchema } from './conditions.js';
import { count, text, timestamp } from './fields.js';

/**
 * PodBirthCertificate: a pod's birth as the kernel saw it, fused with the API
 * lifecycle the pod object records (created, scheduled, sandbox ready, each
 * container started, ready).
 */

/** What observers may name, the earlier operator's values (its CRD and its observer). */
export const OBSERVER_ACTORS = ['scheduler', 'kubelet', 'runtime', 'kernel'] as const;
/** Plus the API server, which creates the pod: the only value the lifecycle needed. */
export const ACTORS = [...OBSERVER_ACTORS, 'api-server'] as const;
export type Actor = (typeof ACTORS)[number];

/** Steps of the API lifecycle, in the order a pod normally passes them. */
export const LIFECYCLE_STEPS = [
  'created',
  'scheduled',
  'sandbox-ready',
  'init-container-started',
  'initialized',
  'container-started',
  'containers-ready',
  'ready',
] as const;
export type LifecycleStep = (typeof LIFECYCLE_STEPS)[number];

/** Bounds keep one certificate far below etcd's 1.5 MiB object limit. */
export const MAX_TIMELINE_ENTRIES = 1000;
/** Five pod-level steps and the first start of up to 59 containers. */
export const MAX_LIFECYCLE_ENTRIES = 64;
export const MAX_REPORTS = 100;

export const TimelineEntrySchema = v.object({
  timestamp_ms: count('Milliseconds since the Unix epoch.'),
  actor: v.pipe(
    v.picklist(ACTORS),
    v.description('Who acted: scheduler, kubelet, runtime, kernel, or api-server (the pod was created).'),
  ),
  action: v.pipe(
    v.string(),
    v.maxLength(256),
    v.description('What happened, e.g. clone(CLONE_NEWNET), cgroup write, PodScheduled, Started container app.'),
  ),
  step: v.optional(
    v.pipe(
      v.picklist(LIFECYCLE_STEPS),
      v.description(
        'Set on entries read from the pod object: which lifecycle step (its earliest time seen). Absent on what an observer reported.',
      ),
    ),
  ),
  container: v.optional(
    v.pipe(
      v.string(),
      v.maxLength(63),
      v.description('The container of a container-started or init-container-started step.'),
    ),
  ),
});
export type TimelineEntry = v.InferOutput<typeof TimelineEntrySchema>;

export const KernelStatsSchema = v.pipe(
  v.object({
    total_syscalls: count('Syscalls made while the pod was born (sum over reports).'),
    namespaces_created: count('Linux namespaces created (sum over reports).'),
    cgroup_writes: count('Writes to cgroup files (sum over reports).'),
    iptables_rules: v.optional(count('iptables rules added; absent when no observer counted them.')),
    total_duration_ms: count('Longest reported duration of the birth cascade, in milliseconds.'),
  }),
  v.description('Totals over all reports.'),
);
export type KernelStats = v.InferOutput<typeof KernelStatsSchema>;

export const BirthReportSchema = v.object({
  id: v.pipe(
    v.string(),
    v.maxLength(128),
    v.description('Identity of the report: the container name, or a hash of its figures.'),
  ),
  observed_at: timestamp('When this report was observed.'),
  total_syscalls: count('Syscalls in this report.'),
  namespace_ops: count('Namespace operations in this report.'),
  cgroup_writes: count('cgroup writes in this report.'),
  duration_ns: count('Duration of this report in nanoseconds.'),
  iptables_rules: v.optional(count('iptables rules in this report, when counted.')),
});
export type BirthReport = v.InferOutput<typeof BirthReportSchema>;

/** What the API server's Status names when the transition rule below refuses a write (a lost race). */
export const REPORTS_RULE_CAUSE = { field: 'spec.reports', reason: 'FieldValueForbidden' } as const;

export const PodBirthCertificateSpecSchema = v.pipe(
  v.object({
    pod_name: text('Name of the pod.'),
    namespace: text('Namespace of the pod.'),
    pod_uid: v.optional(text('UID of the pod that was born.')),
    node_name: v.optional(text('Node the pod was born on.')),
    timeline: v.pipe(
      v.array(TimelineEntrySchema),
      v.maxLength(MAX_TIMELINE_ENTRIES + MAX_LIFECYCLE_ENTRIES),
      v.description(
        "What happened, in one time order: the union of all reports (a redelivered report adds nothing) and the pod's API lifecycle (entries with a step).",
      ),
    ),
    kernel_stats: KernelStatsSchema,
    // Optional so that certificates the earlier operator wrote (without reports) still validate.
    reports: v.optional(
      v.pipe(
        v.array(BirthReportSchema),
        v.maxLength(MAX_REPORTS),
        v.description(
          'Each distinct report merged into this certificate; counters are summed over these, so a redelivery never counts twice. Absent on certificates of the earlier operator.',
        ),
        v.metadata({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['id'] }),
      ),
    ),
  }),
  // Merges only ever add: two instances creating the same certificate at once
  // cannot drop or roll back a report the other recorded (a CEL transition rule
  // enforced by the API server; updates are also guarded by resourceVersion).
  // The birth of another pod incarnation (recreated under the same name) starts
  // the certificate afresh. A stored spec without reports (the earlier operator's)
  // must not make the rule fail: the sweep marks such objects through /status,
  // and transition rules run on every update.
  v.metadata({
    'x-kubernetes-validations': [
      {
        rule: '!has(oldSelf.reports) || (has(self.pod_uid) && has(oldSelf.pod_uid) && self.pod_uid != oldSelf.pod_uid) || (has(self.reports) && oldSelf.reports.all(r, self.reports.exists(n, n.id == r.id && timestamp(n.observed_at) >= timestamp(r.observed_at))))',
        message: 'a recorded report of the same pod cannot be dropped or replaced by an older one',
        fieldPath: '.reports',
        reason: REPORTS_RULE_CAUSE.reason,
      },
    ],
  }),
);
export type PodBirthCertificateSpec = v.InferOutput<typeof PodBirthCertificateSpecSchema>;

export const PHASES = ['scheduling', 'sandbox', 'first-container', 'readiness'] as const;
export type Phase = (typeof PHASES)[number];

const afterCreation = (step: string) =>
  v.optional(count(`Milliseconds from the pod's creation until ${step}; absent until the pod records it.`));

export const BirthPhasesSchema = v.pipe(
  v.object({
    created_at: timestamp('When the pod was created (metadata.creationTimestamp).'),
    scheduled_after_ms: afterCreation('PodScheduled'),
    sandbox_ready_after_ms: afterCreation('PodReadyToStartContainers (sandbox and network ready)'),
    first_container_started_after_ms: afterCreation('its first container (init containers included) started'),
    ready_after_ms: afterCreation('Ready'),
    longest_phase: v.optional(
      v.pipe(
        v.picklist(PHASES),
        v.description(
          'The phase that took longest: scheduling (created to scheduled), sandbox (to sandbox ready), first-container (to the first container started), readiness (to Ready). A phase whose end is unknown is folded into the next.',
        ),
      ),
    ),
    longest_phase_ms: v.optional(count('How long the longest phase took, in milliseconds.')),
  }),
  v.description(
    'Phase durations from the API lifecycle in the timeline. Pod times have a resolution of one second, so these are multiples of 1000.',
  ),
);
export type BirthPhases = v.InferOutput<typeof BirthPhasesSchema>;

export const PodBirthCertificateStatusSchema = v.object({
  insight: v.optional(text('A one-line summary of the birth.')),
  phases: v.optional(BirthPhasesSchema),
  report_count: v.optional(count('How many distinct reports were merged.')),
  last_updated: v.optional(timestamp('Time of the newest report merged.')),
  observed_generation: v.optional(count('metadata.generation of the spec this status was computed from.')),
  conditions: v.optional(ConditionsSchema),
});
export type PodBirthCertificateStatus = v.InferOutput<typeof PodBirthCertificateStatusSchema>;

export const BIRTH_CONDITION = {
  /** True once at least one report is recorded. */
  recorded: 'Recorded',
  podGone: 'PodGone',
} as const;
