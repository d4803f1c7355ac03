import { podGoneView, whisperStatusView } from './kernel-whisper.js';
import { certificateStatusView } from './pod-birth.js';
import { byCodeUnits, canonical, RECOMMENDATION_PREFIX, SIZED_PREFIX } from './rules.js';
import type { ObjectState, World } from './world.js';

/**
 * What the model compares: each object as a person reads it (spec, and the
 * status fields of kubectl get -o wide / -o yaml: priority, recommendation,
 * limits, command, conditions), the pod Events and the monitored-pods list.
 * Real objects and model states are both turned into this shape.
 */
export type ObjectView = {
  readonly object: string;
  readonly generation?: number;
  readonly spec?: unknown;
  readonly status: Record<string, unknown>;
};

type RealObject = {
  kind: string;
  metadata: { name: string; generation?: number };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};
type Condition = { type: string; status: string; reason: string; lastTransitionTime: string };

const WHISPER_STATUS_KEYS = new Set([
  'insight',
  'recommendation',
  'kernel_evidence',
  'priority',
  'current_cpu_request',
  'current_cpu_limit',
  'recommended_cpu_limit',
  'recommended_cpu_request',
  'recommended_command',
  'metrics_comparison',
  'trend',
  'peak',
  'limit_change',
  'last_updated',
  'observed_generation',
  'conditions',
]);
/** `phases` (issue 17) is not modelled: the generated pods never run, so they have no phases to time. */
const CERTIFICATE_STATUS_KEYS = new Set([
  'insight',
  'phases',
  'report_count',
  'last_updated',
  'observed_generation',
  'conditions',
]);
const CONDITIONS: Record<string, readonly string[]> = {
  KernelWhisper: ['Throttled', 'FixEffective', 'PodGone', 'Invalid'],
  PodBirthCertificate: ['Recorded', 'PodGone', 'Invalid'],
};

export function modelViews(world: World): ObjectView[] {
  return [...world.objects.values()].map(modelView).sort(byObject);
}

function modelView(state: ObjectState): ObjectView {
  if (state.kind === 'Legacy') {
    const since =
      state.invalidSinceMs === undefined ? {} : { Invalid: `True SpecInvalid ${iso(state.invalidSinceMs)}` };
    const swept = state.swept === true ? { observed_generation: 1, report_count: 0 } : {};
    const status = { legacy: true, ...since, ...swept, ...podGoneView(state) };
    return { object: `${state.resource}/${state.name}`, status };
  }
  const object = `${state.kind}/${state.name}`;
  if (state.kind === 'KernelWhisper')
    return { object, generation: state.generation, spec: state.spec, status: whisperStatusView(state) };
  return {
    object,
    generation: state.generation,
    spec: certificateSpecView(state.spec),
    status: certificateStatusView(state),
  };
}

export function realViews(objects: readonly RealObject[]): ObjectView[] {
  return objects.map(realView).sort(byObject);
}

function realView(real: RealObject): ObjectView {
  const object = `${real.kind}/${real.metadata.name}`;
  const status = real.status ?? {};
  const conditions = conditionsView(real.kind, status.conditions as Condition[] | undefined);
  const legacy =
    real.kind === 'KernelWhisper' ? real.spec?.container_name === undefined : real.spec?.reports === undefined;
  if (legacy)
    return {
      object,
      status: { legacy: true, ...pick(status, ['observed_generation', 'report_count']), ...conditions },
    };
  const known = real.kind === 'KernelWhisper' ? WHISPER_STATUS_KEYS : CERTIFICATE_STATUS_KEYS;
  const unexpected = Object.keys(status).filter((key) => !known.has(key));
  const fields =
    real.kind === 'KernelWhisper'
      ? {
          ...pick(status, ['priority', 'current_cpu_request', 'current_cpu_limit', 'recommended_cpu_limit']),
          ...pick(status, ['recommended_cpu_request', 'recommended_command', 'last_updated', 'observed_generation']),
          ...pick(status, ['trend', 'peak']),
          ...limitChangeView(status.limit_change),
          ...(status.recommendation === undefined ? {} : { recommendation: prefixOf(String(status.recommendation)) }),
          ...(status.insight === undefined ? {} : { stopped: String(status.insight).startsWith('Throttling stopped') }),
        }
      : pick(status, ['report_count', 'last_updated', 'observed_generation']);
  return {
    object,
    generation: real.metadata.generation,
    spec: real.kind === 'KernelWhisper' ? real.spec : certificateSpecView(real.spec),
    status: { ...fields, ...conditions, ...(unexpected.length === 0 ? {} : { unexpected }) },
  };
}

function conditionsView(kind: string, conditions: readonly Condition[] | undefined): Record<string, string> {
  const view: Record<string, string> = {};
  for (const condition of conditions ?? []) {
    const known = CONDITIONS[kind]?.includes(condition.type) ?? false;
    // Only PodGone and Invalid carry a time the model predicts (the sweep that first saw it).
    const since = ['PodGone', 'Invalid'].includes(condition.type) ? ` ${condition.lastTransitionTime}` : '';
    view[known ? condition.type : `unexpected:${condition.type}`] = `${condition.status} ${condition.reason}${since}`;
  }
  return view;
}

/** The earlier operator's text leads every recommendation (a sized limit keeps its first words); the rest restates the figures. */
function prefixOf(text: string): string {
  return [...Object.values(RECOMMENDATION_PREFIX), SIZED_PREFIX].find((prefix) => text.startsWith(prefix)) ?? text;
}

/** Which change was recorded; its figures are in the FixEffective condition's reason. */
function limitChangeView(change: unknown): { limit_change?: string } {
  if (typeof change !== 'object' || change === null) return {};
  const { from, to } = change as { from?: unknown; to?: unknown };
  return { limit_change: `${String(from)} to ${String(to)}` };
}

function pick(record: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => record[key] !== undefined).map((key) => [key, record[key]]));
}

/** Reports identified by content carry a digest as id; compared as "#content", in canonical order. */
function certificateSpecView(spec: Record<string, unknown> | { reports: readonly unknown[] } | undefined): unknown {
  if (spec === undefined) return undefined;
  const reports = ((spec as { reports?: Record<string, unknown>[] }).reports ?? []).map((report) => ({
    ...report,
    id: /^report-[0-9a-f]{16}$/.test(String(report.id)) ? '#content' : report.id,
  }));
  return { ...spec, reports: reports.sort((a, b) => byCodeUnits(canonical(a), canonical(b))) };
}

function byObject(a: ObjectView, b: ObjectView): number {
  return byCodeUnits(a.object, b.object);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `reason/object/pod UID` of a real events.k8s.io Event. */
export function podEventKey(event: {
  reason?: string;
  related?: { name?: string };
  regarding?: { uid?: string };
}): string {
  return `${event.reason}/${event.related?.name}/${event.regarding?.uid}`;
}
