import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIngest } from '../../functions/ingest/create.js';
import { createIngestMetrics, type IngestMetrics } from '../../functions/ingest/metrics.js';
import { KERNEL_WHISPER, POD } from '../../lib/api/group.js';
import type { KernelWhisperSpec } from '../../lib/api/kernel-whisper.js';
import { parseConfig } from '../../lib/config.js';
import type { KubeApi, ListOptions } from '../../lib/k8s/api.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import { createLogger } from '../../lib/log.js';
import { structuredEvent } from '../fixtures/events.js';
import { adminApi, freshNamespace } from './support/cluster.js';

/**
 * Pods found from what the kernel sees (pod UID, container ID, cgroup path)
 * through the real API server. No kubelet runs, so container IDs are put into
 * pod status through the status subresource, as a kubelet would.
 */
const THROTTLE = 'io.gossip.kernel.cpu_throttle.v1';

let api: KubeApi & { close(): void };
let namespace: string;

type Ingest = { app: Hono; metrics: IngestMetrics; lists: ListOptions[] };

/** The ingest app over a KubeApi that records its list calls. */
function ingest(env: Record<string, string> = {}, resolver: { relistAfterMs?: number } = {}): Ingest {
  const lists: ListOptions[] = [];
  const spied: KubeApi = {
    ...api,
    list: (type, options) => {
      lists.push(options);
      return api.list(type, options);
    },
  };
  const config = parseConfig({ KERNEL_GOSSIP_FUNCTION: 'ingest', AUTH_REQUIRED: 'false', ...env });
  const metrics = createIngestMetrics();
  const app = buildIngest({
    config,
    api: spied,
    log: createLogger({ level: 'silent', name: 'test' }),
    metrics,
    resolver,
  });
  return { app, metrics, lists };
}

const containerId = () => randomBytes(32).toString('hex');
const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

function post(app: Hono, identity: Record<string, unknown>, observedAgoSeconds = 5): Promise<Response> {
  const data = {
    throttle_percentage: 85.5,
    actual_cpu_usage: 0.4,
    reported_cpu_usage: 0.2,
    timestamp: secondsAgo(observedAgoSeconds),
    ...identity,
  };
  const fixture = structuredEvent(THROTTLE, data, `evt-${containerId().slice(0, 8)}`);
  return Promise.resolve(app.request('/', { method: 'POST', headers: fixture.headers, body: fixture.body }));
}

type Made = { name: string; uid: string; app: string; sidecar: string; init: string };

/** A monitored pod with containers app and sidecar and init container setup; statuses only when asked. */
async function makePod(name: string, options: { nodeName?: string; withStatus?: boolean } = {}): Promise<Made> {
  const pod = await api.create<KubeObject>(
    POD,
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, annotations: { 'kernel-gossip.io/monitor': 'true' } },
      spec: {
        nodeName: options.nodeName,
        initContainers: [{ name: 'setup', image: 'x' }],
        containers: [
          { name: 'app', image: 'x' },
          { name: 'sidecar', image: 'x' },
        ],
      },
    },
    { fieldManager: 'test' },
  );
  const made = { name, uid: pod.metadata.uid ?? '', app: containerId(), sidecar: containerId(), init: containerId() };
  if (options.withStatus !== false) await setStatuses(made);
  return made;
}

/** What a kubelet reports once the containers started: their runtime IDs with the containerd:// prefix. */
async function setStatuses(pod: Made): Promise<void> {
  const status = (container: string, id: string) => ({
    name: container,
    containerID: `containerd://${id}`,
    image: 'x',
    imageID: '',
    ready: false,
    restartCount: 0,
    state: { running: { startedAt: '2024-01-01T00:00:00Z' } },
  });
  await api.applyStatus(
    POD,
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: pod.name, namespace },
      status: {
        initContainerStatuses: [status('setup', pod.init)],
        containerStatuses: [status('app', pod.app), status('sidecar', pod.sidecar)],
      },
    },
    { fieldManager: 'test-kubelet' },
  );
}

async function whisperSpec(pod: string, container: string): Promise<KernelWhisperSpec | undefined> {
  return (await api.get<KubeObject<KernelWhisperSpec>>(KERNEL_WHISPER, { namespace, name: `${pod}.${container}` }))
    ?.spec;
}

async function counted(metrics: IngestMetrics, outcome: string): Promise<number> {
  return (
    (await metrics.events.get()).values.find(
      (value) => value.labels.outcome === outcome && value.labels.type === 'cpu_throttle',
    )?.value ?? 0
  );
}

beforeAll(async () => {
  api = await adminApi();
  namespace = await freshNamespace(api, 'identity');
});
afterAll(() => api.close());

