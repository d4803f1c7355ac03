import {
  type Actor,
  LIFECYCLE_STEPS,
  type LifecycleStep,
  MAX_LIFECYCLE_ENTRIES,
  type PodBirthCertificateSpec,
  type TimelineEntry,
} from '../api/pod-birth-certificate.js';
import type { ContainerState, ContainerStatus, Pod } from './pod.js';

/**
 * A pod's API lifecycle as timeline entries, and how it joins a certificate.
 * The ingest (from the pod it reads for every event) and the sweep (from the
 * pods it lists) both go through `fuseLifecycle`, so whichever applies it
 * computes the same spec.
 *
 * Each step keeps the earliest time any reading of the pod showed: a join
 * (per-step minimum), so any order of readings and any redelivery give the same
 * timeline, and a later restart (Ready flipping False and True again, a
 * container restarted) never rewrites when the pod was born.
 */
export type LifecycleView = { readonly pod_uid: string; readonly entries: readonly TimelineEntry[] };

const CONDITION_STEPS: readonly (readonly [string, LifecycleStep, Actor])[] = [
  ['PodScheduled', 'scheduled', 'scheduler'],
  // Sandbox and network are made by the runtime (CRI RunPodSandbox, CNI); the kubelet only reports it.
  ['PodReadyToStartContainers', 'sandbox-ready', 'runtime'],
  ['Initialized', 'initialized', 'kubelet'],
  ['ContainersReady', 'containers-ready', 'kubelet'],
  ['Ready', 'ready', 'kubelet'],
];
const POD_LEVEL_STEPS = CONDITION_STEPS.length + 1;

/** The lifecycle one reading of a pod shows; undefined without a UID or creation time. */
export function podLifecycle(pod: Pod): LifecycleView | undefined {
  const uid = pod.metadata.uid;
  const created = millis(pod.metadata.creationTimestamp);
  if (uid === undefined || created === undefined) return undefined;
  const entries: TimelineEntry[] = [
    { timestamp_ms: created, actor: 'api-server', action: 'Pod created', step: 'created' },
  ];
  for (const [type, step, actor] of CONDITION_STEPS) {
    const condition = pod.status?.conditions?.find((candidate) => candidate.type === type);
    const at = condition?.status === 'True' ? millis(condition.lastTransitionTime) : undefined;
    if (at !== undefined) entries.push({ timestamp_ms: at, actor, action: type, step });
  }
  return { pod_uid: uid, entries: [...entries, ...containerStarts(pod)] };
}

/**
 * The first start of each container, init containers too. Containers are taken
 * in spec order (immutable for a pod) up to the bound, so every reading of one
 * pod bounds the same set of containers.
 */
function containerStarts(pod: Pod): TimelineEntry[] {
  const kinds = [
    { specs: pod.spec?.initContainers ?? [], statuses: pod.status?.initContainerStatuses, init: true },
    { specs: pod.spec?.containers ?? [], statuses: pod.status?.containerStatuses, init: false },
  ];
  const named = kinds.flatMap(({ specs, statuses, init }) =>
    specs.map((container) => ({
      name: container.name,
      init,
      status: statuses?.find((s) => s.name === container.name),
    })),
  );
  const entries: TimelineEntry[] = [];
  for (const { name, init, status } of named.slice(0, MAX_LIFECYCLE_ENTRIES - POD_LEVEL_STEPS)) {
    const at = firstStart(status);
    if (at === undefined) continue;
    entries.push(
      init
        ? {
            timestamp_ms: at,
            actor: 'runtime',
            action: `Started init container ${name}`,
            step: 'init-container-started',
            container: name,
          }
        : {
            timestamp_ms: at,
            actor: 'runtime',
            action: `Started container ${name}`,
            step: 'container-started',
            container: name,
          },
    );
  }
  return entries;
}

/** The earliest start a status shows: a restarted container's previous run started first. */
function firstStart(status: ContainerStatus | undefined): number | undefined {
  const starts = [status?.state, status?.lastState].flatMap((state: ContainerState | undefined) => [
    millis(state?.running?.startedAt),
    millis(state?.terminated?.startedAt),
  ]);
  return earliest(starts);
}

/**
 * `spec` with its lifecycle entries replaced by the join of those `stored` holds
 * and those of `views`, keeping only readings of the pod `spec.pod_uid` names
 * (a pod recreated under the same name has a lifecycle of its own).
 */
export function fuseLifecycle(
  spec: PodBirthCertificateSpec,
  stored: PodBirthCertificateSpec | undefined,
  views: readonly (LifecycleView | undefined)[],
): PodBirthCertificateSpec {
  const uid = spec.pod_uid;
  const readings: TimelineEntry[] = [];
  if (uid !== undefined) {
    if (stored?.pod_uid === uid) readings.push(...stored.timeline.filter(isLifecycle));
    for (const view of views) if (view?.pod_uid === uid) readings.push(...view.entries);
  }
  const lifecycle = earliestPerStep(readings);
  return {
    ...spec,
    timeline: [...spec.timeline.filter((entry) => !isLifecycle(entry)), ...lifecycle].sort(compareEntries),
  };
}

function earliestPerStep(entries: readonly TimelineEntry[]): TimelineEntry[] {
  const byStep = new Map<string, TimelineEntry>();
  for (const entry of entries) {
    const key = `${entry.step}\u0000${entry.container ?? ''}`;
    const known = byStep.get(key);
    if (known === undefined || compareEntries(entry, known) < 0) byStep.set(key, entry);
  }
  return [...byStep.values()].sort(compareEntries).slice(0, MAX_LIFECYCLE_ENTRIES);
}

/** True once the certificate records the pod Ready: its birth is complete and the sweep leaves it alone. */
export function isBorn(spec: PodBirthCertificateSpec): boolean {
  return spec.timeline.some((entry) => entry.step === 'ready');
}

export function isLifecycle(entry: TimelineEntry): boolean {
  return entry.step !== undefined;
}

/**
 * The one order of a timeline: time, then lifecycle steps in the order a pod
 * passes them (pod times are whole seconds, so several share one), observer
 * entries after them, then container, actor and action by code units.
 */
export function compareEntries(a: TimelineEntry, b: TimelineEntry): number {
  return (
    a.timestamp_ms - b.timestamp_ms ||
    rank(a) - rank(b) ||
    byCodeUnits(a.container ?? '', b.container ?? '') ||
    byCodeUnits(a.actor, b.actor) ||
    byCodeUnits(a.action, b.action)
  );
}

function rank(entry: TimelineEntry): number {
  return entry.step === undefined ? LIFECYCLE_STEPS.length : LIFECYCLE_STEPS.indexOf(entry.step);
}

/** Plain code-unit order, not localeCompare: the stored order must not depend on the process locale. */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function millis(time: string | undefined): number | undefined {
  if (time === undefined) return undefined;
  const ms = Date.parse(time);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

function earliest(times: readonly (number | undefined)[]): number | undefined {
  const known = times.filter((time): time is number => time !== undefined);
  return known.length === 0 ? undefined : Math.min(...known);
}
