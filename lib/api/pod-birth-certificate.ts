import * as v from 'valibot';
import { ConditionsSchema } from './conditions.js';
import { count, text, timestamp } from './fields.js';

/** PodBirthCertificate: the kernel timeline of a pod's creation. */

export const ACTORS = ['scheduler', 'kubelet', 'runtime', 'kernel'] as const;
export type Actor = (typeof ACTORS)[number];

/** Bounds keep one certificate far below etcd's 1.5 MiB object limit. */
export const MAX_TIMELINE_ENTRIES = 1000;
export const MAX_REPORTS = 100;

export const TimelineEntrySchema = v.object({
  timestamp_ms: count('Milliseconds since the Unix epoch.'),
  actor: v.pipe(v.picklist(ACTORS), v.description('Who acted: scheduler, kubelet, runtime or kernel.')),
  action: v.pipe(
    v.string(),
    v.maxLength(256),
    v.description('What happened, e.g. clone(CLONE_NEWNET) or cgroup write.'),
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

export const PodBirthCertificateSpecSchema = v.pipe(
  v.object({
    pod_name: text('Name of the pod.'),
    namespace: text('Namespace of the pod.'),
    pod_uid: v.optional(text('UID of the pod that was born.')),
    node_name: v.optional(text('Node the pod was born on.')),
    timeline: v.pipe(
      v.array(TimelineEntrySchema),
      v.maxLength(MAX_TIMELINE_ENTRIES),
      v.description('What happened, in time order; the union of all reports (a redelivered report adds nothing).'),
    ),
    kernel_stats: KernelStatsSchema,
    reports: v.pipe(
      v.array(BirthReportSchema),
      v.maxLength(MAX_REPORTS),
      v.description(
        'Each distinct report merged into this certificate; counters are summed over these, so a redelivery never counts twice.',
      ),
      v.metadata({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['id'] }),
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
        rule: '!has(oldSelf.reports) || (has(self.pod_uid) && has(oldSelf.pod_uid) && self.pod_uid != oldSelf.pod_uid) || oldSelf.reports.all(r, self.reports.exists(n, n.id == r.id && timestamp(n.observed_at) >= timestamp(r.observed_at)))',
        message: 'a recorded report of the same pod cannot be dropped or replaced by an older one',
      },
    ],
  }),
);
export type PodBirthCertificateSpec = v.InferOutput<typeof PodBirthCertificateSpecSchema>;

export const PodBirthCertificateStatusSchema = v.object({
  insight: v.optional(text('A one-line summary of the birth.')),
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
