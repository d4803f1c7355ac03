import type { Delivery, Facts, SentRequest, TimelineFact, World } from './world.js';

/**
 * Generated observations, and how one becomes the exact HTTP request an
 * observer sends (binary or structured CloudEvent, or the earlier observer's
 * webhook), given the world at the moment it is sent: its time is relative to
 * the clock, its pod UID that of the live pod, an earlier one, or one nobody knows.
 */
export type TimeGen = {
  readonly deltaMs: number;
  /** The same instant spelled with milliseconds, in whole seconds, or in another zone offset. */
  readonly spelling: 'ms' | 'seconds' | 'offset';
  readonly where: 'data' | 'attribute';
};
export type UidMode = 'none' | 'live' | 'former' | 'unknown';
export type Mode = 'binary' | 'structured' | 'legacy';

type Common = {
  readonly pod: number;
  readonly time: TimeGen;
  readonly uid: UidMode;
  readonly source: number;
  readonly valid: boolean;
  readonly mode: Mode;
};
export type ThrottleGen = Common & {
  readonly kind: 'throttle';
  readonly container: string;
  readonly percent: number;
  readonly actual: number;
  readonly reported: number | undefined;
  readonly periodSeconds: number | undefined;
  readonly throttleNs: number | undefined;
  readonly ebpf: boolean | undefined;
};
export type BirthGen = Common & {
  readonly kind: 'birth';
  readonly container: string | undefined;
  readonly syscalls: number;
  readonly namespaceOps: number;
  readonly cgroupWrites: number;
  readonly durationNs: number;
  readonly iptables: number | undefined;
  readonly timeline: readonly number[];
};
export type EventGen = ThrottleGen | BirthGen;

export const POD_NAMES = ['p0', 'p1'] as const;
export const UNKNOWN_UID = '0b8f7a1e-dead-4bee-8f00-000000000000';
export const TIMELINE_POOL: readonly TimelineFact[] = [
  { timestamp_ms: 1_700_000_000_000, action: 'clone(CLONE_NEWNET)', actor: 'runtime' },
  { timestamp_ms: 1_700_000_000_012, action: 'write cpu.max' },
  { timestamp_ms: 1_700_000_000_012, action: 'write cpu.max', actor: 'kernel' },
  { timestamp_ms: 1_700_000_000_020, action: 'mount proc', actor: 'kubelet' },
];
const SOURCES = ['/kernel-observer/node-1', '/kernel-observer/node-2'];
const TYPES = { throttle: 'io.gossip.kernel.cpu_throttle.v1', birth: 'io.gossip.kernel.pod_creation.v1' };

export function podName(gen: { pod: number }): string {
  return POD_NAMES[gen.pod] ?? 'p0';
}

export function materialise(world: World, gen: EventGen, id: string): Delivery {
  const name = podName(gen);
  const atMs = world.nowMs + gen.time.deltaMs;
  const uid = uidFor(world, name, gen.uid);
  const source = gen.mode === 'legacy' ? '/webhook/ebpf' : (SOURCES[gen.source] ?? '');
  const base = { pod: name, atMs, source, valid: gen.valid, ...(uid === undefined ? {} : { uid }) };
  const facts: Facts =
    gen.kind === 'throttle'
      ? {
          ...base,
          kind: 'throttle',
          container: gen.container,
          percent: gen.percent,
          actual: gen.actual,
          ...optional({ reported: gen.reported, periodSeconds: gen.periodSeconds, throttleNs: gen.throttleNs }),
          ...optional({ ebpf: gen.ebpf }),
        }
      : {
          ...base,
          kind: 'birth',
          ...optional({ container: gen.container, iptables: gen.iptables }),
          syscalls: gen.syscalls,
          namespaceOps: gen.namespaceOps,
          cgroupWrites: gen.cgroupWrites,
          durationNs: gen.durationNs,
          timeline: gen.timeline.map((i) => TIMELINE_POOL[i] as TimelineFact),
        };
  return { facts, request: requestFor(world.namespace, gen, facts, id) };
}

function uidFor(world: World, name: string, mode: UidMode): string | undefined {
  if (mode === 'live') return world.pods.get(name)?.uid;
  if (mode === 'former') return world.formerUids.get(name)?.at(-1);
  return mode === 'unknown' ? UNKNOWN_UID : undefined;
}

function optional<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}

export function spell(ms: number, spelling: TimeGen['spelling']): string {
  const iso = new Date(ms).toISOString();
  if (spelling === 'seconds' && iso.endsWith('.000Z')) return iso.replace('.000Z', 'Z');
  if (spelling !== 'offset') return iso;
  // The same instant two hours east of UTC (RFC 3339 allows any offset).
  return `${new Date(ms + 2 * 3600_000).toISOString().slice(0, -1)}+02:00`;
}

function dataOf(namespace: string, gen: EventGen, facts: Facts, time: string | undefined): Record<string, unknown> {
  const identity = { pod_name: facts.pod, namespace, ...optional({ pod_uid: facts.uid, timestamp: time }) };
  if (facts.kind === 'throttle') {
    return {
      ...identity,
      container_name: facts.container,
      throttle_percentage: gen.valid ? facts.percent : 150,
      actual_cpu_usage: facts.actual,
      ...optional({ reported_cpu_usage: facts.reported, period_seconds: facts.periodSeconds }),
      ...optional({ throttle_ns: facts.throttleNs, ebpf_detection: facts.ebpf }),
    };
  }
  return {
    ...identity,
    ...optional({ container_name: facts.container, iptables_rules: facts.iptables }),
    total_syscalls: gen.valid ? facts.syscalls : -1,
    namespace_ops: facts.namespaceOps,
    cgroup_writes: facts.cgroupWrites,
    duration_ns: facts.durationNs,
    ...(facts.timeline.length === 0 ? {} : { timeline: facts.timeline }),
  };
}

function requestFor(namespace: string, gen: EventGen, facts: Facts, id: string): SentRequest {
  const spelled = spell(facts.atMs ?? 0, gen.time.spelling);
  const inData = gen.mode === 'legacy' || gen.time.where === 'data';
  const data = dataOf(namespace, gen, facts, inData ? spelled : undefined);
  if (gen.mode === 'legacy') {
    const tag = gen.kind === 'throttle' ? 'cpu_throttle' : 'pod_creation';
    return json('/webhook/ebpf', { 'content-type': 'application/json' }, { type: tag, ...data });
  }
  const attributes = {
    specversion: '1.0',
    id,
    source: facts.source,
    type: TYPES[gen.kind],
    subject: `${namespace}/${facts.pod}`,
  };
  const time = inData ? {} : { time: spelled };
  if (gen.mode === 'structured')
    return json('/', { 'content-type': 'application/cloudevents+json' }, { ...attributes, ...time, data });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const [key, value] of Object.entries({ ...attributes, ...time })) headers[`ce-${key}`] = value;
  return json('/', headers, data);
}

/** Several CloudEvents in one structured batch request. */
export function batchRequest(namespace: string, parts: readonly { gen: EventGen; delivery: Delivery }[]): SentRequest {
  const events = parts.map(({ gen, delivery }) => {
    const request = requestFor(
      namespace,
      { ...gen, mode: 'structured' },
      delivery.facts,
      `b-${JSON.stringify(gen).length}`,
    );
    return JSON.parse(request.body) as unknown;
  });
  return json('/', { 'content-type': 'application/cloudevents-batch+json' }, events);
}

function json(path: string, headers: Record<string, string>, body: unknown): SentRequest {
  return { path, headers, body: JSON.stringify(body) };
}
