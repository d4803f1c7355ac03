import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POD_BIRTH_CERTIFICATE } from '../../lib/api/group.js';
import type { PodBirthCertificateSpec, PodBirthCertificateStatus } from '../../lib/api/pod-birth-certificate.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import { countingApi, createBirthPod, ingestApp, postBirth, setLifecycle } from './support/birth.js';
import { adminApi, freshNamespace, kubectl } from './support/cluster.js';
import { resourceVersions, runSweep, sweepApp } from './sweep-support.js';

/**
 * The fused timeline against the real API server: a pod whose conditions and
 * container statuses are set through the status subresource (no kubelet runs),
 * a kernel birth report through the ingest, and the sweep catching up until the
 * pod is Ready.
 */
let api: KubeApi & { close(): void };
let ns: string;
let created: number;
type Certificate = KubeObject<PodBirthCertificateSpec, PodBirthCertificateStatus>;
const certificate = async () =>
  (await api.get<Certificate>(POD_BIRTH_CERTIFICATE, { namespace: ns, name: 'web-1' })) as Certificate;
/** [ms after creation, step or action, actor] */
const shape = (object: Certificate) =>
  object.spec?.timeline.map((entry) => [entry.timestamp_ms - created, entry.step ?? entry.action, entry.actor]);

beforeAll(async () => {
  api = await adminApi();
  ns = await freshNamespace(api, 'birth');
  created = (await createBirthPod(api, ns, 'web-1', { init: ['setup'], main: ['app', 'sidecar'] })).createdMs;
  await setLifecycle(api, ns, 'web-1', created, {
    conditions: { PodScheduled: 1, PodReadyToStartContainers: 3 },
    init: { setup: 4 },
    containers: { app: 6 },
  });
});
afterAll(() => api.close());

const report = (container: string, kernelAt: readonly number[]) => ({
  pod_name: 'web-1',
  namespace: ns,
  container_name: container,
  total_syscalls: 4521,
  namespace_ops: 6,
  cgroup_writes: 12,
  duration_ns: 123_000_000,
  timeline: kernelAt.map((ms, i) => ({ timestamp_ms: created + ms, action: `step ${i}`, actor: 'kernel' })),
  // Observed now: the lifecycle offsets below lie seconds ahead of the clock, which only pod times may.
  timestamp: new Date().toISOString(),
});

describe('a pod birth fused with its API lifecycle', () => {
  it('orders the kernel report among the lifecycle read from the pod, with no extra request', async () => {
    const counting = countingApi(api);
    const response = await postBirth(ingestApp(counting.api), report('app', [2100, 3000, 5500]), 'birth-app');
    expect([response.status, response.headers.get('kernel-gossip-outcome')]).toEqual([202, 'applied']);
    // The same requests a birth report cost before the lifecycle: one pod read, one certificate read, two applies.
    expect(counting.counts).toEqual({
      'get pods': 1,
      'get podbirthcertificates': 1,
      'apply podbirthcertificates': 1,
      'applyStatus podbirthcertificates': 1,
      'create events': 1,
    });
    const stored = await certificate();
    expect(shape(stored)).toEqual([
      [0, 'created', 'api-server'],
      [1000, 'scheduled', 'scheduler'],
      [2100, 'step 0', 'kernel'],
      [3000, 'sandbox-ready', 'runtime'],
      [3000, 'step 1', 'kernel'],
      [4000, 'init-container-started', 'runtime'],
      [5500, 'step 2', 'kernel'],
      [6000, 'container-started', 'runtime'],
    ]);
    expect(stored.status?.phases).toEqual({
      created_at: new Date(created).toISOString(),
      scheduled_after_ms: 1000,
      sandbox_ready_after_ms: 3000,
      first_container_started_after_ms: 4000,
      longest_phase: 'sandbox',
      longest_phase_ms: 2000,
    });
  });

  it('lets the sweep add Ready as the ingest would, then never touch it again', async () => {
    await setLifecycle(api, ns, 'web-1', created, {
      conditions: { PodScheduled: 1, PodReadyToStartContainers: 3, Initialized: 5, ContainersReady: 7, Ready: 8 },
      init: { setup: 4 },
      // The sidecar's start reaches the pod status only after Ready (shown below).
      containers: { app: 6 },
    });
    const sweep = sweepApp(api, ns);
    expect((await runSweep(sweep)).actions).toMatchObject({ lifecycleRefreshed: 1, statusRepaired: 0 });
    const stored = await certificate();
    expect(shape(stored)?.filter(([, , actor]) => actor !== 'kernel')).toEqual([
      [0, 'created', 'api-server'],
      [1000, 'scheduled', 'scheduler'],
      [3000, 'sandbox-ready', 'runtime'],
      [4000, 'init-container-started', 'runtime'],
      [5000, 'initialized', 'kubelet'],
      [6000, 'container-started', 'runtime'],
      [7000, 'containers-ready', 'kubelet'],
      [8000, 'ready', 'kubelet'],
    ]);
    expect(stored.status).toMatchObject({
      phases: { ready_after_ms: 8000, longest_phase: 'readiness', longest_phase_ms: 4000 },
      observed_generation: stored.metadata.generation,
    });
    expect(await specManagers()).toEqual(['kernel-gossip-ingest']);
    const wide = await kubectl(['get', 'pbc', '-n', ns, 'web-1', '-o', 'wide', '--no-headers']);
    expect(wide).toMatch(/^web-1\s+web-1\s+\d+\s+\d+\s+\d+\s+1\s+8000\s+readiness\s/);

    const converged = await resourceVersions(api, ns);
    expect((await runSweep(sweep)).writes).toBe(0);
    // Once Ready is recorded the sweep stops reading the pod: a late status, Ready regained after a restart.
    await setLifecycle(api, ns, 'web-1', created, {
      conditions: { PodScheduled: 1, Ready: 40 },
      containers: { app: 30, sidecar: 6 },
    });
    expect((await runSweep(sweep)).writes).toBe(0);
    const after = await resourceVersions(api, ns);
    expect({ ...after, 'pods/web-1': 'changed by the test' }).toEqual({
      ...converged,
      'pods/web-1': 'changed by the test',
    });
  });

  it('keeps Ready when a later report arrives with an older reading of the pod', async () => {
    const response = await postBirth(ingestApp(api), report('sidecar', [6100]), 'birth-sidecar');
    expect([response.status, response.headers.get('kernel-gossip-outcome')]).toEqual([202, 'applied']);
    const stored = await certificate();
    expect(stored.spec?.timeline.find((entry) => entry.step === 'ready')?.timestamp_ms).toBe(created + 8000);
    expect(stored.spec?.reports?.map((r) => r.id)).toEqual(['app', 'sidecar']);
  });
});

/** Managers of the certificate's spec (the main resource, not /status), as kubectl shows them. */
async function specManagers(): Promise<string[]> {
  const text = await kubectl(['get', 'pbc', '-n', ns, 'web-1', '-o', 'json', '--show-managed-fields']);
  const { metadata } = JSON.parse(text) as { metadata: { managedFields: { manager: string; subresource?: string }[] } };
  return metadata.managedFields.filter((entry) => entry.subresource === undefined).map((entry) => entry.manager);
}
