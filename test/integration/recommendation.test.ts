import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIngest } from '../../functions/ingest/create.js';
import { createIngestMetrics } from '../../functions/ingest/metrics.js';
import { KERNEL_WHISPER, POD, type ResourceType } from '../../lib/api/group.js';
import type { KernelWhisperStatus } from '../../lib/api/kernel-whisper.js';
import { parseConfig } from '../../lib/config.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import { createLogger } from '../../lib/log.js';
import { structuredEvent } from '../fixtures/events.js';
import { adminApi, freshNamespace, kubectl } from './support/cluster.js';

/**
 * Concrete recommendations from the pod's real resources, and proof that each
 * recommended command is exact: kubectl runs it against the same API server
 * (server-side dry run) and the object would carry the new limit.
 */
const DEPLOYMENT: ResourceType = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  plural: 'deployments',
  namespaced: true,
};
const NODE: ResourceType = { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false };
const HASH = '7d4b9c';

let api: KubeApi & { close(): void };
let namespace: string;
let app: Hono;

const cpu = (request: string | undefined, limit: string | undefined) => ({
  resources: {
    ...(request === undefined ? {} : { requests: { cpu: request } }),
    ...(limit === undefined ? {} : { limits: { cpu: limit } }),
  },
});
const template = {
  initContainers: [{ name: 'setup', image: 'x', ...cpu(undefined, '200m') }],
  containers: [
    { name: 'app', image: 'x', ...cpu('250m', '500m') },
    { name: 'helper', image: 'x', ...cpu('100m', '100m') },
    { name: 'open', image: 'x', ...cpu('100m', undefined) },
  ],
};

async function createObject(
  type: ResourceType,
  object: Record<string, unknown> & { metadata: Record<string, unknown> },
): Promise<KubeObject> {
  return api.create<KubeObject>(
    type,
    {
      apiVersion: type.group === '' ? 'v1' : `${type.group}/${type.version}`,
      kind: type.kind,
      ...object,
      metadata: { namespace, ...object.metadata },
    } as KubeObject,
    { fieldManager: 'test' },
  );
}

async function throttle(data: Record<string, unknown>): Promise<void> {
  const fixture = structuredEvent(
    'io.gossip.kernel.cpu_throttle.v1',
    { throttle_percentage: 85, actual_cpu_usage: 0.3, timestamp: new Date(Date.now() - 1000).toISOString(), ...data },
    randomUUID(),
  );
  const response = await app.request('/', { method: 'POST', headers: fixture.headers, body: fixture.body });
  expect(response.headers.get('kernel-gossip-outcome')).toBe('applied');
}

async function statusOf(pod: string, container: string): Promise<KernelWhisperStatus | undefined> {
  return (
    await api.get<KubeObject<unknown, KernelWhisperStatus>>(KERNEL_WHISPER, { namespace, name: `${pod}.${container}` })
  )?.status;
}

/** The command as a shell would split it (single quotes only, which is all it uses), dry-run on the server. */
async function dryRun(command: string | undefined, jsonPath: string): Promise<string> {
  const words = (command ?? '').match(/'[^']*'|\S+/g)?.map((word) => word.replace(/^'(.*)'$/, '$1')) ?? [];
  expect(words[0]).toBe('kubectl');
  return kubectl([...words.slice(1), '--dry-run=server', '-o', `jsonpath=${jsonPath}`]);
}

beforeAll(async () => {
  api = await adminApi();
  namespace = await freshNamespace(api, 'recommend');
  app = buildIngest({
    config: parseConfig({ KERNEL_GOSSIP_FUNCTION: 'ingest', AUTH_REQUIRED: 'false' }),
    api,
    log: createLogger({ level: 'silent', name: 'test' }),
    metrics: createIngestMetrics(),
  });
  const labels = { app: 'web' };
  const annotations = { 'kernel-gossip.io/monitor': 'true' };
  // No controller-manager runs: the Deployment makes no ReplicaSet, so its pod is created here as the ReplicaSet would.
  await createObject(DEPLOYMENT, {
    metadata: { name: 'web' },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: template } },
  });
  const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `web-${HASH}`, uid: randomUUID(), controller: true };
  await createObject(POD, {
    metadata: {
      name: `web-${HASH}-x2x9q`,
      labels: { ...labels, 'pod-template-hash': HASH },
      annotations,
      ownerReferences: [owner],
    },
    spec: template,
  });
  // The resize subresource checks the pod still fits its node.
  const room = { cpu: '8', memory: '16Gi', pods: '110' };
  await api
    .create<KubeObject>(
      NODE,
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-r' } },
      { fieldManager: 'test' },
    )
    .catch(() => undefined);
  await api.applyStatus<KubeObject>(
    NODE,
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-r' }, status: { capacity: room, allocatable: room } },
    { fieldManager: 'test' },
  );
  await createObject(POD, {
    metadata: { name: 'solo', annotations },
    spec: {
      nodeName: 'node-r',
      initContainers: [
        { name: 'proxy', image: 'x', restartPolicy: 'Always', resources: { limits: { cpu: '100m', memory: '32Mi' } } },
      ],
      containers: [{ name: 'app', image: 'x', resources: { limits: { cpu: '1', memory: '64Mi' } } }],
    },
  });
});
afterAll(() => api.close());

