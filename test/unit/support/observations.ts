import type { BirthObservation, ThrottleObservation } from '../../../lib/core/observation.js';
import type { CpuThrottleData } from '../../../lib/events/cpu-throttle.js';
import type { PodCreationData } from '../../../lib/events/pod-creation.js';
import { legacyThrottle } from '../../fixtures/events.js';

/** Builders for observations with every figure explicit, overridable per test. */
export function throttle(
  overrides: Partial<CpuThrottleData> = {},
  observedAt = '2024-01-01T00:00:00.000Z',
): ThrottleObservation {
  // The earlier observer's example payload, without its tag and time (the observation carries the time).
  const { type: _tag, timestamp: _time, ...example } = legacyThrottle;
  const data: CpuThrottleData = { ...example, ...overrides };
  return {
    kind: 'cpu_throttle',
    pod: { namespace: data.namespace ?? 'production', pod_name: data.pod_name ?? 'throttled-pod', pod_uid: 'uid-1' },
    container_name: data.container_name ?? 'app',
    data,
    observedAt,
    source: '/kernel-observer/node-1',
  };
}

export function birth(
  overrides: Partial<PodCreationData> = {},
  observedAt = '2024-01-01T00:00:00.000Z',
  container?: string,
): BirthObservation {
  const data: PodCreationData = {
    pod_name: 'web-1',
    namespace: 'production',
    total_syscalls: 4521,
    namespace_ops: 6,
    cgroup_writes: 12,
    duration_ns: 123_000_000,
    timeline: [
      { timestamp_ms: 1000, action: 'clone(CLONE_NEWNET)' },
      { timestamp_ms: 1005, action: 'cgroup write cpu.max', actor: 'runtime' },
    ],
    ...overrides,
  };
  return {
    kind: 'pod_creation',
    pod: { namespace: 'production', pod_name: data.pod_name ?? 'web-1', pod_uid: 'uid-web-1' },
    container_name: container,
    data,
    observedAt,
    source: '/kernel-observer/node-1',
  };
}