describe('resolving kernel identities against the real API server', () => {
  const systemdUid = (uid: string) => uid.replaceAll('-', '_');
  it.each([
    ['pod_uid with container_name', (p: Made) => ({ pod_uid: p.uid, container_name: 'sidecar' })],
    ['container_id with containerd://', (p: Made) => ({ container_id: `containerd://${p.sidecar}` })],
    ['container_id without prefix', (p: Made) => ({ container_id: p.sidecar })],
    ['container_id in 12-character short form', (p: Made) => ({ container_id: p.sidecar.slice(0, 12) })],
    [
      'cgroupfs v1 path',
      (p: Made) => ({ cgroup_path: `/sys/fs/cgroup/cpu,cpuacct/kubepods/burstable/pod${p.uid}/${p.sidecar}` }),
    ],
    ['cgroupfs v2 path', (p: Made) => ({ cgroup_path: `/kubepods/burstable/pod${p.uid}/${p.sidecar}` })],
    [
      'systemd path',
      (p: Made) => ({
        cgroup_path: `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${systemdUid(p.uid)}.slice/cri-containerd-${p.sidecar}.scope`,
      }),
    ],
  ])('finds pod and container from %s', async (label, identity) => {
    const pod = await makePod(`id-${label.replace(/[^a-z0-9]+/g, '-').replace(/-$/, '')}`);
    const response = await post(ingest().app, identity(pod));
    expect(response.status).toBe(202);
    expect(response.headers.get('kernel-gossip-outcome')).toBe('applied');
    expect(await whisperSpec(pod.name, 'sidecar')).toMatchObject({
      pod_name: pod.name,
      namespace,
      container_name: 'sidecar',
      pod_uid: pod.uid,
    });
    expect(await whisperSpec(pod.name, 'app')).toBeUndefined();
  });

  it('finds a container whose ID is only in initContainerStatuses', async () => {
    const pod = await makePod('id-init');
    expect((await post(ingest().app, { container_id: pod.init })).status).toBe(202);
    expect(await whisperSpec(pod.name, 'setup')).toMatchObject({ container_name: 'setup' });
  });

  it('narrows the search to the node the event names', async () => {
    const onA = await makePod('id-node-a', { nodeName: 'node-a' });
    await makePod('id-node-b', { nodeName: 'node-b' });
    const wrongNode = ingest();
    const miss = await post(wrongNode.app, { container_id: onA.app, node_name: 'node-b' });
    expect(miss.status).toBe(404);
    expect(wrongNode.lists.map((list) => list.fieldSelector)).toEqual(['spec.nodeName=node-b']);
    const rightNode = ingest();
    expect((await post(rightNode.app, { container_id: onA.app, node_name: 'node-a' })).status).toBe(202);
    expect(rightNode.lists.map((list) => list.fieldSelector)).toEqual(['spec.nodeName=node-a']);
    expect(await whisperSpec(onA.name, 'app')).toMatchObject({ node_name: 'node-a' });
  });

  it('serves a burst for one node from one listing', async () => {
    const pod = await makePod('id-burst', { nodeName: 'node-c' });
    const { app, lists } = ingest();
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => post(app, { container_id: pod.app, node_name: 'node-c' }, 10 - i)),
    );
    expect(responses.map((response) => response.status)).toEqual(Array.from({ length: 10 }, () => 202));
    expect(lists).toHaveLength(1);
  });
});

describe('identities that do not resolve yet', () => {
  it('answers a retried 404 until the container ID reaches pod status, then applies', async () => {
    const pod = await makePod('id-late', { nodeName: 'node-d', withStatus: false });
    const { app, metrics } = ingest({}, { relistAfterMs: 0 });
    const cgroup = `/kubepods.slice/kubepods-pod${pod.uid.replaceAll('-', '_')}.slice/cri-containerd-${pod.app}.scope`;
    const early = await post(app, { cgroup_path: cgroup, node_name: 'node-d' });
    expect(early.status).toBe(404);
    expect(await early.json()).toMatchObject({ error: 'PodNotResolvedYet' });
    expect(await counted(metrics, 'unresolved')).toBe(1);

    await setStatuses(pod);
    const late = await post(app, { cgroup_path: cgroup, node_name: 'node-d' });
    expect(late.status).toBe(202);
    expect(await whisperSpec(pod.name, 'app')).toMatchObject({ container_name: 'app', pod_uid: pod.uid });
    expect(await counted(metrics, 'applied')).toBe(1);
  });

  it('gives up with a non-retried 422 once the observation is older than the retry window, counting both', async () => {
    const { app, metrics } = ingest({ UNRESOLVED_RETRY_SECONDS: '30' });
    const unknown = containerId();
    expect((await post(app, { container_id: unknown }, 5)).status).toBe(404);
    const final = await post(app, { container_id: unknown }, 60);
    expect(final.status).toBe(422);
    expect(await final.json()).toMatchObject({ error: 'PodUnresolvable' });
    expect(await counted(metrics, 'unresolved')).toBe(1);
    expect(await counted(metrics, 'unresolvable')).toBe(1);
    const text = await (await app.request('/metrics')).text();
    expect(text).toContain('kernel_gossip_events_total{type="cpu_throttle",outcome="unresolvable"} 1');
  });

  it('lists the whole cluster once for a flood of identities without node_name, all answered a retried 404', async () => {
    const { app, lists } = ingest();
    const flood = await Promise.all(Array.from({ length: 40 }, () => post(app, { container_id: containerId() })));
    for (let i = 0; i < 20; i++) flood.push(await post(app, { container_id: containerId() }));
    expect(flood.map((response) => response.status)).toEqual(flood.map(() => 404));
    // One listing (its later pages carry `continue`: other test files' pods share the control plane).
    expect(lists.filter((options) => options.continue === undefined)).toEqual([{ limit: 500 }]);
  });

  it('re-reads a named pod whose cached copy predates the container status', async () => {
    const pod = await makePod('id-named', { withStatus: false });
    const { app } = ingest();
    expect((await post(app, { pod_name: pod.name, namespace, container_id: pod.app })).status).toBe(404);
    await setStatuses(pod);
    expect((await post(app, { pod_name: pod.name, namespace, container_id: pod.app })).status).toBe(202);
  });
});
