import { describe, expect, it } from 'vitest';
import type { PodBirthCertificateSpec, TimelineEntry } from '../../../lib/api/pod-birth-certificate.js';
import { waterfallText } from '../../../lib/viewer/text.js';
import { axisLabel, ticks, waterfall } from '../../../lib/viewer/waterfall.js';
import { deepFreeze } from '../support/freeze.js';

const T = Date.parse('2024-01-01T00:00:00Z');
const kernelStats = { total_syscalls: 10, namespaces_created: 2, cgroup_writes: 3, total_duration_ms: 400 };
const spec = (timeline: TimelineEntry[]): PodBirthCertificateSpec =>
  deepFreeze({ pod_name: 'web-1', namespace: 'production', timeline, kernel_stats: kernelStats });
const born: TimelineEntry[] = [
  { timestamp_ms: T, actor: 'api-server', action: 'Pod created', step: 'created' },
  { timestamp_ms: T + 1000, actor: 'scheduler', action: 'PodScheduled', step: 'scheduled' },
  { timestamp_ms: T + 1200, actor: 'kernel', action: 'clone(CLONE_NEWNET)' },
  { timestamp_ms: T + 1600, actor: 'runtime', action: 'cgroup write' },
  { timestamp_ms: T + 4000, actor: 'kubelet', action: 'Ready', step: 'ready' },
];

describe('waterfall', () => {
  it('gives each entry a bar from the previous entry, in ms after the creation', () => {
    const chart = waterfall(spec(born));
    expect(chart.rows.map((row) => [row.startMs, row.endMs])).toEqual([
      [0, 0],
      [0, 1000],
      [1000, 1200],
      [1200, 1600],
      [1600, 4000],
    ]);
    expect(chart).toMatchObject({ originMs: T, fromCreation: true, fromMs: 0, toMs: 4000 });
    expect(chart.kernel).toEqual({ startMs: 1200, endMs: 1600, stats: kernelStats });
  });

  it('counts from the first entry, sorted, when there is no creation (an older certificate)', () => {
    const chart = waterfall(spec([born[3], born[2]] as TimelineEntry[]));
    expect(chart.rows.map((row) => [row.entry.action, row.startMs, row.endMs])).toEqual([
      ['clone(CLONE_NEWNET)', 0, 0],
      ['cgroup write', 0, 400],
    ]);
    expect(chart.fromCreation).toBe(false);
  });

  it('keeps an axis of at least 1 ms for a single entry, and none for an empty timeline', () => {
    expect(waterfall(spec([born[0] as TimelineEntry]))).toMatchObject({ fromMs: 0, toMs: 1, kernel: undefined });
    expect(waterfall(spec([])).rows).toEqual([]);
  });

  it.each([
    [0, 4000, [0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000]],
    [0, 12_000, [0, 2000, 4000, 6000, 8000, 10_000, 12_000]],
    [-300, 900, [-200, 0, 200, 400, 600, 800]],
  ])('puts round ticks between %i and %i ms', (from, to, expected) => {
    expect(ticks(from, to)).toEqual(expected);
  });

  it.each([
    [0, '0'],
    [250, '+250 ms'],
    [1400, '+1.4 s'],
    [1250, '+1.25 s'],
    [12_000, '+12 s'],
    [-200, '−200 ms'],
  ])('labels %i ms as %s', (ms, label) => {
    expect(axisLabel(ms)).toBe(label);
  });
});

describe('waterfallText', () => {
  it('draws the same rows in a terminal, control characters shown as ?', () => {
    const text = waterfallText(spec([...born, { timestamp_ms: T + 4000, actor: 'kernel', action: 'evil\u001b[2J' }]));
    expect(text.split('\n')).toEqual([
      'Birth of pod production/web-1',
      `${' '.repeat(47)}0           +1 s        +2 s       +3 s        +4 s`,
      `api-server  Pod created${' '.repeat(24)}│`,
      `scheduler   PodScheduled${' '.repeat(23)}${'█'.repeat(12)} +1 s`,
      `kernel      clone(CLONE_NEWNET)${' '.repeat(28)}██ +200 ms`,
      `runtime     cgroup write${' '.repeat(37)}${'█'.repeat(5)} +400 ms`,
      `kubelet     Ready${' '.repeat(49)}${'█'.repeat(28)} +2.4 s`,
      `kernel      evil?[2J${' '.repeat(74)}│`,
      'kernel: 10 syscalls, 2 namespaces, 3 cgroup writes, 400 ms',
      'Ready 4 s after creation; the longest phase was readiness (3 s).',
      '',
    ]);
  });
});
