import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepSummary } from '../../functions/sweep/handle.js';
import { KERNEL_WHISPER, POD, POD_BIRTH_CERTIFICATE } from '../../lib/api/group.js';
import { KubeApiError } from '../../lib/errors.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { FaultyKubeApi } from '../unit/sweep/faulty-api.js';
import { pingBinary } from '../unit/sweep/ping.js';
import { adminApi, createPod, freshNamespace } from './support/cluster.js';
import {
  applyIngestStatus,
  conditionOf,
  fetchObject,
  resourceVersions,
  runSweep,
  seedCertificate,
  seedWhisper,
  sweepApp,
} from './sweep-support.js';

// Convergence, overlap, failures and paging of the sweep against the real API server.
let api: KubeApi & { close(): void };

beforeAll(async () => {
  api = await adminApi();
});
afterAll(() => api.close());

/** A namespace with one of everything to do: missing status, resolved throttling, a pod gone, pods to list. */
async function untidyNamespace(prefix: string): Promise<string> {
  const ns = await freshNamespace(api, prefix);
  for (const name of ['a', 'b', 'c']) {
    const pod = await createPod(api, ns, name);
    await seedWhisper(api, ns, name, {
      podUid: pod.metadata.uid,
      status: name !== 'a',
      detectedAtMs: name === 'b' ? Date.now() - 20 * 60_000 : undefined,
    });
    await seedCertificate(api, ns, name, { podUid: pod.metadata.uid, status: false });
  }
  await api.delete(POD, { namespace: ns, name: 'c' });
  return ns;
}

