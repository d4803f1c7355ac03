import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PodBirthCertificateSpec, TimelineEntry } from '../../../lib/api/pod-birth-certificate.js';
import type { Pod } from '../../../lib/core/pod.js';
import { desiredPodBirthCertificate } from '../../../lib/core/pod-birth.js';
import {
  compareEntries,
  fuseLifecycle,
  isBorn,
  type LifecycleView,
  podLifecycle,
} from '../../../lib/core/pod-lifecycle.js';
import { deepFreeze } from '../support/freeze.js';
import { birth } from '../support/observations.js';

const T = Date.parse('2024-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T + seconds * 1000).toISOString();
const condition = (type: string, seconds: number, status = 'True') => ({
  type,
  status,
  lastTransitionTime: at(seconds),
});
const running = (name: string, seconds: number) => ({ name, state: { running: { startedAt: at(seconds) } } });

/** A pod created at T: scheduled +1 s, sandbox +3 s, init container +4 s, app +6 s, Ready +8 s. */
function bornPod(overrides: { uid?: string; conditions?: object[]; statuses?: object[] } = {}): Pod {
  return deepFreeze({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'production', uid: overrides.uid ?? 'uid-web-1', creationTimestamp: at(0) },
    spec: { initContainers: [{ name: 'setup' }], containers: [{ name: 'app' }, { name: 'sidecar' }] },
    status: {
      conditions: overrides.conditions ?? [
        condition('PodScheduled', 1),
        condition('PodReadyToStartContainers', 3),
        condition('Initialized', 5),
        condition('ContainersReady', 7),
        condition('Ready', 8),
      ],
      initContainerStatuses: [{ name: 'setup', state: { terminated: { startedAt: at(4) } } }],
      containerStatuses: overrides.statuses ?? [running('app', 6), { name: 'sidecar', state: { waiting: {} } }],
    },
  } as Pod);
}

const entry = (seconds: number, actor: string, action: string, step: string, container?: string): TimelineEntry =>
  ({
    timestamp_ms: T + seconds * 1000,
    actor,
    action,
    step,
    ...(container === undefined ? {} : { container }),
  }) as TimelineEntry;

describe('podLifecycle', () => {
  it('reads creation, the True conditions and each container first start, with their actors', () => {
    expect(podLifecycle(bornPod())).toEqual({
      pod_uid: 'uid-web-1',
      entries: [
        entry(0, 'api-server', 'Pod created', 'created'),
        entry(1, 'scheduler', 'PodScheduled', 'scheduled'),
        entry(3, 'runtime', 'PodReadyToStartContainers', 'sandbox-ready'),
        entry(5, 'kubelet', 'Initialized', 'initialized'),
        entry(7, 'kubelet', 'ContainersReady', 'containers-ready'),
        entry(8, 'kubelet', 'Ready', 'ready'),
        entry(4, 'runtime', 'Started init container setup', 'init-container-started', 'setup'),
        entry(6, 'runtime', 'Started container app', 'container-started', 'app'),
      ],
    });
  });

  it.each([
    ['a False condition', [condition('PodScheduled', 1, 'False')], []],
    ['a condition without a time', [{ type: 'Ready', status: 'True' }], []],
    ['an unknown condition type', [condition('DisruptionTarget', 2)], []],
  ])('leaves out %s', (_, conditions, expected) => {
    const view = podLifecycle(bornPod({ conditions, statuses: [] }));
    expect(view?.entries.filter((e) => e.step !== 'created' && e.step !== 'init-container-started')).toEqual(expected);
  });

  it('takes the earliest start a restarted container shows', () => {
    const restarted = {
      name: 'app',
      state: { running: { startedAt: at(20) } },
      lastState: { terminated: { startedAt: at(6) } },
    };
    const view = podLifecycle(bornPod({ statuses: [restarted] }));
    expect(view?.entries.find((e) => e.container === 'app')?.timestamp_ms).toBe(T + 6000);
  });

  it('reads nothing from a pod without UID or creation time', () => {
    const pod = bornPod();
    expect(podLifecycle({ ...pod, metadata: { ...pod.metadata, uid: undefined } })).toBeUndefined();
    expect(podLifecycle({ ...pod, metadata: { ...pod.metadata, creationTimestamp: undefined } })).toBeUndefined();
  });
});

