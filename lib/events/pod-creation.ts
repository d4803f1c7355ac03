import * as v from 'valibot';
import { OBSERVER_ACTORS } from '../api/pod-birth-certificate.js';
import {
  containerNameField,
  countField,
  namesItsPod,
  namespacedIfNamed,
  PODLESS_MESSAGE,
  podIdentityEntries,
  rfc3339,
} from './fields.js';

/** Bounds one report so hostile input cannot build a huge object. */
export const MAX_TIMELINE_PER_REPORT = 500;

export const TimelineEventSchema = v.object({
  timestamp_ms: countField,
  action: v.pipe(
    v.string(),
    v.minLength(1, 'must not be empty'),
    v.maxLength(256, 'must be at most 256 characters'),
    v.regex(/^[^\p{Cc}]*$/u, 'must not contain control characters'),
  ),
  actor: v.optional(v.picklist(OBSERVER_ACTORS, `must be one of ${OBSERVER_ACTORS.join(', ')}`)),
});

/** Data of `io.gossip.kernel.pod_creation.v1`, wire-compatible with the existing observer. */
export const PodCreationDataSchema = v.pipe(
  v.object({
    ...podIdentityEntries,
    container_name: v.optional(containerNameField),
    total_syscalls: countField,
    namespace_ops: countField,
    cgroup_writes: countField,
    iptables_rules: v.optional(countField),
    duration_ns: countField,
    timeline: v.optional(
      v.pipe(
        v.array(TimelineEventSchema, 'must be an array'),
        v.maxLength(MAX_TIMELINE_PER_REPORT, `must have at most ${MAX_TIMELINE_PER_REPORT} entries`),
      ),
    ),
    ebpf_detection: v.optional(v.boolean('must be true or false')),
    timestamp: v.optional(rfc3339),
  }),
  v.check(namesItsPod, PODLESS_MESSAGE),
  v.check(namespacedIfNamed, 'namespace is required with pod_name'),
);
export type PodCreationData = v.InferOutput<typeof PodCreationDataSchema>;
