import * as v from 'valibot';
import { count, timestamp } from './fields.js';

/**
 * One observation kept in a KernelWhisper's history: what a trend, a sized limit
 * and a fix verification need, and nothing else (the newest observation's full
 * figures stay in the spec's top-level fields).
 */
const share = (description: string) => v.pipe(v.number(), v.minValue(0), v.maxValue(100), v.description(description));
const cpuLimit = (description: string) => v.pipe(v.string(), v.regex(/^(\d+m|none)$/), v.description(description));

export const HistoryEntrySchema = v.object({
  at: timestamp('When the kernel observation was made (RFC 3339 with milliseconds).'),
  throttled_percent: share('Share of CFS periods in which the container was throttled, 0-100.'),
  cpu_cores: v.pipe(v.number(), v.minValue(0), v.description('CPU cores the kernel saw the container use.')),
  cpu_limit: v.optional(
    cpuLimit(
      'CPU limit of the container at the time, in millicores, or none when it set none; absent when it was not recorded.',
    ),
  ),
  throttle_ns: v.optional(count('Nanoseconds spent throttled in the observation window.')),
  period_seconds: v.optional(
    v.pipe(v.number(), v.minValue(0), v.description('Length of the observation window in seconds.')),
  ),
});
export type HistoryEntry = v.InferOutput<typeof HistoryEntrySchema>;

/** The newest 24 plus the newest 8 that advised a raise (lib/core/throttle-history.ts). */
export const HISTORY_MAX_ITEMS = 32;

export const HistorySchema = v.pipe(
  v.array(HistoryEntrySchema),
  v.maxLength(HISTORY_MAX_ITEMS),
  v.description(
    'Recent observations of this container, oldest first: the newest 24, plus the newest 8 at 80% throttled or more (the evidence a fix is verified against). Merged, so any arrival order gives the same history.',
  ),
);

/**
 * What the API server's Status names when the history rule refuses a write: a
 * writer that planned without the stored history (two instances creating the
 * object at once) lost a race, re-reads and merges.
 */
export const HISTORY_RULE_CAUSE = { field: 'spec.history', reason: 'FieldValueForbidden' } as const;

/**
 * Every stored entry is still there, or was pushed out legitimately: 24 entries
 * at least as new are kept, and, for an advised one (80 % or more), 8 advised
 * ones at least as new. Ties count as newer, so a merge of equal times is never
 * refused; a pod recreated under the same name starts afresh.
 */
export const HISTORY_RULE = {
  rule: [
    '!has(oldSelf.history) || !has(self.history)',
    '(has(self.pod_uid) && has(oldSelf.pod_uid) && self.pod_uid != oldSelf.pod_uid)',
    'oldSelf.history.all(e, self.history.exists(x, x == e) || (self.history.filter(x, x != e && timestamp(x.at) >= timestamp(e.at)).size() >= 24 && (e.throttled_percent < 80.0 || self.history.filter(x, x != e && x.throttled_percent >= 80.0 && timestamp(x.at) >= timestamp(e.at)).size() >= 8)))',
  ].join(' || '),
  message: 'history must not lose an observation it keeps: merge the stored history into the new one',
  fieldPath: '.history',
  reason: HISTORY_RULE_CAUSE.reason,
} as const;

export const PeakSchema = v.pipe(
  v.object({
    throttled_percent: share('The highest throttled share among the recent observations.'),
    at: timestamp('When it was observed (the newest of equal ones).'),
  }),
  v.description('The worst recent observation.'),
);

const FiguresSchema = (description: string) =>
  v.pipe(
    v.object({
      observations: count('Observations kept at that limit.'),
      median_throttled_percent: share('Their median throttled share.'),
      peak_throttled_percent: share('Their highest throttled share.'),
    }),
    v.description(description),
  );

export const LimitChangeSchema = v.pipe(
  v.object({
    from: cpuLimit('The CPU limit a raise was advised at.'),
    to: cpuLimit('The CPU limit observed since.'),
    detected_at: timestamp('The first observation at the new limit.'),
    advised_limit: v.pipe(
      v.string(),
      v.regex(/^\d+m$/),
      v.description('What was advised at the old limit, sized from the same evidence.'),
    ),
    before: FiguresSchema('Throttling at the old limit.'),
    after: FiguresSchema('Throttling at the new limit so far.'),
    target_percent: share('The throttled share the advice aimed under.'),
    verdict: v.optional(
      v.pipe(
        v.picklist(['below-target', 'above-target']),
        v.description('Absent until 3 observations at the new limit cover 5 minutes.'),
      ),
    ),
  }),
  v.description(
    'The latest limit change after a raise was advised (a resize, or a recreated pod with a new template), with the throttling before and after.',
  ),
);