describe('fuseLifecycle through the ingest', () => {
  const report = birth({ timeline: [{ timestamp_ms: T + 2500, action: 'clone(CLONE_NEWNET)' }] }, at(9), 'app');
  const spec = (object: { spec?: unknown }) => object.spec as PodBirthCertificateSpec;
  const withView = (view: LifecycleView | undefined) => deepFreeze({ ...report, ...(view ? { lifecycle: view } : {}) });

  it('puts the lifecycle and the kernel entries in one order', () => {
    const fused = spec(desiredPodBirthCertificate(undefined, [withView(podLifecycle(bornPod()))]));
    expect(fused.timeline.map((e) => [e.timestamp_ms - T, e.step ?? e.action])).toEqual([
      [0, 'created'],
      [1000, 'scheduled'],
      [2500, 'clone(CLONE_NEWNET)'],
      [3000, 'sandbox-ready'],
      [4000, 'init-container-started'],
      [5000, 'initialized'],
      [6000, 'container-started'],
      [7000, 'containers-ready'],
      [8000, 'ready'],
    ]);
    expect(isBorn(fused)).toBe(true);
  });

  it('keeps each step at its earliest reading, whatever the order of the readings', () => {
    const early = podLifecycle(bornPod({ conditions: [condition('PodScheduled', 1)], statuses: [] }));
    const late = podLifecycle(bornPod({ conditions: [condition('PodScheduled', 1), condition('Ready', 30)] }));
    const ready = podLifecycle(bornPod());
    const views = [early, late, ready];
    fc.assert(
      fc.property(
        fc.shuffledSubarray([0, 1, 2], { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 0, max: 2 }),
        (order, dup) => {
          let stored: PodBirthCertificateSpec | undefined;
          for (const index of [...order, dup])
            stored = spec(desiredPodBirthCertificate(stored, [withView(views[index])]));
          const readyAt = stored?.timeline.find((e) => e.step === 'ready')?.timestamp_ms;
          expect(readyAt).toBe(T + 8000);
          expect(stored).toEqual(spec(desiredPodBirthCertificate(undefined, [withView(ready), withView(late)])));
        },
      ),
    );
  });

  it('drops the lifecycle of another pod of the same name, and an old one when the pod is replaced', () => {
    const other = podLifecycle(bornPod({ uid: 'uid-other' }));
    expect(spec(desiredPodBirthCertificate(undefined, [withView(other)])).timeline.filter((e) => e.step)).toEqual([]);
    const stored = spec(desiredPodBirthCertificate(undefined, [withView(podLifecycle(bornPod()))]));
    const replaced = deepFreeze({ ...report, pod: { ...report.pod, pod_uid: 'uid-2' }, observedAt: at(60) });
    expect(spec(desiredPodBirthCertificate(stored, [replaced])).timeline.filter((e) => e.step)).toEqual([]);
  });

  it('changes nothing for a redelivery with the same reading', () => {
    const once = spec(desiredPodBirthCertificate(undefined, [withView(podLifecycle(bornPod()))]));
    expect(spec(desiredPodBirthCertificate(deepFreeze(once), [withView(podLifecycle(bornPod()))]))).toEqual(once);
    expect(fuseLifecycle(once, once, [])).toEqual(once);
  });
});

describe('compareEntries', () => {
  it('gives entries of the same millisecond one order, whatever order they come in', () => {
    const same: TimelineEntry[] = [
      entry(7, 'kubelet', 'Ready', 'ready'),
      entry(7, 'kubelet', 'ContainersReady', 'containers-ready'),
      entry(7, 'runtime', 'Started container b', 'container-started', 'b'),
      entry(7, 'runtime', 'Started container a', 'container-started', 'a'),
      { timestamp_ms: T + 7000, actor: 'kernel', action: 'execve /app' },
      { timestamp_ms: T + 7000, actor: 'runtime', action: 'cgroup write' },
    ];
    const canonical = [same[3], same[2], same[1], same[0], same[4], same[5]];
    fc.assert(
      fc.property(fc.shuffledSubarray(same, { minLength: same.length, maxLength: same.length }), (shuffled) => {
        expect([...shuffled].sort(compareEntries)).toEqual(canonical);
      }),
    );
  });
});
