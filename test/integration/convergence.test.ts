import { describe, expect, it } from 'vitest';
import { KERNEL_WHISPER, POD_BIRTH_CERTIFICATE } from '../../lib/api/group.js';
import type { System } from '../model/system.js';
import {
  certificate,
  createPod,
  functionsOn,
  outcomeOf,
  sendBirth,
  sendThrottle,
  useFunctionsCluster,
  whisper,
} from './support/functions.js';

/**
 * What the generated sequences found about convergence, each replayed on
 * purpose against the real API server: observations stamped with the same
 * instant agree whatever their arrival order; an instance's memory of objects
 * and pods expires with the injected clock, so a deleted object is written
 * again and a resized limit shows up.
 */
const connected = useFunctionsCluster();

async function podAt(system: System, name: string, limit = '500m'): Promise<void> {
  const pod = await createPod(system, name, { containers: [{ name: 'app', limit }] });
  system.clock.nowMs = Date.parse(pod.metadata.creationTimestamp ?? '') + 10_000;
}

describe('convergence against the real API server', () => {
  it('converges on the same finding for two observations of the same instant, in either order', async () => {
    const system = await functionsOn(connected());
    await podAt(system, 'ab');
    await podAt(system, 'ba');
    const atMs = system.clock.nowMs - 1000;
    const one = { percent: 60, atMs, source: '/kernel-observer/node-1', reported: 0.1 };
    const two = { percent: 90, atMs, source: '/kernel-observer/node-2', reported: 0.3 };

    for (const event of [one, two]) await sendThrottle(system, 0, { ...event, pod: 'ab' });
    for (const event of [two, one]) await sendThrottle(system, 1, { ...event, pod: 'ba' });

    const [ab, ba] = [await whisper(system, 'ab.app'), await whisper(system, 'ba.app')];
    const comparable = (spec: unknown) => ({ ...(spec as object), pod_name: '', pod_uid: '', workload: undefined });
    expect(comparable(ab?.spec)).toEqual(comparable(ba?.spec));
  });

  it('writes an object again after it was deleted, once the instance memory (30 s of the clock) has passed', async () => {
    const system = await functionsOn(connected());
    await podAt(system, 'web');
    const event = { pod: 'web', percent: 85, atMs: system.clock.nowMs };
    expect(outcomeOf(await sendThrottle(system, 0, event))).toBe('202 applied');
    await connected().api.delete(KERNEL_WHISPER, { namespace: system.namespace, name: 'web.app' });

    const remembered = await sendThrottle(system, 0, event);
    system.clock.nowMs += 31_000;
    const later = await sendThrottle(system, 0, event);

    expect([outcomeOf(remembered), outcomeOf(later)]).toEqual(['202 unchanged', '202 applied']);
    expect(await whisper(system, 'web.app')).toBeDefined();
  });

  it('does not bring back the reports of a certificate deleted while an instance remembers it', async () => {
    const system = await functionsOn(connected());
    await podAt(system, 'web');
    const atMs = system.clock.nowMs;
    expect(outcomeOf(await sendBirth(system, 0, { pod: 'web', atMs }))).toBe('202 applied');
    await connected().api.delete(POD_BIRTH_CERTIFICATE, { namespace: system.namespace, name: 'web' });

    // Within the 30 s the instance remembers the deleted certificate; its update must not create it from memory.
    const response = await sendBirth(system, 0, { pod: 'web', container: 'app', atMs });

    expect(outcomeOf(response)).toBe('202 applied');
    const spec = (await certificate(system, 'web'))?.spec as { reports?: { id: string }[] } | undefined;
    const reports = spec?.reports ?? [];
    expect(reports.map((report) => report.id)).toEqual(['app']);
  });

  it('reads a resized limit once the cached pod is 30 s old on the injected clock', async () => {
    const system = await functionsOn(connected());
    await podAt(system, 'web', '500m');
    await sendThrottle(system, 0, { pod: 'web', percent: 85, atMs: system.clock.nowMs });
    const path = `/api/v1/namespaces/${system.namespace}/pods/web/resize`;
    const patch = { spec: { containers: [{ name: 'app', resources: { limits: { cpu: '1' } } }] } };
    const resized = await connected().request('PATCH', path, {
      contentType: 'application/strategic-merge-patch+json',
      json: patch,
    });
    expect(resized.status).toBe(200);

    system.clock.nowMs += 31_000;
    await sendThrottle(system, 0, { pod: 'web', percent: 85, atMs: system.clock.nowMs });

    expect((await whisper(system, 'web.app'))?.status).toMatchObject({
      current_cpu_limit: '1000m',
      recommended_cpu_limit: '1500m',
    });
  });
});
