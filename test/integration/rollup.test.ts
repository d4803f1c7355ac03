import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIngest } from '../../functions/ingest/create.js';
import { createIngestMetrics } from '../../functions/ingest/metrics.js';
import { KERNEL_WHISPER, POD, type ResourceType, WORKLOAD_WHISPER } from '../../lib/api/group.js';
import type { KernelWhisperStatus } from '../../lib/api/kernel-whisper.js';
import type { WorkloadWhisperStatus } from '../../lib/api/workload-whisper.js';
import { parseConfig } from '../../lib/config.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import { createLogger } from '../../lib/log.js';
import { structuredEvent } from '../fixtures/events.js';
import { adminApi, freshNamespace, kubectl } from './support/cluster.js';
import { resourceVersions, runSweep, sweepApp } from './sweep-support.js';

/**
 * Issue 16's roll-up against the real API server: five pods of one Deployment,
 * observed through the ingest as in production, give one WorkloadWhisper whose
 * command is the per-pod one and which kubectl accepts in a server-side dry
 * run; a replica of a new ReplicaSet on another limit flags the rollout; a
 * converged sweep writes nothing; no live replica left deletes the roll-up.
 * No controller-manager runs in the harness, so the Deployment's ReplicaSets
 * and their pods are created here with the owner references and the
 * pod-template-hash label the real controllers set.
 */
const apps = (kind: string, plural: string): ResourceType => ({
  group: 'apps',
  version: 'v1',
  kind,
  plural,
  namespaced: true,
});
const DEPLOYMENT = apps('Deployment', 'deployments');
const REPLICA_SET = apps('ReplicaSet', 'replicasets');
const [OLD, NEW] = ['5f7c9d', '6b8d4e'];
const labels = { app: 'web' };
const template = (limit: string) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'app', image: 'x', resources: { requests: { cpu: '250m' }, limits: { cpu: limit } } }] },
});
/** Five replicas at 500m: throttled share and throttled time of each. */
const FIVE = [
  ['a', 85, 90e9],
  ['b', 90, 30e9],
  ['c', 20, 1e9],
  ['d', 60, 20e9],
  ['e', 85, 3e9],
] as const;

let api: KubeApi & { close(): void };
let namespace: string;
let ingest: Hono;
let sweep: Hono;
let deploymentUid: string;

async function create(
  type: ResourceType,
  object: { metadata: Record<string, unknown>; spec: unknown },
): Promise<KubeObject> {
  const apiVersion = type.group === '' ? type.version : `${type.group}/${type.version}`;
  const body = { apiVersion, kind: type.kind, ...object, metadata: { namespace, ...object.metadata } };
  return api.create<KubeObject>(type, body as KubeObject, { fieldManager: 'test' });
}

/** A ReplicaSet of the Deployment and its pods, named and labelled as the Deployment and ReplicaSet controllers do. */
async function replicaSet(hash: string, limit: string, pods: readonly string[]): Promise<void> {
  const owner = (kind: string, name: string, uid: string) => ({
    apiVersion: 'apps/v1',
    kind,
    name,
    uid,
    controller: true,
    blockOwnerDeletion: true,
  });
  const podLabels = { ...labels, 'pod-template-hash': hash };
  const rs = await create(REPLICA_SET, {
    metadata: { name: `web-${hash}`, labels: podLabels, ownerReferences: [owner('Deployment', 'web', deploymentUid)] },
    spec: {
      replicas: pods.length,
      selector: { matchLabels: podLabels },
      template: { ...template(limit), metadata: { labels: podLabels } },
    },
  });
  for (const suffix of pods) {
    await create(POD, {
      metadata: {
        name: `web-${hash}-${suffix}`,
        labels: podLabels,
        annotations: { 'kernel-gossip.io/monitor': 'true' },
        ownerReferences: [owner('ReplicaSet', `web-${hash}`, rs.metadata.uid ?? '')],
      },
      spec: template(limit).spec,
    });
  }
}

async function throttle(pod: string, percent: number, throttleNs: number): Promise<void> {
  const data = {
    pod_name: pod,
    namespace,
    container_name: 'app',
    throttle_percentage: percent,
    actual_cpu_usage: 0.45,
    throttle_ns: throttleNs,
    period_seconds: 300,
    timestamp: new Date().toISOString(),
  };
  const event = structuredEvent('io.gossip.kernel.cpu_throttle.v1', data, randomUUID());
  const response = await ingest.request('/', { method: 'POST', headers: event.headers, body: event.body });
  expect(response.headers.get('kernel-gossip-outcome')).toBe('applied');
}

async function rollups(): Promise<KubeObject<unknown, WorkloadWhisperStatus>[]> {
  return (await api.list<KubeObject<unknown, WorkloadWhisperStatus>>(WORKLOAD_WHISPER, { namespace })).items;
}

async function whisperStatus(pod: string): Promise<KernelWhisperStatus | undefined> {
  const name = `${pod}.app`;
  return (await api.get<KubeObject<unknown, KernelWhisperStatus>>(KERNEL_WHISPER, { namespace, name }))?.status;
}

beforeAll(async () => {
  api = await adminApi();
  namespace = await freshNamespace(api, 'rollup');
  ingest = buildIngest({
    config: parseConfig({ KERNEL_GOSSIP_FUNCTION: 'ingest', AUTH_REQUIRED: 'false' }),
    api,
    log: createLogger({ level: 'silent', name: 'test' }),
    metrics: createIngestMetrics(),
  });
  sweep = sweepApp(api, namespace);
  const deployment = await create(DEPLOYMENT, {
    metadata: { name: 'web', labels },
    spec: { replicas: 5, selector: { matchLabels: labels }, template: template('500m') },
  });
  deploymentUid = deployment.metadata.uid ?? '';
  await replicaSet(
    OLD,
    '500m',
    FIVE.map(([suffix]) => suffix),
  );
  for (const [suffix, percent, ns] of FIVE) await throttle(`web-${OLD}-${suffix}`, percent, ns);
});
afterAll(() => api.close());

