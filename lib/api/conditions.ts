import * as v from 'valibot';

/**
 * The standard Kubernetes condition shape (metav1.Condition), so that
 * `kubectl wait --for=condition=Throttled kw/<name>` works.
 */
export const ConditionSchema = v.object({
  type: v.pipe(v.string(), v.maxLength(316), v.description('Type of condition in CamelCase, e.g. Throttled.')),
  status: v.pipe(
    v.picklist(['True', 'False', 'Unknown']),
    v.description('Status of the condition: True, False or Unknown.'),
  ),
  reason: v.pipe(
    v.string(),
    v.maxLength(1024),
    v.description('Machine-readable CamelCase reason for the last transition.'),
  ),
  message: v.pipe(v.string(), v.maxLength(32768), v.description('Human-readable details about the last transition.')),
  lastTransitionTime: v.pipe(v.string(), v.isoTimestamp(), v.description('When the condition last changed status.')),
  observedGeneration: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(0),
      v.description('metadata.generation the condition was computed from.'),
    ),
  ),
});
export type Condition = v.InferOutput<typeof ConditionSchema>;

export const ConditionsSchema = v.pipe(
  v.array(ConditionSchema),
  v.description('Standard conditions describing the latest observed state.'),
  // Merged per condition type under server-side apply, so ingest and sweep can each own their own.
  v.metadata({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
);

/**
 * Keeps the transition time when the status did not change, as apimachinery's
 * meta.SetStatusCondition does, so a repeated observation changes nothing.
 */
export function carryTransitionTime(previous: readonly Condition[] | undefined, next: Condition): Condition {
  const before = findCondition(previous, next.type);
  if (before === undefined || before.status !== next.status) return next;
  return { ...next, lastTransitionTime: before.lastTransitionTime };
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}