describe('sweep safety against the real API server', () => {
  it('issues no write at all on a second sweep over the converged namespace', async () => {
    const ns = await untidyNamespace('sweep-converge');
    const first = await runSweep(sweepApp(api, ns));
    const versions = await resourceVersions(api, ns);
    const counted = new FaultyKubeApi(api);

    const second = await runSweep(sweepApp(counted, ns));

    expect(first.actions).toEqual({
      statusRepaired: 4,
      resolved: 1,
      markedPodGone: 2,
      markedInvalid: 0,
      deleted: 0,
      configMapUpdated: 1,
      lifecycleRefreshed: 0,
      rollupsApplied: 0,
      rollupsDeleted: 0,
    });
    expect(second).toMatchObject({ writes: 0, failures: [] });
    expect(counted.calls.filter((call) => call.verb !== 'list' && call.verb !== 'get')).toEqual([]);
    expect(await resourceVersions(api, ns)).toEqual(versions);
  });

  it('converges when two sweeps overlap: a third one finds nothing to do', async () => {
    const ns = await untidyNamespace('sweep-overlap');

    const both = await Promise.all([runSweep(sweepApp(api, ns)), runSweep(sweepApp(api, ns))]);
    const third = await runSweep(sweepApp(api, ns));

    for (const summary of both) expect(summary.failures.filter((failure) => failure.reason !== 'Conflict')).toEqual([]);
    expect(third).toMatchObject({ writes: 0, failures: [] });
    expect(conditionOf(await fetchObject(api, KERNEL_WHISPER, ns, 'c.app'), 'PodGone')).toMatchObject({
      status: 'True',
    });
    expect(conditionOf(await fetchObject(api, KERNEL_WHISPER, ns, 'b.app'), 'Throttled')).toMatchObject({
      reason: 'NoRecentObservation',
    });
  });

  it('loses no ingest write made between its read and its write: the stale status apply conflicts', async () => {
    const ns = await freshNamespace(api, 'sweep-race');
    const pod = await createPod(api, ns, 'web');
    await seedWhisper(api, ns, 'web', { podUid: pod.metadata.uid, detectedAtMs: Date.now() - 20 * 60_000 });
    const racing = new FaultyKubeApi(api);
    racing.before = async (call) => {
      if (call.verb !== 'apply_status' || call.name !== 'web.app') return;
      // The ingest function stores a fresh observation while the sweep is about to resolve the old one.
      const fresh = await seedWhisper(api, ns, 'web', { podUid: pod.metadata.uid, percent: 95, status: false });
      await applyIngestStatus(api, KERNEL_WHISPER, fresh, Date.now());
    };

    const raced = await runSweep(sweepApp(racing, ns));
    const after = await runSweep(sweepApp(api, ns));

    expect(raced).toMatchObject({
      conflicts: 1,
      actions: { resolved: 0 },
      failures: [{ object: `kernelwhispers/${ns}/web.app`, reason: 'Conflict' }],
    });
    expect(after).toMatchObject({ writes: 0 });
    expect(conditionOf(await fetchObject(api, KERNEL_WHISPER, ns, 'web.app'), 'Throttled')).toMatchObject({
      status: 'True',
      reason: 'CriticalThrottling',
    });
  });

  it('answers a PingSource event with 202 and an empty body even when every failure is a conflict', async () => {
    const ns = await untidyNamespace('sweep-ping');
    const conflicting = new FaultyKubeApi(api);
    conflicting.fault = (verb) =>
      verb === 'apply_status' ? new KubeApiError('the object has been modified', 'conflict', 409) : undefined;
    const ping = pingBinary();

    const response = await sweepApp(conflicting, ns).request('/', {
      method: 'POST',
      headers: ping.headers,
      body: ping.body,
    });

    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');
  });

  it('sweeps the other objects when one cannot be written, even marked Invalid', async () => {
    const ns = await freshNamespace(api, 'sweep-fail');
    for (const name of ['b', 'c']) await seedWhisper(api, ns, name, { status: false });
    const a = await seedWhisper(api, ns, 'a', { status: false });
    // Created by hand: the API server's date-time accepts lower case; our schema (and the status maths) do not.
    await api.create(
      KERNEL_WHISPER,
      {
        apiVersion: a.apiVersion,
        kind: a.kind,
        metadata: { name: 'odd.app', namespace: ns },
        spec: { ...(a.spec as object), pod_name: 'odd', detected_at: '2030-01-01t00:00:00z' },
      },
      { fieldManager: 'kubectl' },
    );
    const failing = new FaultyKubeApi(api);
    failing.fault = (verb, _type, name) =>
      verb === 'apply_status' && name === 'b.app'
        ? new KubeApiError('PATCH b.app: 422 rejected', 'rejected', 422)
        : undefined;

    const summary = await runSweep(sweepApp(failing, ns));

    // odd.app fails our schema, so the sweep marks it Invalid; but the CRD's transition rule reads
    // detected_at as a date-time on every update, which the API server cannot parse: it refuses the mark.
    expect(summary.failures.map((failure) => [failure.object, failure.reason]).sort()).toEqual([
      [`kernelwhispers/${ns}/b.app`, 'ObjectRejected'],
      [`kernelwhispers/${ns}/odd.app`, 'ObjectRejected'],
    ]);
    expect(summary.actions).toMatchObject({ statusRepaired: 2, markedPodGone: 2, markedInvalid: 0 });
    expect((await fetchObject(api, KERNEL_WHISPER, ns, 'a.app'))?.status).toBeDefined();
    expect((await fetchObject(api, KERNEL_WHISPER, ns, 'c.app'))?.status).toBeDefined();
  });

  it('pages through more objects than one page', async () => {
    const ns = await freshNamespace(api, 'sweep-pages');
    const names = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'];
    for (const name of names)
      await seedCertificate(api, ns, name, { podUid: (await createPod(api, ns, name)).metadata.uid, status: false });
    const counted = new FaultyKubeApi(api);

    const summary: SweepSummary = await runSweep(sweepApp(counted, ns, { SWEEP_PAGE_SIZE: '3' }));

    expect(summary.seen).toEqual({ kernelWhispers: 0, podBirthCertificates: 7, pods: 7, workloadWhispers: 0 });
    expect(summary.actions.statusRepaired).toBe(7);
    expect(counted.calls.filter((call) => call.verb === 'list' && call.type === 'podbirthcertificates')).toHaveLength(
      3,
    );
    const stored = (await api.list(POD_BIRTH_CERTIFICATE, { namespace: ns })).items;
    expect(stored.every((item) => item.status !== undefined)).toBe(true);
  });
});
