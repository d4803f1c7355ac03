import { describe, expect, it } from 'vitest';
import type { PodBirthCertificateSpec } from '../../../lib/api/pod-birth-certificate.js';
import { desiredPodBirthCertificate, podBirthCertificateStatus } from '../../../lib/core/pod-birth.js';
import { deepFreeze } from '../support/freeze.js';
import { birth } from '../support/observations.js';

const spec = (object: { spec?: unknown }) => object.spec as PodBirthCertificateSpec;

describe('desiredPodBirthCertificate', () => {
  const app = deepFreeze(birth({}, '2024-01-01T00:00:00.000Z', 'app'));
  const sidecar = deepFreeze(
    birth(
      {
        total_syscalls: 100,
        namespace_ops: 0,
        cgroup_writes: 3,
        duration_ns: 200_000_000,
        timeline: [{ timestamp_ms: 1003, action: 'mount /proc', actor: 'kernel' }],
      },
      '2024-01-01T00:00:01.000Z',
      'sidecar',
    ),
  );

  it('sums counters over distinct reports and unions the timeline in time order', () => {
    const merged = spec(desiredPodBirthCertificate(spec(desiredPodBirthCertificate(undefined, [app])), [sidecar]));
    expect(merged.kernel_stats).toEqual({
      total_syscalls: 4621,
      namespaces_created: 6,
      cgroup_writes: 15,
      total_duration_ms: 200,
    });
    expect(merged.timeline).toEqual([
      { timestamp_ms: 1000, actor: 'kernel', action: 'clone(CLONE_NEWNET)' },
      { timestamp_ms: 1003, actor: 'kernel', action: 'mount /proc' },
      { timestamp_ms: 1005, actor: 'runtime', action: 'cgroup write cpu.max' },
    ]);
    expect(merged.reports?.map((report) => report.id)).toEqual(['app', 'sidecar']);
  });

  it('does not count a redelivered report twice', () => {
    const once = spec(desiredPodBirthCertificate(undefined, [app]));
    const twice = spec(desiredPodBirthCertificate(deepFreeze(once), [app]));
    expect(twice).toEqual(once);
  });

  it('identifies a report without a container by its content', () => {
    const anonymous = birth({}, '2024-01-01T00:00:00.000Z');
    const once = spec(desiredPodBirthCertificate(undefined, [anonymous]));
    expect(spec(desiredPodBirthCertificate(once, [anonymous]))).toEqual(once);
    expect(once.reports?.[0]?.id).toMatch(/^report-[0-9a-f]{16}$/);
  });

  it('gives the same certificate whatever the order of the reports', () => {
    const forward = spec(desiredPodBirthCertificate(spec(desiredPodBirthCertificate(undefined, [app])), [sidecar]));
    const backward = spec(desiredPodBirthCertificate(spec(desiredPodBirthCertificate(undefined, [sidecar])), [app]));
    expect(backward).toEqual(forward);
  });

  it('records iptables rules only when an observer counted them', () => {
    expect(spec(desiredPodBirthCertificate(undefined, [app])).kernel_stats.iptables_rules).toBeUndefined();
    expect(
      spec(desiredPodBirthCertificate(undefined, [birth({ iptables_rules: 7 }, undefined, 'x')])).kernel_stats
        .iptables_rules,
    ).toBe(7);
  });
});

describe('podBirthCertificateStatus', () => {
  it('summarises the birth with a Recorded condition', () => {
    const status = podBirthCertificateStatus(
      spec(desiredPodBirthCertificate(undefined, [birth({}, undefined, 'app')])),
      1,
    );
    expect(status).toEqual({
      insight:
        'Pod production/web-1 was born in 123 ms: 4521 syscalls, 6 namespace operations and 12 cgroup writes across 1 report(s).',
      report_count: 1,
      last_updated: '2024-01-01T00:00:00.000Z',
      observed_generation: 1,
      conditions: [
        {
          type: 'Recorded',
          status: 'True',
          reason: 'BirthRecorded',
          message: status.insight,
          lastTransitionTime: '2024-01-01T00:00:00.000Z',
          observedGeneration: 1,
        },
      ],
    });
  });
});
