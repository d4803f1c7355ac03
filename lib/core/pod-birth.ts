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
import { birthPhases, phasesInsight } from './birth-phases.js';
import { compact, compareCanonical } from './json.js';
import type { BirthObservation } from './observation.js';
import { byCodeUnits, compareEntries, fuseLifecycle, isLifecycle } from './pod-lifecycle.js';

export type PodBirthCertificate = KubeObject<PodBirthCertificateSpec, PodBirthCertificateStatus>;

/**
 * Merges birth reports into the certificate already stored. Merging is a set
 * union (reports keyed by id, timeline entries by value), so it is commutative
 * and idempotent: any order or number of redeliveries gives the same spec. The
 * pod's lifecycle read with each report joins in (pod-lifecycle.ts).
 */
export function desiredPodBirthCertificate(
  current: PodBirthCertificateSpec | undefined,
  observations: readonly BirthObservation[],
): PodBirthCertificate {
  const first = observations[0];
  if (first === undefined) throw new RangeError('desiredPodBirthCertificate needs at least one observation');
  const reports = mergeReports(current?.reports ?? [], observations.map(birthReport));
  const observed = (current?.timeline ?? []).filter((entry) => !isLifecycle(entry));
  const timeline = mergeTimeline(observed, observations.flatMap(timelineOf));
  const newest = observations.reduce((a, b) => (b.observedAt > a.observedAt ? b : a));
  const spec = compact({
    pod_name: first.pod.pod_name,
    namespace: first.pod.namespace,
    pod_uid: newest.pod.pod_uid ?? current?.pod_uid,
    node_name: newest.pod.node_name ?? current?.node_name,
    timeline,
    kernel_stats: kernelStats(reports),
    reports,
  });
  return certificateFor(
    fuseLifecycle(
      spec,
      current,
      observations.map((observation) => observation.lifecycle),
    ),
  );
}

/** The object (name, labels, spec) the ingest manager applies for a spec, from either function. */
export function certificateFor(spec: PodBirthCertificateSpec): PodBirthCertificate {
  return {
    apiVersion: API_VERSION,
    kind: POD_BIRTH_CERTIFICATE.kind,
    metadata: {
      name: podBirthCertificateName(spec.pod_name),
      namespace: spec.namespace,
      labels: {
        [LABEL.pod]: labelValue(spec.pod_name),
        [LABEL.namespace]: spec.namespace,
        [LABEL.managedBy]: MANAGED_BY,
      },
    },
    spec,
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
  const fresh = [...incoming].sort(compareEntries);
  for (const entry of fresh) if (unique.size < MAX_TIMELINE_ENTRIES) unique.set(key(entry), entry);
  return [...unique.values()].sort(compareEntries);
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
  const reports = spec.reports ?? [];
  const newest = reports.reduce<string | undefined>(
    (latest, report) => (latest === undefined || report.observed_at > latest ? report.observed_at : latest),
    undefined,
  );
  const phases = birthPhases(spec.timeline);
  const kernel = `Pod ${spec.namespace}/${spec.pod_name} was born in ${stats.total_duration_ms} ms: ${stats.total_syscalls} syscalls, ${stats.namespaces_created} namespace operations and ${stats.cgroup_writes} cgroup writes across ${reports.length} report(s).`;
  const lifecycle = phasesInsight(phases);
  const insight = lifecycle === undefined ? kernel : `${kernel} ${lifecycle}`;
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
    phases,
    report_count: reports.length,
    last_updated: newest,
    observed_generation: generation,
    conditions: recorded,
  });
}
