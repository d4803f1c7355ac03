import type { ContainerResources, KernelWhisperSpec } from '../api/kernel-whisper.js';
import type { HistoryEntry } from '../api/throttle-history.js';
import { compact } from './json.js';
import { compareText } from './order.js';
import { recommendationFor } from './throttle-policy.js';

/**
 * A KernelWhisper's bounded history of observations, merged so that any arrival
 * order, any redelivery and any number of concurrent ingest instances end with
 * the same history. The history is a set of entries under one total order (time,
 * then every field, so two entries are equal only when identical) and the kept
 * part of a set S is
 *
 *   the newest HISTORY_RECENT entries of S
 *   ∪ the newest HISTORY_ADVISED entries of S at high priority (a new limit was advised).
 *
 * Each part is "the top k of a filter that looks at one entry only", so whatever
 * one merge drops, a merge of any superset drops too: merge is commutative,
 * associative and idempotent (test/unit/core/throttle-history.test.ts checks the
 * laws with generated histories). The advised part keeps the evidence a fix is
 * verified against after many calm observations have pushed it out of the recent part.
 */
export type { HistoryEntry } from '../api/throttle-history.js';

/** The recent story: at the observers' usual 5-minute windows, the last two hours. */
export const HISTORY_RECENT = 24;
/** High-priority observations kept beyond the recent ones: the "before" of a fix. */
export const HISTORY_ADVISED = 8;
export const HISTORY_MAX_ENTRIES = HISTORY_RECENT + HISTORY_ADVISED;
/**
 * The longest JSON an entry can take (every number at its longest spelling:
 * 212 bytes), so the history adds at most 32 × 256 B = 8 KiB to an object.
 */
export const MAX_ENTRY_BYTES = 256;

/** The history entry of a spec's own (newest) observation. */
export function historyEntryOf(spec: KernelWhisperSpec): HistoryEntry {
  const truth = spec.kernel_truth;
  return compact({
    at: spec.detected_at,
    throttled_percent: truth.throttled_percent,
    cpu_cores: truth.actual_cpu_cores,
    cpu_limit: limitOf(spec.container_resources),
    throttle_ns: truth.throttle_ns,
    period_seconds: truth.period_seconds,
  });
}

/** The limit as recorded: millicores, `none`, or undefined when the container was not found. */
export function limitOf(resources: ContainerResources | undefined): string | undefined {
  if (resources === undefined) return undefined;
  return resources.cpu_limit ?? 'none';
}

/** The kept part of the union of the given histories, oldest first. */
export function mergeHistory(...histories: readonly (readonly HistoryEntry[])[]): HistoryEntry[] {
  const sorted = histories.flat().sort(compareEntries);
  const distinct = sorted.filter((entry, i) => i === 0 || compareEntries(sorted[i - 1] as HistoryEntry, entry) !== 0);
  const kept = new Set([...distinct.slice(-HISTORY_RECENT), ...distinct.filter(advised).slice(-HISTORY_ADVISED)]);
  return distinct.filter((entry) => kept.has(entry));
}

/** The newest HISTORY_RECENT entries of a kept history: the same as those of everything ever merged. */
export function recentPart(history: readonly HistoryEntry[]): readonly HistoryEntry[] {
  return history.slice(-HISTORY_RECENT);
}

/**
 * The newest entries made at `limit`: those after the newest entry with another
 * known limit. Entries whose limit was not recorded neither join nor end a run.
 */
export function runAt(history: readonly HistoryEntry[], limit: string): HistoryEntry[] {
  const run: HistoryEntry[] = [];
  for (let i = history.length - 1; i >= 0; i--) {
    const entry = history[i] as HistoryEntry;
    if (entry.cpu_limit === undefined) continue;
    if (entry.cpu_limit !== limit) break;
    run.unshift(entry);
  }
  return run;
}

/** Time the entries cover: from the start of the first one's window (its time when unknown) to the last one's time. */
export function coveredMs(entries: readonly HistoryEntry[]): number {
  const first = entries[0];
  const last = entries.at(-1);
  if (first === undefined || last === undefined) return 0;
  return Date.parse(last.at) - Date.parse(first.at) + (first.period_seconds ?? 0) * 1000;
}

/** An observation at which a new limit is advised (high priority). */
export function advised(entry: HistoryEntry): boolean {
  return recommendationFor(entry.throttled_percent).priority === 'high';
}

/** The total order: time, then each field (absent first), then the time's spelling. Zero only for identical entries. */
export function compareEntries(a: HistoryEntry, b: HistoryEntry): number {
  return (
    Date.parse(a.at) - Date.parse(b.at) ||
    a.throttled_percent - b.throttled_percent ||
    a.cpu_cores - b.cpu_cores ||
    compareText(a.cpu_limit ?? '', b.cpu_limit ?? '') ||
    (a.throttle_ns ?? -1) - (b.throttle_ns ?? -1) ||
    (a.period_seconds ?? -1) - (b.period_seconds ?? -1) ||
    compareText(a.at, b.at)
  );
}
