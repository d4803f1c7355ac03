import { podGoneView } from './kernel-whisper.js';
import { byCodeUnits, canonical, defined } from './rules.js';
import type {
  BirthFacts,
  CertificateReport,
  CertificateSpec,
  CertificateState,
  ModelPod,
  TimelineEntry,
  TimelineFact,
} from './world.js';

/**
 * The PodBirthCertificate part of the model: one certificate per pod
 * incarnation, the union of its distinct reports and timeline entries.
 * The pod's API lifecycle (issue 17) joins the timeline in `mergeCertificate`:
 * the generated pods never run (no kubelet), so their lifecycle is their
 * creation alone; the phase durations would be read in `certificateStatusView`.
 */

export function certificateName(pod: string): string {
  return pod;
}

/** A report is identified by its container, or, without one, by everything it says. */
export type BirthReport = { readonly key: string; readonly report: CertificateReport };

export function birthReport(facts: BirthFacts, atMs: number): BirthReport {
  const figures = defined({
    total_syscalls: facts.syscalls,
    namespace_ops: facts.namespaceOps,
    cgroup_writes: facts.cgroupWrites,
    duration_ns: facts.durationNs,
    iptables_rules: facts.iptables,
  });
  const observedAt = new Date(atMs).toISOString();
  const key = facts.container ?? `content:${canonical([figures, facts.timeline.map(canonicalEntry), observedAt])}`;
  // A content-identified report's id is a digest the model does not compute; views compare it as "#content".
  const id = facts.container ?? '#content';
  return { key, report: { id, observed_at: observedAt, ...figures } };
}

function canonicalEntry(entry: TimelineFact): string {
  return canonical(entry);
}

/**
 * Merges a report into the certificate of the same pod incarnation; a report of
 * another incarnation (read fresh from the API server) starts a new certificate.
 * Reports with the same identity: the newer wins, at the same instant the
 * greater in canonical JSON.
 */
export function mergeCertificate(
  stored: CertificateState | undefined,
  incoming: BirthReport,
  facts: BirthFacts,
  pod: ModelPod,
  namespace: string,
): { spec: CertificateSpec; reportKeys: string[] } {
  const base = stored !== undefined && stored.spec.pod_uid === pod.uid ? stored : undefined;
  const reports = new Map<string, CertificateReport>();
  base?.reportKeys.forEach((key, i) => {
    const report = base.spec.reports[i];
    if (report !== undefined) reports.set(key, report);
  });
  const existing = reports.get(incoming.key);
  if (existing === undefined || wins(incoming.report, existing)) reports.set(incoming.key, incoming.report);
  const entries = new Map<string, TimelineEntry>();
  const observed = (base?.spec.timeline ?? []).filter((entry) => entry.step === undefined);
  for (const entry of [...observed, ...facts.timeline.map(withActor)]) entries.set(canonical(entry), entry);
  // docs/design.md (issue 17): the certificate's timeline also holds when its pod was created.
  const created = { timestamp_ms: pod.createdAtMs, actor: 'api-server', action: 'Pod created', step: 'created' };
  const keys = [...reports.keys()].sort(byCodeUnits);
  const ordered = keys.map((key) => reports.get(key) as CertificateReport);
  return {
    spec: {
      pod_name: pod.name,
      namespace,
      pod_uid: pod.uid,
      timeline: [...entries.values(), created].sort(byTime),
      kernel_stats: stats(ordered),
      reports: ordered,
    },
    reportKeys: keys,
  };
}

function wins(candidate: CertificateReport, existing: CertificateReport): boolean {
  const byTime = Date.parse(candidate.observed_at) - Date.parse(existing.observed_at);
  if (byTime !== 0) return byTime > 0;
  return canonical(candidate) > canonical(existing);
}

function withActor(entry: TimelineFact): TimelineEntry {
  return { timestamp_ms: entry.timestamp_ms, actor: entry.actor ?? 'kernel', action: entry.action };
}

/** One order: time, then a lifecycle step before what observers saw at the same instant, then actor and action. */
function byTime(a: TimelineEntry, b: TimelineEntry): number {
  const lifecycleFirst = Number(a.step === undefined) - Number(b.step === undefined);
  return (
    a.timestamp_ms - b.timestamp_ms ||
    lifecycleFirst ||
    byCodeUnits(a.actor, b.actor) ||
    byCodeUnits(a.action, b.action)
  );
}

/** Sums over distinct reports (a redelivery never counts twice); the longest duration in ms. */
function stats(reports: readonly CertificateReport[]): Record<string, number | undefined> {
  const sum = (field: string) => reports.reduce((total, report) => total + Number(report[field] ?? 0), 0);
  const counted = reports.filter((report) => report.iptables_rules !== undefined);
  return defined({
    total_syscalls: sum('total_syscalls'),
    namespaces_created: sum('namespace_ops'),
    cgroup_writes: sum('cgroup_writes'),
    iptables_rules: counted.length === 0 ? undefined : sum('iptables_rules'),
    total_duration_ms: Math.round(Math.max(0, ...reports.map((report) => Number(report.duration_ns))) / 1e6),
  });
}

export function certificateStatusView(state: CertificateState): Record<string, unknown> {
  const status = state.status;
  if (status === undefined) return podGoneView(state);
  const spec = status.fromSpec as CertificateSpec;
  const newest = spec.reports
    .map((report) => report.observed_at)
    .sort(byCodeUnits)
    .at(-1);
  return defined({
    report_count: spec.reports.length,
    last_updated: newest,
    observed_generation: status.generation,
    Recorded: newest === undefined ? undefined : 'True BirthRecorded',
    ...podGoneView(state),
  });
}

/** Every recorded certificate tells its pod. */
export function certificatePodEvent(state: CertificateState): string | undefined {
  return state.spec.reports.length === 0 ? undefined : `BirthRecorded/${state.name}/${state.spec.pod_uid}`;
}