describe('recommendations from the pod of a Deployment', () => {
  const pod = `web-${HASH}-x2x9q`;

  it.each([
    ['app', '250m', '500m', '750m', undefined],
    ['helper', '100m', '100m', '150m', '150m'],
    // The API server defaults a missing request to the limit, so a limit-only container moves both.
    ['setup', '200m', '200m', '300m', '300m'],
  ])(
    'container %s: request %s, limit %s → %s, with a command kubectl accepts',
    async (container, request, limit, next, nextRequest) => {
      await throttle({ pod_name: pod, namespace, container_name: container });
      const status = await statusOf(pod, container);
      expect(status).toMatchObject({
        priority: 'high',
        current_cpu_request: request,
        current_cpu_limit: limit,
        recommended_cpu_limit: next,
      });
      expect(status?.recommended_cpu_request).toBe(nextRequest);
      expect(status?.recommendation).toMatch(
        new RegExp(
          `^increase CPU limits by 50%: raise the CPU limit of container ${container} from ${limit} to ${next}`,
        ),
      );
      const requests = nextRequest === undefined ? '' : ` --requests=cpu=${nextRequest}`;
      expect(status?.recommended_command).toBe(
        `kubectl set resources deployment/web -n ${namespace} -c ${container} --limits=cpu=${next}${requests}`,
      );
      const list = container === 'setup' ? 'initContainers' : 'containers';
      expect(
        await dryRun(
          status?.recommended_command,
          `{.spec.template.spec.${list}[?(@.name=="${container}")].resources.limits.cpu}`,
        ),
      ).toBe(next);
    },
  );

  it('says the data is inconsistent for a container without a limit, and gives no number', async () => {
    await throttle({ pod_name: pod, namespace, container_name: 'open' });
    const status = await statusOf(pod, 'open');
    expect(status).toMatchObject({ current_cpu_request: '100m', current_cpu_limit: 'none' });
    expect(status?.recommendation).toContain(
      'no CPU limit, yet CFS throttling needs a CPU quota: the data is inconsistent',
    );
    expect(status).not.toHaveProperty('recommended_cpu_limit');
    expect(status).not.toHaveProperty('recommended_command');
  });
});

describe('a limit sized from the throttled time', () => {
  it('recommends the smallest rounded limit projected under the target, with a command kubectl accepts', async () => {
    const pod = `web-${HASH}-x2x9q`;
    // 6 s throttled over 60 s hid 100m; over 85% throttled periods that is m = 117.65m above the 100m limit;
    // 100m + 117.65m × ln(85 / 10) = 351.8m, rounded up (50m steps below 1000m) to 400m. The request equals
    // the limit, so it moves with it.
    await throttle({ pod_name: pod, namespace, container_name: 'helper', throttle_ns: 6e9, period_seconds: 60 });
    const status = await statusOf(pod, 'helper');
    expect(status).toMatchObject({ recommended_cpu_limit: '400m', recommended_cpu_request: '400m' });
    expect(status?.recommendation).toMatch(
      /^increase CPU limits: raise the CPU limit of container helper from 100m to 400m/,
    );
    expect(status?.kernel_evidence).toContain('under 10% from 351.77m');
    expect(status?.recommended_command).toBe(
      `kubectl set resources deployment/web -n ${namespace} -c helper --limits=cpu=400m --requests=cpu=400m`,
    );
    expect(
      await dryRun(
        status?.recommended_command,
        '{.spec.template.spec.containers[?(@.name=="helper")].resources.limits.cpu}',
      ),
    ).toBe('400m');
  });
});

describe('recommendations for a pod without a controller', () => {
  it('resizes a container in place, request and limit together for a Guaranteed pod (found from a cgroup path and node only)', async () => {
    const solo = await api.get<KubeObject>(POD, { namespace, name: 'solo' });
    const uid = (solo?.metadata.uid ?? '').replaceAll('-', '_');
    await throttle({
      cgroup_path: `/kubepods.slice/kubepods-pod${uid}.slice`,
      container_name: 'app',
      node_name: 'node-r',
    });
    const status = await statusOf('solo', 'app');
    expect(status).toMatchObject({
      current_cpu_request: '1000m',
      current_cpu_limit: '1000m',
      recommended_cpu_limit: '1500m',
      recommended_cpu_request: '1500m',
    });
    expect(status?.recommended_command).toBe(
      `kubectl patch pod solo -n ${namespace} --subresource resize --patch '{"spec":{"containers":[{"name":"app","resources":{"requests":{"cpu":"1500m"},"limits":{"cpu":"1500m"}}}]}}'`,
    );
    expect(
      await dryRun(status?.recommended_command, '{.spec.containers[0].resources.limits.cpu}/{.status.qosClass}'),
    ).toBe('1500m/Guaranteed');
  });

  it('resizes a sidecar through initContainers', async () => {
    await throttle({ pod_name: 'solo', namespace, container_name: 'proxy' });
    const status = await statusOf('solo', 'proxy');
    expect(status).toMatchObject({
      current_cpu_request: '100m',
      current_cpu_limit: '100m',
      recommended_cpu_limit: '150m',
      recommended_cpu_request: '150m',
    });
    expect(await dryRun(status?.recommended_command, '{.spec.initContainers[0].resources.limits.cpu}')).toBe('150m');
  });
});