describe('the roll-up of five pods of one Deployment', () => {
  it('is one WorkloadWhisper whose command is the per-pod one, and kubectl accepts it (server-side dry run)', async () => {
    const summary = await runSweep(sweep);
    expect(summary.actions).toMatchObject({ rollupsApplied: 1, rollupsDeleted: 0 });
    expect(summary.failures).toEqual([]);
    const [rollup, ...others] = await rollups();
    expect(others).toEqual([]);
    expect(rollup?.metadata.name).toBe('deployment.web.app');
    expect(rollup?.spec).toEqual({
      workload: { api_version: 'apps/v1', kind: 'Deployment', name: 'web' },
      container_name: 'app',
    });
    const status = rollup?.status;
    expect(status).toMatchObject({
      replicas_observed: 5,
      replicas_throttled: 4,
      worst_throttled_percent: 90,
      worst_pod: `web-${OLD}-b`,
      median_throttled_percent: 85,
      current_cpu_limits: [{ cpu_limit: '500m', replicas: 5 }],
      limits_disagree: false,
    });
    const perPod = await whisperStatus(status?.recommended_for ?? 'none');
    expect(perPod?.recommended_command).toMatch(/^kubectl set resources deployment\/web /);
    expect(status?.recommended_command).toBe(perPod?.recommended_command);
    expect(status?.recommended_cpu_limit).toBe(perPod?.recommended_cpu_limit);
    // No replica asks for more than the one the roll-up took its command from.
    for (const [suffix] of FIVE) {
      const limit = (await whisperStatus(`web-${OLD}-${suffix}`))?.recommended_cpu_limit;
      if (limit !== undefined) expect(millicores(limit)).toBeLessThanOrEqual(millicores(perPod?.recommended_cpu_limit));
    }
    const words = (status?.recommended_command ?? '').split(' ');
    const jsonPath = '{.spec.template.spec.containers[?(@.name=="app")].resources.limits.cpu}';
    expect(await kubectl([...words.slice(1), '--dry-run=server', '-o', `jsonpath=${jsonPath}`])).toBe(
      status?.recommended_cpu_limit,
    );
  });

  it('is written by its own field manager alone, and reads as one line in kubectl get wkw', async () => {
    const object = JSON.parse(
      await kubectl(['get', 'wkw', '-n', namespace, 'deployment.web.app', '-o', 'json', '--show-managed-fields']),
    ) as {
      metadata: { managedFields: { manager: string; subresource?: string }[] };
    };
    expect(object.metadata.managedFields.map((entry) => [entry.manager, entry.subresource ?? ''])).toEqual([
      ['kernel-gossip-rollup', ''],
      ['kernel-gossip-rollup', 'status'],
    ]);
    const line = (await kubectl(['get', 'wkw', '-n', namespace, '--no-headers'])).trim().split(/\s+/);
    expect(line.slice(0, 9)).toEqual(['deployment.web.app', 'Deployment', 'web', 'app', '5', '4', '90', '85', 'false']);
  });

  it('writes nothing in a second sweep', async () => {
    const before = await resourceVersions(api, namespace);
    const summary = await runSweep(sweep);
    expect(summary.writes).toBe(0);
    expect(await resourceVersions(api, namespace)).toEqual(before);
  });

  it('puts back a label a person removed, in one write, and is converged again', async () => {
    await kubectl(['label', 'wkw', '-n', namespace, 'deployment.web.app', 'kernel.gossip.io/container-']);
    const summary = await runSweep(sweep);
    expect(summary).toMatchObject({ writes: 1, actions: { rollupsApplied: 1 } });
    const [rollup] = await rollups();
    expect(rollup?.metadata.labels).toMatchObject({ 'kernel.gossip.io/container': 'app' });
    expect(rollup?.status?.observed_generation).toBe(rollup?.metadata.generation);
    expect((await runSweep(sweep)).writes).toBe(0);
  });

  it('flags a replica of the new ReplicaSet on another limit (a rollout under way)', async () => {
    await replicaSet(NEW, '1', ['f']);
    await throttle(`web-${NEW}-f`, 30, 2e9);
    expect((await runSweep(sweep)).actions).toMatchObject({ rollupsApplied: 1 });
    const [rollup] = await rollups();
    expect(rollup?.status).toMatchObject({
      replicas_observed: 6,
      current_cpu_limits: [
        { cpu_limit: '500m', replicas: 5 },
        { cpu_limit: '1000m', replicas: 1 },
      ],
      limits_disagree: true,
    });
    expect((await runSweep(sweep)).writes).toBe(0);
  });

  it('is deleted once no live replica has a KernelWhisper', async () => {
    for (const pod of (await api.list(POD, { namespace })).items)
      await api.delete(POD, { namespace, name: pod.metadata.name });
    const summary = await runSweep(sweep);
    expect(summary.actions).toMatchObject({ rollupsDeleted: 1, rollupsApplied: 0 });
    expect(await rollups()).toEqual([]);
  });
});

function millicores(limit: string | undefined): number {
  if (limit === undefined) return Number.NaN;
  return limit.endsWith('m') ? Number(limit.slice(0, -1)) : Number(limit) * 1000;
}
