import * as v from 'valibot';
import { count, timestamp } from './fields.js';

/**
 * One observation kept in a KernelWhisper's history: what a trend, a sized limit
 * and a fix verification need, and nothing else (the newest observation's full
 * figures stay in the spec's top-level fields).
 */
export const HistoryEntrySchema = v.object({
  at: timestamp('When the kernel observation was made (RFC 3339 with milliseconds).'),
  throttled_percent: v.pipe(
    v.number(),
    v.minValue(0),
    v.maxValue(100),
    v.description('Share of CFS periods in which the container was throttled, 0-100.'),
  ),
  cpu_cores: v.pipe(v.number(), v.minValue(0), v.description('CPU cores the kernel saw the container use.')),
  cpu_limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^(\d+m|none)$/),
      v.description(
        'CPU limit of the container at the time, in millicores, or none when it set none; absent when it was not recorded.',
      ),
    ),
  ),
  throttle_ns: v.optional(count('Nanoseconds spent throttled in the observation window.')),
  period_seconds: v.optional(
    v.pipe(v.number(), v.minValue(0), v.description('Length of the observation window in seconds.')),
  ),
});
export type HistoryEntry = v.InferOutput<typeof HistoryEntrySchema>;
