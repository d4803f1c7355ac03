import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KERNEL_WHISPER, POD, POD_BIRTH_CERTIFICATE } from '../../lib/api/group.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { adminApi, createPod, freshNamespace, kubectl } from './support/cluster.js';
import {
  applyIngestStatus,
  conditionOf,
  fetchObject,
  monitoredPodsIn,
  runSweep,
  seedCertificate,
  seedWhisper,
  sweepApp,
} from './sweep-support.js';

// Each action of the sweep against the real API server, one fresh namespace per test.
let api: KubeApi & { close(): void };

beforeAll(async () => {
  api = await adminApi();
});
afterAll(() => api.close());

async function podUid(namespace: string, name: string): Promise<string> {
  const pod = await createPod(api, namespace, name);
  return pod.metadata.uid ?? '';
}

describe('sweep against the real API server', () => {
  it('repairs a status the ingest never wrote, and one behind its generation', async () => {
    const ns = await freshNamespace(api, 'sweep-repair');
    await seedWhisper(api, ns, 'missing', { podUid: await podUid(ns, 'missing'), status: false });
    await seedCertificate(api, ns, 'missing', { podUid: await podUid(ns, 'born'), status: false });
    const current = await seedWhisper(api, ns, 'behind', { podUid: await podUid(ns, 'behind') });
    await api.apply(
      KERNEL_WHISPER,
      {
        ...current,
        metadata: { name: 'behind.app', namespace: ns },
        spec: { ...(current.spec as object), severity: 'warning' },
      },
      { fieldManager: 'kernel-gossip-ingest' },
    );

    const summary = await runSweep(sweepApp(api, ns));

    expect(summary.actions).toMatchObject({ statusRepaired: 3, resolved: 0 });
    const repaired = await fetchObject(api, KERNEL_WHISPER, ns, 'missing.app');
    expect(repaired?.status).toMatchObject({
      observed_generation: 1,
      recommendation: expect.stringMatching(/^increase CPU limits by 50%/),
      priority: 'high',
    });
    expect(conditionOf(repaired, 'Throttled')).toMatchObject({ status: 'True', reason: 'CriticalThrottling' });
    expect((await fetchObject(api, POD_BIRTH_CERTIFICATE, ns, 'missing'))?.status).toMatchObject({
      report_count: 1,
      observed_generation: 1,
    });
    const behind = await fetchObject(api, KERNEL_WHISPER, ns, 'behind.app');
    expect(behind?.status).toMatchObject({ observed_generation: 2 });
    expect(conditionOf(behind, 'Throttled')).toMatchObject({ reason: 'WarningThrottling', observedGeneration: 2 });
    // Our client drops managedFields from responses; kubectl shows them. The repair is the ingest's
    // status, computed by the sweep: applied under the ingest's manager (docs/design.md "Field ownership").
    const owners = (
      JSON.parse(await kubectl(['get', 'kw', '-n', ns, 'behind.app', '-o', 'json', '--show-managed-fields'])) as {
        metadata: { managedFields?: { manager: string; subresource?: string }[] };
      }
    ).metadata;
    expect(
      owners.managedFields
        ?.filter((entry) => entry.subresource === 'status')
        .map((entry) => entry.manager)
        .sort(),
    ).toEqual(['kernel-gossip-ingest']);
  });

  it('marks throttling that stopped as resolved and keeps the spec', async () => {
    const ns = await freshNamespace(api, 'sweep-resolve');
    const detectedAtMs = Date.now() - 11 * 60_000;
    const before = await seedWhisper(api, ns, 'quiet', { podUid: await podUid(ns, 'quiet'), detectedAtMs });

    const summary = await runSweep(sweepApp(api, ns));

    expect(summary.actions).toMatchObject({ resolved: 1, statusRepaired: 0 });
    const after = await fetchObject(api, KERNEL_WHISPER, ns, 'quiet.app');
    expect(after?.spec).toEqual(before.spec);
    expect(after?.metadata.generation).toBe(1);
    expect(conditionOf(after, 'Throttled')).toMatchObject({
      status: 'False',
      reason: 'NoRecentObservation',
      lastTransitionTime: new Date(detectedAtMs + 600_000).toISOString(),
    });
    expect((after?.status as { insight?: string } | undefined)?.insight).toMatch(/^Throttling stopped/);
  });

  it('marks resources whose pod was deleted or replaced, and deletes them after the retention window', async () => {
    const ns = await freshNamespace(api, 'sweep-gone');
    const goneUid = await podUid(ns, 'gone');
    const replacedUid = await podUid(ns, 'replaced');
    await seedWhisper(api, ns, 'gone', { podUid: goneUid });
    await seedCertificate(api, ns, 'gone', { podUid: goneUid });
    await seedWhisper(api, ns, 'replaced', { podUid: replacedUid });
    await api.delete(POD, { namespace: ns, name: 'gone' });
    await api.delete(POD, { namespace: ns, name: 'replaced' });
    await createPod(api, ns, 'replaced');

    const marked = await runSweep(sweepApp(api, ns));
    const kept = await runSweep(sweepApp(api, ns));

    expect(marked.actions).toMatchObject({ markedPodGone: 3, deleted: 0 });
    expect(kept).toMatchObject({ writes: 0 });
    expect(conditionOf(await fetchObject(api, KERNEL_WHISPER, ns, 'gone.app'), 'PodGone')).toMatchObject({
      status: 'True',
      reason: 'PodDeleted',
    });
    expect(conditionOf(await fetchObject(api, POD_BIRTH_CERTIFICATE, ns, 'gone'), 'PodGone')).toMatchObject({
      status: 'True',
      reason: 'PodDeleted',
    });
    expect(await kubectl(['get', 'kw', '-n', ns, 'gone.app', '--no-headers'])).toMatch(/\bPodDeleted\b/);
    expect(conditionOf(await fetchObject(api, KERNEL_WHISPER, ns, 'replaced.app'), 'PodGone')).toMatchObject({
      status: 'True',
      reason: 'PodReplaced',
    });

    const deleted = await runSweep(sweepApp(api, ns, { KW_RETENTION_SECONDS: '0', PBC_RETENTION_SECONDS: '0' }));

    expect(deleted.actions).toMatchObject({ deleted: 3 });
    expect((await api.list(KERNEL_WHISPER, { namespace: ns })).items).toEqual([]);
    expect((await api.list(POD_BIRTH_CERTIFICATE, { namespace: ns })).items).toEqual([]);
  });

  it('keeps a resource whose pod came back under the same UID in its spec (a newer observation)', async () => {
    const ns = await freshNamespace(api, 'sweep-back');
    await seedWhisper(api, ns, 'web', { podUid: 'b0d3c0de-0000-4000-8000-000000000000' });
    await runSweep(sweepApp(api, ns));
    const uid = await podUid(ns, 'web');
    const newer = await seedWhisper(api, ns, 'web', { podUid: uid, detectedAtMs: Date.now() - 1000, status: false });
    await applyIngestStatus(api, KERNEL_WHISPER, newer, Date.now());

    const summary = await runSweep(sweepApp(api, ns, { KW_RETENTION_SECONDS: '0' }));

    expect(summary.actions).toMatchObject({ deleted: 0, statusRepaired: 1 });
    expect(conditionOf(await fetchObject(api, KERNEL_WHISPER, ns, 'web.app'), 'PodGone')).toMatchObject({
      status: 'False',
      reason: 'PodPresent',
    });
  });

  it('drops a status field the ingest stopped sending at once, after a sweep wrote the status', async () => {
    const ns = await freshNamespace(api, 'sweep-owners');
    const uid = await podUid(ns, 'web');
    await seedWhisper(api, ns, 'web', { podUid: uid, detectedAtMs: Date.now() - 20 * 60_000 });
    await runSweep(sweepApp(api, ns));
    // A newer observation without a metrics figure: the ingest no longer sends metrics_cpu_usage.
    const newer = await seedWhisper(api, ns, 'web', { podUid: uid, status: false, reported: null });
    await applyIngestStatus(api, KERNEL_WHISPER, newer, Date.now());

    const gone = await fetchObject(api, KERNEL_WHISPER, ns, 'web.app');
    const summary = await runSweep(sweepApp(api, ns));

    // The sweep's resolution was applied under the ingest's manager, so nobody else owns the field.
    expect((gone?.status as { metrics_comparison?: object } | undefined)?.metrics_comparison).toEqual({
      kernel_cpu_usage: 0.8,
    });
    expect(summary.writes).toBe(0);
  });

  it('lists the opted-in pods in the ConfigMap, and moves `updated` only when the list changes', async () => {
    const ns = await freshNamespace(api, 'sweep-cm');
    const a = await podUid(ns, 'a');
    const b = await podUid(ns, 'b');
    await createPod(api, ns, 'quiet', { annotations: {} });
    const at = (iso: string) => () => Date.parse(iso);

    await runSweep(sweepApp(api, ns, {}, at('2030-01-01T00:00:00Z')));
    const first = await monitoredPodsIn(api, ns);
    const again = await runSweep(sweepApp(api, ns, {}, at('2030-01-01T00:05:00Z')));
    await api.delete(POD, { namespace: ns, name: 'a' });
    await runSweep(sweepApp(api, ns, {}, at('2030-01-01T00:10:00Z')));
    const changed = await monitoredPodsIn(api, ns);

    expect(first?.data).toEqual({
      pods: [`a:${a}`, `b:${b}`].join(','),
      'pods.namespaced': `${ns}/a:${a},${ns}/b:${b}`,
      count: '2',
      updated: '2030-01-01T00:00:00Z',
    });
    expect(again.actions.configMapUpdated).toBe(0);
    expect(changed?.data).toEqual({
      pods: `b:${b}`,
      'pods.namespaced': `${ns}/b:${b}`,
      count: '1',
      updated: '2030-01-01T00:10:00Z',
    });
  });
});
