import { describe, expect, it } from 'vitest';
import { ceilingAgainstItself } from '../../bench/ingest-targets.js';
import type { PhaseFigures } from '../../bench/measure.js';
import { verdict } from '../../bench/report.js';

const target = { target: 't', goal: '≤ 1.05×', value: '1.2×' };

describe('bench verdict', () => {
  it('fails a figure beyond its goal even when the run cannot resolve the margin', () => {
    expect(verdict({ ...target, pass: false, unresolved: true }, false)).toBe('FAIL');
    expect(verdict({ ...target, pass: false }, false)).toBe('FAIL');
  });

  it('claims no pass the run cannot resolve, and judges nothing on a busy machine', () => {
    expect(verdict({ ...target, pass: true, unresolved: true }, false)).toBe('UNRESOLVED');
    expect(verdict({ ...target, pass: true }, false)).toBe('PASS');
    expect(verdict({ ...target, pass: false }, true)).toBe('BUSY');
  });
});

describe('ceilingAgainstItself', () => {
  it('compares the API-server CPU per event of odd and even slices', () => {
    const slices = [
      { apiServerMs: 100, events: 10 },
      { apiServerMs: 110, events: 10 },
      { apiServerMs: 100, events: 10 },
      { apiServerMs: 110, events: 10 },
    ];
    expect(ceilingAgainstItself({ slices } as unknown as PhaseFigures)).toBeCloseTo(0.1, 10);
  });
});
