import type { KernelStats, PodBirthCertificateSpec, TimelineEntry } from '../api/pod-birth-certificate.js';
import { compareEntries } from '../core/pod-lifecycle.js';

/**
 * The layout of one pod's birth, shared by the SVG and the terminal rendering:
 * one row per timeline entry in the certificate's order, each bar running from
 * the previous entry to this one, times in milliseconds after the pod's
 * creation (after the first entry for certificates without a lifecycle).
 */
export type WaterfallRow = {
  readonly entry: TimelineEntry;
  readonly startMs: number;
  readonly endMs: number;
};

export type Waterfall = {
  /** Epoch milliseconds of time zero. */
  readonly originMs: number;
  /** True when time zero is the pod's creation, not just the first entry. */
  readonly fromCreation: boolean;
  /** The axis: from (at most 0) to (at least 1 ms past from). */
  readonly fromMs: number;
  readonly toMs: number;
  readonly rows: readonly WaterfallRow[];
  /** Where the kernel's (observers') entries lie, with the counters summed over the reports. */
  readonly kernel: { readonly startMs: number; readonly endMs: number; readonly stats: KernelStats } | undefined;
};

export function waterfall(spec: PodBirthCertificateSpec): Waterfall {
  const entries = [...spec.timeline].sort(compareEntries);
  const created = entries.find((entry) => entry.step === 'created');
  const originMs = created?.timestamp_ms ?? entries[0]?.timestamp_ms ?? 0;
  const rows: WaterfallRow[] = [];
  let previous: number | undefined;
  for (const entry of entries) {
    const endMs = entry.timestamp_ms - originMs;
    rows.push({ entry, startMs: previous ?? endMs, endMs });
    previous = endMs;
  }
  const times = rows.map((row) => row.endMs);
  const fromMs = Math.min(0, ...times);
  const toMs = Math.max(fromMs + 1, ...times);
  const observed = rows.filter((row) => row.entry.step === undefined).map((row) => row.endMs);
  const kernel =
    observed.length === 0
      ? undefined
      : { startMs: Math.min(...observed), endMs: Math.max(...observed), stats: spec.kernel_stats };
  return { originMs, fromCreation: created !== undefined, fromMs, toMs, rows, kernel };
}

/** Round tick positions (1, 2 or 5 times a power of ten) across the axis, at most `most` intervals apart. */
export function ticks(fromMs: number, toMs: number, most = 8): number[] {
  const span = toMs - fromMs;
  let step = 1;
  for (const candidate of niceSteps()) {
    step = candidate;
    if (span / candidate <= most) break;
  }
  const marks: number[] = [];
  for (let at = Math.ceil(fromMs / step) * step; at <= toMs; at += step) marks.push(at);
  return marks;
}

function* niceSteps(): Generator<number> {
  for (let power = 1; power <= 1e12; power *= 10) for (const factor of [1, 2, 5]) yield factor * power;
}

/** "+1.5 s", "-200 ms", "0": a time on the axis as a person reads it. */
export function axisLabel(ms: number): string {
  if (ms === 0) return '0';
  const sign = ms > 0 ? '+' : '−';
  const size = Math.abs(ms);
  if (size < 1000) return `${sign}${size} ms`;
  // At most two decimals (10 ms), trailing zeros dropped: +1.4 s, +1.25 s.
  return `${sign}${Number((size / 1000).toFixed(2))} s`;
}
