import { describe, expect, it } from 'vitest';
import { KERNEL_WHISPER } from '../../lib/api/group.js';
import { desiredStatus } from '../../lib/core/ingest-plan.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import {
  createPod,
  deletePod,
  functionsOn,
  managedFields,
  outcomeOf,
  runSweep,
  sendThrottle,
  statusOwners,
  useFunctionsCluster,
  whisper,
} from './support/functions.js';

/**
 * docs/design.md "Field ownership", read back from the real server's
 * managedFields: kernel-gossip-ingest owns every status field derived from the
 * spec and the clock, whichever function computes it; kernel-gossip-sweep owns
 * only its PodGone condition. A recommendation that no longer holds disappears.
 */
const connected = useFunctionsCluster();

type Status = Record<string, unknown> | undefined;
const statusOf = (object: KubeObject | undefined) => object?.status as Status;

describe('field ownership against the real API server', () => {
  it('drops the raised limit and its command when a later observation is low, after the sweep wrote the status', async () => {
    const system = await functionsOn(connected());
    const t0 = system.clock.nowMs;
    await createPod(system, 'web', { containers: [{ name: 'app', limit: '500m' }] });
    expect(outcomeOf(await sendThrottle(system, 0, { pod: 'web', percent: 95, atMs: t0 }))).toBe('202 applied');
    expect(statusOf(await whisper(system, 'web.app'))).toMatchObject({ recommended_cpu_limit: '750m' });

    // Throttling stopped: the sweep recomputes the status for the clock; then the pod is gone.
    system.clock.nowMs = t0 + 601_000;
    await runSweep(system);
    await deletePod(system, 'web');
    await runSweep(system);
    await createPod(system, 'web', { containers: [{ name: 'app', limit: '500m' }] });
    system.clock.nowMs = t0 + 700_000;
    expect(outcomeOf(await sendThrottle(system, 1, { pod: 'web', percent: 10, atMs: t0 + 650_000 }))).toBe(
      '202 applied',
    );

    const status = statusOf(await whisper(system, 'web.app'));
    expect(status).toMatchObject({ priority: 'low', recommendation: 'no action required' });
    expect(status?.recommended_cpu_limit).toBeUndefined();
    expect(status?.recommended_command).toBeUndefined();
    const owners = statusOwners(await managedFields(system, 'kernelwhispers', 'web.app'));
    expect(owners['kernel-gossip-sweep']).toEqual(['k:{"type":"PodGone"}']);
    expect(owners['kernel-gossip-ingest']).toContain('f:priority');
    expect(owners['kernel-gossip-ingest']).not.toContain('k:{"type":"PodGone"}');
  });

  it('releases what an earlier sweep co-owned, so the next sweep removes a field the ingest stopped sending', async () => {
    const system = await functionsOn(connected());
    const t0 = system.clock.nowMs;
    await createPod(system, 'api', { containers: [{ name: 'app', limit: '250m' }] });
    await sendThrottle(system, 0, { pod: 'api', percent: 90, atMs: t0 });
    const stored = (await whisper(system, 'api.app')) as KubeObject;
    // What the sweep before this fix did: the whole status under its own manager.
    const whole = desiredStatus(stored, { nowMs: t0, resolvedAfterMs: 600_000, targetPercent: 10 });
    const { name, namespace, resourceVersion } = stored.metadata;
    await connected().api.applyStatus(
      KERNEL_WHISPER,
      {
        apiVersion: stored.apiVersion,
        kind: stored.kind,
        metadata: { name, namespace, resourceVersion },
        status: whole,
      },
      { fieldManager: 'kernel-gossip-sweep' },
    );
    await sendThrottle(system, 0, { pod: 'api', percent: 20, atMs: t0 + 1000 });
    expect(statusOf(await whisper(system, 'api.app'))?.recommended_cpu_limit).toBe('400m');

    const summary = await runSweep(system);

    expect(summary.actions).toMatchObject({ statusRepaired: 1, resolved: 0, markedPodGone: 0 });
    expect(statusOf(await whisper(system, 'api.app'))?.recommended_cpu_limit).toBeUndefined();
    expect(statusOwners(await managedFields(system, 'kernelwhispers', 'api.app'))['kernel-gossip-sweep'] ?? []).toEqual(
      [],
    );
    expect((await runSweep(system)).writes).toBe(0);
  });
});
