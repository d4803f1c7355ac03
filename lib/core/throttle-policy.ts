import type { Priority, Severity } from '../api/kernel-whisper.js';

/**
 * Thresholds and texts carried over unchanged from the earlier operator:
 * severity is strict (> 80 critical, > 50 warning), the recommendation inclusive
 * (>= 80 high, >= 40 medium), so 80 % exactly is a warning with high priority.
 */
export function severityFor(throttledPercent: number): Severity {
  if (throttledPercent > 80) return 'critical';
  if (throttledPercent > 50) return 'warning';
  return 'info';
}

export type Recommendation = { readonly priority: Priority; readonly text: string };

export const RECOMMENDATION_TEXT = {
  high: 'increase CPU limits by 50%',
  medium: 'monitor CPU usage patterns and consider optimization',
  low: 'no action required',
} as const;

export function recommendationFor(throttledPercent: number): Recommendation {
  if (throttledPercent >= 80) return { priority: 'high', text: RECOMMENDATION_TEXT.high };
  if (throttledPercent >= 40) return { priority: 'medium', text: RECOMMENDATION_TEXT.medium };
  return { priority: 'low', text: RECOMMENDATION_TEXT.low };
}

/** Metrics more than this far from the kernel figure count as wrong. */
export const METRICS_TOLERANCE_PERCENT = 10;

export type ReportedStatus = 'underreported' | 'accurate' | 'overreported' | 'unknown';

export function reportedStatusFor(discrepancyPercent: number | undefined): ReportedStatus {
  if (discrepancyPercent === undefined) return 'unknown';
  if (discrepancyPercent > METRICS_TOLERANCE_PERCENT) return 'underreported';
  if (discrepancyPercent < -METRICS_TOLERANCE_PERCENT) return 'overreported';
  return 'accurate';
}

/** (kernel - metrics) / kernel in percent; undefined when it cannot be known. */
export function discrepancyPercent(kernelCores: number, metricsCores: number | undefined): number | undefined {
  if (metricsCores === undefined || kernelCores === 0) return undefined;
  return Math.round(((kernelCores - metricsCores) / kernelCores) * 1000) / 10;
}
