import { describe, expect, it } from 'vitest';
import type { LifecycleStep, TimelineEntry } from '../../../lib/api/pod-birth-certificate.js';
import { birthPhases, formatDuration, phasesInsight } from '../../../lib/core/birth-phases.js';
import { deepFreeze } from '../support/freeze.js';

const T = Date.parse('2024-01-01T00:00:00Z');
const step = (seconds: number, name: LifecycleStep): TimelineEntry => ({
  timestamp_ms: T + seconds * 1000,
  actor: 'kubelet',
  action: name,
  step: name,
});
const kernel: TimelineEntry = { timestamp_ms: T + 2500, actor: 'kernel', action: 'clone(CLONE_NEWNET)' };

describe('birthPhases', () => {
  it.each([
    [
      'every milestone: scheduling 1 s, sandbox 2 s, first container 1 s, readiness 4 s',
      [
        step(0, 'created'),
        step(1, 'scheduled'),
        kernel,
        step(3, 'sandbox-ready'),
        step(4, 'init-container-started'),
        step(6, 'container-started'),
        step(8, 'ready'),
      ],
      {
        scheduled_after_ms: 1000,
        sandbox_ready_after_ms: 3000,
        first_container_started_after_ms: 4000,
        ready_after_ms: 8000,
        longest_phase: 'readiness',
        longest_phase_ms: 4000,
      },
    ],
    [
      'no sandbox condition (before Kubernetes 1.29): its time folds into the first container',
      [step(0, 'created'), step(1, 'scheduled'), step(5, 'container-started'), step(6, 'ready')],
      {
        scheduled_after_ms: 1000,
        first_container_started_after_ms: 5000,
        ready_after_ms: 6000,
        longest_phase: 'first-container',
        longest_phase_ms: 4000,
      },
    ],
    [
      'not Ready yet: the longest phase so far',
      [step(0, 'created'), step(3, 'scheduled')],
      { scheduled_after_ms: 3000, longest_phase: 'scheduling', longest_phase_ms: 3000 },
    ],
    [
      'a tie goes to the earlier phase',
      [step(0, 'created'), step(2, 'scheduled'), step(4, 'sandbox-ready')],
      { scheduled_after_ms: 2000, sandbox_ready_after_ms: 4000, longest_phase: 'scheduling', longest_phase_ms: 2000 },
    ],
    [
      'a condition stamped before creation (clock skew) counts as 0',
      [step(5, 'created'), step(4, 'scheduled'), step(7, 'ready')],
      { scheduled_after_ms: 0, ready_after_ms: 2000, longest_phase: 'readiness', longest_phase_ms: 2000 },
    ],
    ['only the creation', [step(0, 'created')], {}],
  ])('%s', (_, timeline, expected) => {
    const created = timeline.find((e) => e.step === 'created')?.timestamp_ms ?? 0;
    expect(birthPhases(deepFreeze(timeline))).toEqual({ created_at: new Date(created).toISOString(), ...expected });
  });

  it('is absent without a creation entry (a certificate of the earlier operator)', () => {
    expect(birthPhases([kernel])).toBeUndefined();
  });
});

describe('phasesInsight', () => {
  it('says when the pod became Ready and what took longest', () => {
    expect(phasesInsight(birthPhases([step(0, 'created'), step(1, 'scheduled'), step(8, 'ready')]))).toBe(
      'Ready 8 s after creation; the longest phase was readiness (7 s).',
    );
    expect(phasesInsight(birthPhases([step(0, 'created'), step(3, 'scheduled')]))).toBe(
      'Not Ready yet; the longest phase so far is scheduling (3 s).',
    );
  });

  it.each([
    [0, '0 s'],
    [250, '250 ms'],
    [3000, '3 s'],
    [1250, '1.3 s'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
