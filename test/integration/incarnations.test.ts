import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../lib/k8s/objects.js';
import type { System } from '../model/system.js';
import {
  certificate,
  createPod,
  deletePod,
  functionsOn,
  outcomeOf,
  sendBirth,
  sendThrottle,
  useFunctionsCluster,
  whisper,
} from './support/functions.js';

/**
 * A pod recreated under the same name (a new UID, as a StatefulSet does): the
 * objects follow the live pod, an event of the earlier pod never overwrites the
 * new one, and one naming a UID nobody knows yet is retried. An instance may
 * still cache the earlier pod. And a container the pod does not have is refused.
 */
const connected = useFunctionsCluster();

const specOf = (object: KubeObject | undefined) => object?.spec as Record<string, unknown> | undefined;

/** A pod created, observed once through instance 0 (which now caches it), then recreated. */
async function recreated(system: System): Promise<{ oldUid: string; newUid: string; newCreatedMs: number }> {
  const old = await createPod(system, 'db-0');
  system.clock.nowMs = Date.parse(old.metadata.creationTimestamp ?? '') + 10_000;
  expect(outcomeOf(await sendThrottle(system, 0, { pod: 'db-0', percent: 60, atMs: system.clock.nowMs }))).toBe(
    '202 applied',
  );
  await deletePod(system, 'db-0');
  // The new pod's creationTimestamp (whole seconds) must come after the first observation.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const fresh = await createPod(system, 'db-0');
  const newCreatedMs = Date.parse(fresh.metadata.creationTimestamp ?? '');
  system.clock.nowMs = Math.max(system.clock.nowMs, newCreatedMs) + 10_000;
  return { oldUid: old.metadata.uid ?? '', newUid: fresh.metadata.uid ?? '', newCreatedMs };
}

