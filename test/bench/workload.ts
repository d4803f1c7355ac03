import { EVENT_TYPE } from '../../lib/events/types.js';
import { binaryEvent, creationData, type HttpFixture, throttleData } from '../fixtures/events.js';

/**
 * The events the bench sends: for each pod one KernelWhisper (throttle of
 * container `app`) and one PodBirthCertificate (birth report of `app`). A
 * "round" gives every object a new state (a newer observation time and new
 * figures), so each event of a round needs exactly one spec and one status write.
 */
export type BenchEvent = {
  /** The object the event lands on, e.g. `kw/bench-ingest/pod-00001`. */
  readonly key: string;
  readonly type: string;
  readonly id: string;
  readonly namespace: string;
  readonly pod: string;
  readonly data: Record<string, unknown>;
  readonly timestamp: string;
};

/**
 * Observation times that only move forward (a new state must be newer than the
 * stored one) and stay close to the wall clock: far in the past the status
 * would read "throttling stopped", in the future the function refuses them.
 */
export class ObservationClock {
  private last = 0;

  next(): string {
    this.last = Math.max(Date.now() - 1_000, this.last + 1);
    return new Date(this.last).toISOString();
  }
}

export function throttleEvent(
  namespace: string,
  pod: string,
  clock: ObservationClock,
  variant: number,
  id: string,
): BenchEvent {
  const timestamp = clock.next();
  const data = {
    ...throttleData,
    namespace,
    pod_name: pod,
    throttle_percentage: 30 + (variant % 65),
    actual_cpu_usage: 0.4 + (variant % 7) / 10,
    reported_cpu_usage: 0.25,
    period_seconds: 60,
    throttle_ns: 1_000_000 * (1 + (variant % 900)),
    timestamp,
  };
  return { key: `kw/${namespace}/${pod}`, type: EVENT_TYPE.cpuThrottle, id, namespace, pod, data, timestamp };
}

export function birthEvent(
  namespace: string,
  pod: string,
  clock: ObservationClock,
  variant: number,
  id: string,
): BenchEvent {
  const timestamp = clock.next();
  // The same timeline every time: a birth is reported again with new figures, its entries do not pile up.
  const data = {
    ...creationData,
    namespace,
    pod_name: pod,
    total_syscalls: 4000 + (variant % 1000),
    duration_ns: 100_000_000 + variant,
    timestamp,
  };
  return { key: `pbc/${namespace}/${pod}`, type: EVENT_TYPE.podCreation, id, namespace, pod, data, timestamp };
}

/** One new state for every object of `pods`, throttle and birth interleaved. */
export function newStateRound(
  namespace: string,
  pods: readonly string[],
  clock: ObservationClock,
  round: number,
): BenchEvent[] {
  return pods.flatMap((pod, i) => [
    throttleEvent(namespace, pod, clock, round * 31 + i, `${namespace}-${pod}-t-${round}`),
    birthEvent(namespace, pod, clock, round * 31 + i, `${namespace}-${pod}-b-${round}`),
  ]);
}

/** `rounds` consecutive rounds: no object appears twice within `pods.length` events, so none is written concurrently. */
export function newStates(
  namespace: string,
  pods: readonly string[],
  clock: ObservationClock,
  firstRound: number,
  rounds: number,
): BenchEvent[] {
  return Array.from({ length: rounds }, (_, r) => newStateRound(namespace, pods, clock, firstRound + r)).flat();
}

/** Binary content mode, as a Knative Broker delivers it (with its extension attributes). */
export function toHttp(event: BenchEvent): HttpFixture {
  return binaryEvent(event.type, event.data, event.id, {
    'ce-subject': `${event.namespace}/${event.pod}`,
    'ce-time': event.timestamp,
  });
}
