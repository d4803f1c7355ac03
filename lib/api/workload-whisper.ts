import * as v from 'valibot';
import { count, text, timestamp } from './fields.js';
import { CONTAINER_TYPES, WorkloadSchema } from './kernel-whisper.js';

/**
 * WorkloadWhisper: the KernelWhispers of one workload container rolled up, so
 * that a Deployment of fifty replicas reads as one finding with one command.
 * Written by the sweep alone (its own field manager); the spec names what is
 * rolled up, the status is the finding.
 */
const percent = (description: string) => v.pipe(v.number(), v.minValue(0), v.maxValue(100), v.description(description));
const millicores = (description: string) => v.pipe(v.string(), v.regex(/^\d+m$/), v.description(description));

export const WorkloadWhisperSpecSchema = v.object({
  workload: WorkloadSchema,
  container_name: text('Name of the container of the pod template.'),
});
export type WorkloadWhisperSpec = v.InferOutput<typeof WorkloadWhisperSpecSchema>;

export const ReplicaLimitSchema = v.object({
  cpu_limit: v.pipe(
    v.string(),
    v.regex(/^(\d+m|none|unknown)$/),
    v.description('A CPU limit the replicas were observed with: millicores, none, or unknown.'),
  ),
  replicas: count('How many observed replicas have it.'),
});

export const WorkloadWhisperStatusSchema = v.object({
  container_type: v.optional(
    v.pipe(v.picklist(CONTAINER_TYPES), v.description('regular, init, or sidecar, as the replicas record it.')),
  ),
  replicas_observed: v.optional(count('Live pods of the workload with a KernelWhisper for this container.')),
  replicas_throttled: v.optional(count('Of those, how many were last seen above 50% throttled (warning or worse).')),
  worst_throttled_percent: v.optional(percent('The highest throttled share among the replicas, latest each.')),
  worst_pod: v.optional(text('The replica with that share.')),
  median_throttled_percent: v.optional(percent('The median of the replicas’ latest throttled shares.')),
  current_cpu_limits: v.optional(
    v.pipe(
      v.array(ReplicaLimitSchema),
      v.maxLength(64),
      v.description('The current CPU limits the replicas were observed with, most common first.'),
    ),
  ),
  limits_disagree: v.optional(
    v.pipe(
      v.boolean(),
      v.description('True while replicas were observed with different limits: a rollout is under way or stuck.'),
    ),
  ),
  recommended_cpu_limit: v.optional(
    millicores('One limit for the pod template: the largest any replica needs (each sized as its KernelWhisper is).'),
  ),
  recommended_cpu_request: v.optional(millicores('The new request, when the request equals the limit (QoS kept).')),
  recommended_command: v.optional(
    text('The kubectl command that sets it on the workload: the same command the replicas’ KernelWhispers give.'),
  ),
  recommended_for: v.optional(text('The replica whose need set the recommended limit.')),
  last_updated: v.optional(timestamp('Time of the newest observation rolled up.')),
  observed_generation: v.optional(count('metadata.generation of the spec this status was computed from.')),
});
export type WorkloadWhisperStatus = v.InferOutput<typeof WorkloadWhisperStatusSchema>;
