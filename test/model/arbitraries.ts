import fc from 'fast-check';
import type { BirthGen, EventGen, ThrottleGen, TimeGen, UidMode } from './requests.js';
import type { Owner } from './rules.js';

/**
 * Small value domains on purpose: two pod names, three containers, a handful of
 * percentages at the thresholds and times that tie to the millisecond or the
 * second, so that generated sequences collide on the same objects.
 */
export type ContainerGen = {
  readonly name: string;
  readonly request: 'none' | 'equal' | 'tiny';
  readonly limit?: string;
};
export type PodGen = {
  readonly annotated: boolean;
  readonly owner: Owner;
  readonly containers: readonly ContainerGen[];
};

export const CONTAINERS = ['app', 'sidecar', 'helper'] as const;
export const LIMITS = ['5m', '100m', '250m', '1', '1500m'] as const;

const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

export const podGen: fc.Arbitrary<PodGen> = fc.record({
  annotated: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  owner: fc.constantFrom<Owner>('none', 'statefulset'),
  // Every pod has an `app` container, so most observations meet one; some have a sidecar and a helper too.
  containers: fc.subarray(['sidecar', 'helper']).chain((others) =>
    fc.tuple(
      ...['app', ...others].map((name) =>
        fc.record({
          name: fc.constant(name),
          request: fc.constantFrom<ContainerGen['request']>('none', 'equal', 'tiny'),
          limit: maybe(fc.constantFrom(...LIMITS)),
        }),
      ),
    ),
  ),
});

const timeGen: fc.Arbitrary<TimeGen> = fc.record({
  deltaMs: fc.constantFrom(0, 0, 0, -600, -600, -1000, -1000, -5000, -5000, -60_000, 3_000, 60_000),
  spelling: fc.constantFrom<TimeGen['spelling']>('ms', 'seconds', 'offset'),
  where: fc.constantFrom<TimeGen['where']>('data', 'data', 'attribute'),
});

const common = {
  pod: fc.constantFrom(0, 1),
  time: timeGen,
  uid: fc.constantFrom<UidMode>('none', 'none', 'none', 'live', 'live', 'live', 'former', 'unknown'),
  source: fc.constantFrom(0, 1),
  valid: fc.oneof({ weight: 15, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  mode: fc.constantFrom<EventGen['mode']>('binary', 'binary', 'structured', 'legacy'),
};

export const throttleGen: fc.Arbitrary<ThrottleGen> = fc.record({
  ...common,
  kind: fc.constant('throttle' as const),
  container: fc.constantFrom('app', 'app', 'app', 'app', 'sidecar', 'helper', 'ghost'),
  percent: fc.constantFrom(0, 30, 40, 50, 50.5, 79.9, 80, 80.1, 95, 100),
  actual: fc.constantFrom(0, 0.05, 0.4, 0.8, 1.2),
  reported: maybe(fc.constantFrom(0, 0.3, 0.5, 0.8, 1.5)),
  periodSeconds: maybe(fc.constantFrom(60, 300)),
  // A tiny and a large throttled time (90 s over 300 s hid 300m), so sized limits differ from +50 %.
  throttleNs: maybe(fc.constantFrom(123_456_789, 90_000_000_000)),
  ebpf: maybe(fc.boolean()),
});

const birthGen: fc.Arbitrary<BirthGen> = fc.record({
  ...common,
  kind: fc.constant('birth' as const),
  container: maybe(fc.constantFrom('app', 'sidecar', 'ghost')),
  syscalls: fc.constantFrom(10, 4521),
  namespaceOps: fc.constantFrom(0, 6),
  cgroupWrites: fc.constantFrom(3, 12),
  durationNs: fc.constantFrom(5_000_000, 123_000_000),
  iptables: maybe(fc.constantFrom(0, 4)),
  timeline: fc.subarray([0, 1, 2, 3]),
});

export const eventGen: fc.Arbitrary<EventGen> = fc.oneof(
  { weight: 3, arbitrary: throttleGen },
  { weight: 2, arbitrary: birthGen },
);
export const instanceGen = fc.constantFrom(0, 1);
export const advanceGen = fc.constantFrom(1_000, 5_000, 31_000, 61_000, 601_000, 3_601_000, 86_401_000);
