import { describe, expect, it } from 'vitest';
import type { KernelWhisperSpec } from '../../../lib/api/kernel-whisper.js';
import { desiredKernelWhisper } from '../../../lib/core/kernel-whisper.js';
import { desiredPodBirthCertificate } from '../../../lib/core/pod-birth.js';
import { microTime, newPodEvent, podEventFor, podEventSeries } from '../../../lib/core/pod-event.js';
import type { KubeObject } from '../../../lib/k8s/objects.js';
import { deepFreeze } from '../support/freeze.js';
import { birth, throttle } from '../support/observations.js';

const stored = <T extends KubeObject>(object: T): T =>
  deepFreeze({ ...object, metadata: { ...object.metadata, uid: 'kw-uid', generation: 1 } });
const whisper = (percent: number, resources = true) =>
  stored(
    desiredKernelWhisper({
      ...throttle({ throttle_percentage: percent }),
      ...(resources
        ? {
            container_resources: { container_type: 'regular', cpu_limit: '500m' },
            workload: { api_version: 'apps/v1', kind: 'Deployment', name: 'web' },
          }
        : {}),
    } as const),
  );

describe('podEventFor', () => {
  it('makes a critical KernelWhisper a Warning on its pod, with the concrete recommendation', () => {
    expect(podEventFor(whisper(85.5))).toEqual({
      name: 'throttled-pod.app.cputhrottled.uid1',
      namespace: 'production',
      reason: 'CPUThrottled',
      type: 'Warning',
      action: 'ObserveThrottling',
      note: 'Container app throttled in 85.5% of CFS periods (critical); increase CPU limits by 50%: raise the CPU limit of container app from 500m to 750m',
      observedAt: '2024-01-01T00:00:00.000Z',
      regarding: { apiVersion: 'v1', kind: 'Pod', name: 'throttled-pod', namespace: 'production', uid: 'uid-1' },
      related: {
        apiVersion: 'kernel.gossip.io/v1alpha1',
        kind: 'KernelWhisper',
        name: 'throttled-pod.app',
        namespace: 'production',
        uid: 'kw-uid',
      },
    });
  });

  it('says nothing for info severity, or without the pod UID that kubectl describe matches on', () => {
    expect(podEventFor(whisper(45.5))).toBeUndefined();
    const noUid = { ...whisper(90), spec: { ...(whisper(90).spec as KernelWhisperSpec), pod_uid: undefined } };
    expect(podEventFor(noUid)).toBeUndefined();
  });

  it('makes a recorded PodBirthCertificate a Normal BirthRecorded Event at its newest report', () => {
    const certificate = stored(
      desiredPodBirthCertificate(undefined, [
        birth({}, '2024-01-01T00:00:05.000Z', 'app'),
        birth({ total_syscalls: 10 }, '2024-01-01T00:00:09.000Z', 'sidecar'),
      ]),
    );
    expect(podEventFor(certificate)).toMatchObject({
      name: 'web-1.birthrecorded.uidweb1',
      reason: 'BirthRecorded',
      type: 'Normal',
      action: 'RecordBirth',
      note: 'Pod production/web-1 was born in 123 ms: 4531 syscalls, 12 namespace operations and 24 cgroup writes across 2 report(s).',
      observedAt: '2024-01-01T00:00:09.000Z',
      regarding: { kind: 'Pod', name: 'web-1', uid: 'uid-web-1' },
    });
  });

  it('keeps the note within the 1 kB events.k8s.io allows', () => {
    const long = stored({
      ...whisper(90),
      spec: { ...(whisper(90).spec as KernelWhisperSpec), container_name: 'c'.repeat(63), pod_name: 'p'.repeat(253) },
    });
    const note = podEventFor(long)?.note ?? '';
    expect(note.length).toBeLessThanOrEqual(1024);
  });
});

describe('Event bodies', () => {
  const intent = podEventFor(whisper(85.5));
  if (intent === undefined) throw new Error('no intent');

  it('creates with eventTime, reporter, action and note, and no series', () => {
    expect(newPodEvent(intent, 'ingest-00001-deployment-abc')).toEqual({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: {
        name: intent.name,
        namespace: 'production',
        labels: { 'app.kubernetes.io/managed-by': 'kernel-gossip' },
      },
      eventTime: '2024-01-01T00:00:00.000000Z',
      reportingController: 'kernel.gossip.io/ingest',
      reportingInstance: 'ingest-00001-deployment-abc',
      action: 'ObserveThrottling',
      reason: 'CPUThrottled',
      type: 'Warning',
      note: intent.note,
      regarding: intent.regarding,
      related: intent.related,
    });
  });

  it('updates only the series, guarded by the resourceVersion it counted from', () => {
    expect(podEventSeries(intent, 7, '42')).toEqual({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: intent.name, namespace: 'production', resourceVersion: '42' },
      series: { count: 7, lastObservedTime: '2024-01-01T00:00:00.000000Z' },
    });
  });

  it('writes MicroTime with six fractional digits', () => {
    expect(microTime('2024-01-01T00:00:00Z')).toBe('2024-01-01T00:00:00.000000Z');
    expect(microTime('2024-01-01T01:02:03.456+01:00')).toBe('2024-01-01T00:02:03.456000Z');
  });
});