describe('pod incarnations against the real API server', () => {
  it('applies an event of the new pod although the instance still caches the earlier one', async () => {
    const system = await functionsOn(connected());
    const { newUid } = await recreated(system);

    const response = await sendThrottle(system, 0, { pod: 'db-0', percent: 85, atMs: system.clock.nowMs, uid: newUid });

    expect(outcomeOf(response)).toBe('202 applied');
    expect(specOf(await whisper(system, 'db-0.app'))).toMatchObject({ pod_uid: newUid, severity: 'critical' });
  });

  it('follows the live pod for an event without a UID, even through an instance that caches the earlier pod', async () => {
    const system = await functionsOn(connected());
    const { newUid } = await recreated(system);
    await sendThrottle(system, 1, { pod: 'db-0', percent: 70, atMs: system.clock.nowMs, uid: newUid });

    const response = await sendThrottle(system, 0, { pod: 'db-0', percent: 90, atMs: system.clock.nowMs + 1000 });

    expect(outcomeOf(response)).toBe('202 applied');
    expect(specOf(await whisper(system, 'db-0.app'))).toMatchObject({ pod_uid: newUid, severity: 'critical' });
  });

  it('skips an event of the earlier pod: its UID, or no UID and a time before the new pod was created', async () => {
    const system = await functionsOn(connected());
    const { oldUid, newUid, newCreatedMs } = await recreated(system);
    await sendThrottle(system, 1, { pod: 'db-0', percent: 30, atMs: system.clock.nowMs, uid: newUid });

    const late = { pod: 'db-0', percent: 99, atMs: newCreatedMs - 6000 };
    expect(outcomeOf(await sendThrottle(system, 1, { ...late, uid: oldUid }))).toBe('202 skipped');
    expect(outcomeOf(await sendThrottle(system, 1, late))).toBe('202 skipped');
    // Instance 0 still remembers the earlier pod and its finding: older than that, the event is stale there.
    expect(outcomeOf(await sendThrottle(system, 0, late))).toMatch(/^202 (skipped|stale)$/);
    expect(specOf(await whisper(system, 'db-0.app'))).toMatchObject({ pod_uid: newUid, severity: 'info' });
  });

  it('replaces a finding of the earlier pod even when the new pod reports an older time', async () => {
    const system = await functionsOn(connected());
    const old = await createPod(system, 'db-0');
    // The earlier pod's node clock ran ahead: its last observation is stamped later than the new pod's first.
    system.clock.nowMs = Date.parse(old.metadata.creationTimestamp ?? '') + 60_000;
    await sendThrottle(system, 0, { pod: 'db-0', percent: 95, atMs: system.clock.nowMs });
    await deletePod(system, 'db-0');
    const fresh = await createPod(system, 'db-0');
    const atMs = Date.parse(fresh.metadata.creationTimestamp ?? '') + 1000;

    const response = await sendThrottle(system, 1, { pod: 'db-0', percent: 20, atMs, uid: fresh.metadata.uid });

    expect(outcomeOf(response)).toBe('202 applied');
    expect(specOf(await whisper(system, 'db-0.app'))).toMatchObject({ pod_uid: fresh.metadata.uid, severity: 'info' });
  });

  it('retries an event whose UID matches no pod of that name yet (404), and gives up after the window (422)', async () => {
    const system = await functionsOn(connected());
    await recreated(system);
    const unknown = '0b8f7a1e-dead-4bee-8f00-000000000000';

    const young = await sendThrottle(system, 0, { pod: 'db-0', percent: 85, atMs: system.clock.nowMs, uid: unknown });
    system.clock.nowMs += 121_000;
    const old = await sendThrottle(system, 0, {
      pod: 'db-0',
      percent: 85,
      atMs: system.clock.nowMs - 121_000,
      uid: unknown,
    });

    expect([young.status, old.status]).toEqual([404, 422]);
  });

  it('starts the birth certificate afresh for the new pod instead of adding its reports to the earlier one', async () => {
    const system = await functionsOn(connected());
    const old = await createPod(system, 'db-0', { containers: [{ name: 'app' }, { name: 'init' }] });
    system.clock.nowMs = Date.parse(old.metadata.creationTimestamp ?? '') + 10_000;
    await sendBirth(system, 0, { pod: 'db-0', container: 'init', atMs: system.clock.nowMs });
    await deletePod(system, 'db-0');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const fresh = await createPod(system, 'db-0', { containers: [{ name: 'app' }] });
    system.clock.nowMs = Date.parse(fresh.metadata.creationTimestamp ?? '') + 10_000;

    // Through instance 1: instance 0 may attribute an event without UID to the pod it cached, for 30 s.
    expect(outcomeOf(await sendBirth(system, 1, { pod: 'db-0', container: 'app', atMs: system.clock.nowMs }))).toBe(
      '202 applied',
    );

    const spec = specOf(await certificate(system, 'db-0'));
    expect(spec?.pod_uid).toBe(fresh.metadata.uid);
    expect(((spec?.reports ?? []) as { id: string }[]).map((report) => report.id)).toEqual(['app']);
    expect(spec?.kernel_stats).toMatchObject({ total_syscalls: 100 });
  });

  it('refuses, for good, an observation of a container the pod does not have, and writes nothing', async () => {
    const system = await functionsOn(connected());
    const pod = await createPod(system, 'web', { containers: [{ name: 'app' }] });
    system.clock.nowMs = Date.parse(pod.metadata.creationTimestamp ?? '') + 10_000;

    const throttle = await sendThrottle(system, 0, {
      pod: 'web',
      container: 'ghost',
      percent: 85,
      atMs: system.clock.nowMs,
    });
    const birth = await sendBirth(system, 0, { pod: 'web', container: 'ghost', atMs: system.clock.nowMs });

    expect([throttle.status, birth.status]).toEqual([422, 422]);
    expect(await throttle.json()).toMatchObject({ error: 'ContainerNotInPod' });
    expect(await whisper(system, 'web.ghost')).toBeUndefined();
    expect(await certificate(system, 'web')).toBeUndefined();
  });
});
