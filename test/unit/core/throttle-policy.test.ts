import { describe, expect, it } from 'vitest';
import {
  discrepancyPercent,
  recommendationFor,
  reportedStatusFor,
  severityFor,
} from '../../../lib/core/throttle-policy.js';

describe('the earlier operator thresholds', () => {
  it.each([
    [0, 'info', 'low', 'no action required'],
    [40, 'info', 'medium', 'monitor CPU usage patterns and consider optimization'],
    [50, 'info', 'medium', 'monitor CPU usage patterns and consider optimization'],
    [50.1, 'warning', 'medium', 'monitor CPU usage patterns and consider optimization'],
    [80, 'warning', 'high', 'increase CPU limits by 50%'],
    [80.1, 'critical', 'high', 'increase CPU limits by 50%'],
    [85.5, 'critical', 'high', 'increase CPU limits by 50%'],
    [100, 'critical', 'high', 'increase CPU limits by 50%'],
  ] as const)('%s%% throttled is %s severity with %s priority', (percent, severity, priority, text) => {
    expect(severityFor(percent)).toBe(severity);
    expect(recommendationFor(percent)).toEqual({ priority, text });
  });
});

describe('metrics versus kernel', () => {
  it.each([
    [0.8, 0.5, 37.5, 'underreported'],
    [0.8, 0.8, 0, 'accurate'],
    [0.5, 0.8, -60, 'overreported'],
    [1, 0.95, 5, 'accurate'],
  ] as const)('kernel %s cores, metrics %s cores: %s%% (%s)', (kernel, metrics, percent, status) => {
    expect(discrepancyPercent(kernel, metrics)).toBe(percent);
    expect(reportedStatusFor(discrepancyPercent(kernel, metrics))).toBe(status);
  });

  it('never invents a comparison when a figure is missing', () => {
    expect(discrepancyPercent(0.8, undefined)).toBeUndefined();
    expect(discrepancyPercent(0, 0.5)).toBeUndefined();
    expect(reportedStatusFor(undefined)).toBe('unknown');
  });
});
