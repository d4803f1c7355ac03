import * as v from 'valibot';
import {
  containerNameField,
  countField,
  namesItsPod,
  namespacedIfNamed,
  nonNegativeNumber,
  PODLESS_MESSAGE,
  percentage,
  podIdentityEntries,
  rfc3339,
} from './fields.js';

/** Data of `io.gossip.kernel.cpu_throttle.v1`, wire-compatible with the existing observer. */
export const CpuThrottleDataSchema = v.pipe(
  v.object({
    ...podIdentityEntries,
    container_name: v.optional(containerNameField),
    throttle_percentage: percentage,
    actual_cpu_usage: nonNegativeNumber,
    reported_cpu_usage: v.optional(nonNegativeNumber),
    period_seconds: v.optional(v.pipe(nonNegativeNumber, v.minValue(Number.MIN_VALUE, 'must be positive'))),
    throttle_ns: v.optional(countField),
    ebpf_detection: v.optional(v.boolean('must be true or false')),
    timestamp: v.optional(rfc3339),
  }),
  v.check(namesItsPod, PODLESS_MESSAGE),
  v.check(namespacedIfNamed, 'namespace is required with pod_name'),
  v.check(
    (data) => data.container_name !== undefined || data.container_id !== undefined || data.cgroup_path !== undefined,
    'one of container_name, container_id or cgroup_path is required',
  ),
);
export type CpuThrottleData = v.InferOutput<typeof CpuThrottleDataSchema>;
