import { createHash } from 'node:crypto';
import { carryTransitionTime } from '../api/conditions.js';
import { API_VERSION, LABEL, MANAGED_BY, POD_BIRTH_CERTIFICATE } from '../api/group.js';
import { labelValue, podBirthCertificateName } from '../api/names.js';
import {
  BIRTH_CONDITION,
  type BirthReport,
  MAX_REPORTS,
  MAX_TIMELINE_ENTRIES,
  type PodBirthCertificateSpec,
  type PodBirthCertificateStatus,
  type TimelineEntry,
} from '../api/pod-birth-certificate.js';
import type { KubeObject } from '../k8s/objects.js';
import { compact, compareCanonical } from './json.js';
import type { BirthObservation } from './observation.js';

export type PodBirthCertificate = KubeObject<PodBirthCertificateSpec, PodBirthCertificateStatus>;

/**
 * Merges birth reports into the certificate already stored. Merging is a set
 * union (reports keyed by id, timeline entries by value), so it is commutative
 * and idempotent: any order or number of redeliveries gives the same spec.
 */
export function desiredPodBirthCertificate(
  current: PodBirthCertificateSpec | undefined,
  observations: readonly BirthObservation[],
): PodBirthCertificate {
  const first = observations[0];
  if (first === undefined) throw new RangeError('desiredPodBirthCertificate needs at least one observation');
  const reports = mergeReports(current?.reports ?? [], observations.map(birthReport));
  const timeline = mergeTimeline(current?.timeline ?? [], observations.flatMap(timelineOf));
  const newest = observations.reduce((a, b) => (b.observedAt > a.observedAt ? b : a));
  return {
    apiVersion: API_VERSION,
    kind: POD_BIRTH_CERTIFICATE.kind,
    metadata: {
      name: podBirthCertificateName(first.pod.pod_name),
      namespace: first.pod.namespace,
      labels: {
        [LABEL.pod]: labelValue(first.pod.pod_name),
        [LABEL.namespace]: first.pod.namespace,
        [LABEL.managedBy]: MANAGED_BY,
      },
    },
    spec: compact({
      pod_name: first.pod.pod_name,
      namespace: first.pod.namespace,
      pod_uid: newest.pod.pod_uid ?? current?.pod_uid,
      node_name: newest.pod.node_name ?? current?.node_name,
      timeline,
      kernel_stats: kernelStats(reports),
      reports,
    }),
  };
}

function birthReport(observation: BirthObservation): BirthReport {
  const { data } = observation;
  const figures = compact({
    total_syscalls: data.total_syscalls,
    namespace_ops: data.namespace_ops,
    cgroup_writes: data.cgroup_writes,
    duration_ns: data.duration_ns,
    iptables_rules: data.iptables_rules,
  });
  return {
    id: observation.container_name ?? reportHash(figures, observation),
    observed_at: observation.observedAt,
    ...figures,
  };
}

/** Without a container name, a report is identified by what it says, so its redelivery matches it. */
function reportHash(figures: object, observation: BirthObservation): string {
  const content = JSON.stringify([figures, observation.data.timeline ?? [], observation.observedAt]);
  return `report-${createHash('sha256').update(content).digest('hex').slice(0, 16)}`;
}

function mergeReports(stored: readonly BirthReport[], incoming: readonly BirthReport[]): BirthReport[] {
  const byId = new Map(stored.map((report) => [report.id, report]));
  for (const report of incoming) {
    const existing = byId.get(report.id);
    // Past the bound new reports are dropped, never recorded ones (see the CRD's transition rule).
    if (existing === undefined && byId.size >= MAX_REPORTS) continue;
    // The same container reporting again: its newest report wins, whatever the arrival order.
    if (
      existing === undefined ||
      report.observed_at > existing.observed_at ||
      (report.observed_at === existing.observed_at && compareCanonical(report, existing) > 0)
    ) {
      byId.set(report.id, report);
    }
  }
  return [...byId.values()].sort((a, b) => byCodeUnits(a.id, b.id));
}

function timelineOf(observation: BirthObservation): TimelineEntry[] {
  return (observation.data.timeline ?? []).map((entry) => ({
    timestamp_ms: entry.timestamp_ms,
    actor: entry.actor ?? 'kernel',
    action: entry.action,
  }));
}

function mergeTimeline(stored: readonly TimelineEntry[], incoming: readonly TimelineEntry[]): TimelineEntry[] {
  const key = (entry: TimelineEntry) => `${entry.timestamp_ms}\u0000${entry.actor}\u0000${entry.action}`;
  const unique = new Map(stored.map((entry) => [key(entry), entry]));
  const fresh = [...incoming].sort(byTime);
  for (const entry of fresh) if (unique.size < MAX_TIMELINE_ENTRIES) unique.set(key(entry), entry);
  return [...unique.values()].sort(byTime);
}

function byTime(a: TimelineEntry, b: TimelineEntry): number {
  return a.timestamp_ms - b.timestamp_ms || byCodeUnits(a.actor, b.actor) || byCodeUnits(a.action, b.action);
}

/**
 * Plain code-unit order, not localeCompare: the stored order must not depend on
 * the process locale, and collation loads ICU data (megabytes of resident memory)
 * for nothing.
 */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function kernelStats(reports: readonly BirthReport[]): PodBirthCertificateSpec['kernel_stats'] {
  const sum = (pick: (report: BirthReport) => number) => reports.reduce((total, report) => total + pick(report), 0);
  const iptables = reports.filter((report) => report.iptables_rules !== undefined);
  return compact({
    total_syscalls: sum((report) => report.total_syscalls),
    namespaces_created: sum((report) => report.namespace_ops),
    cgroup_writes: sum((report) => report.cgroup_writes),
    iptables_rules: iptables.length === 0 ? undefined : sum((report) => report.iptables_rules ?? 0),
    total_duration_ms: Math.round(Math.max(0, ...reports.map((report) => report.duration_ns)) / 1e6),
  });
}

/** Status implied by a certificate's spec; pure, so the sweep can recompute it. */
export function podBirthCertificateStatus(
  spec: PodBirthCertificateSpec,
  generation: number,
  previous?: PodBirthCertificateStatus,
): PodBirthCertificateStatus {
  const stats = spec.kernel_stats;
  const newest = spec.reports.reduce<string | undefined>(
    (latest, report) => (latest === undefined || report.observed_at > latest ? report.observed_at : latest),
    undefined,
  );
  const insight = `Pod ${spec.namespace}/${spec.pod_name} was born in ${stats.total_duration_ms} ms: ${stats.total_syscalls} syscalls, ${stats.namespaces_created} namespace operations and ${stats.cgroup_writes} cgroup writes across ${spec.reports.length} report(s).`;
  const recorded =
    newest === undefined
      ? []
      : [
          carryTransitionTime(previous?.conditions, {
            type: BIRTH_CONDITION.recorded,
            status: 'True',
            reason: 'BirthRecorded',
            message: insight,
            lastTransitionTime: newest,
            observedGeneration: generation,
          }),
        ];
  return compact({
    insight,
    report_count: spec.reports.length,
    last_updated: newest,
    observed_generation: generation,
    conditions: recorded,
  });
}
