import { randomUUID } from 'node:crypto';
import { buildIngest } from '../../../functions/ingest/create.js';
import { createIngestMetrics } from '../../../functions/ingest/metrics.js';
import { buildSweep } from '../../../functions/sweep/create.js';
import { createSweepMetrics } from '../../../functions/sweep/metrics.js';
import { CONFIG_MAP, EVENT, KERNEL_WHISPER, LABEL, MANAGED_BY, POD, WORKLOAD_WHISPER } from '../../../lib/api/group.js';
import { parseConfig } from '../../../lib/config.js';
import type { KubeApi } from '../../../lib/k8s/api.js';
import type { KubeObject } from '../../../lib/k8s/objects.js';
import { createLogger } from '../../../lib/log.js';
import { binaryEvent, creationData, throttleData } from '../../fixtures/events.js';
import { seedWhisper } from '../sweep-support.js';
import { createPod } from './cluster.js';

/**
 * What each function does in production, run with a given identity. Each returns
 * the problems seen — empty when every step worked — so a test can expect both
 * success and failure. Every run uses new pods and newer observations, so it
 * really writes (a converged run would write nothing and prove nothing).
 */
const THROTTLE = 'io.gossip.kernel.cpu_throttle.v1';
const CREATION = 'io.gossip.kernel.pod_creation.v1';
const quiet = createLogger({ level: 'silent', name: 'rbac' });
const containerId = (i: number) => `${i.toString(16).padStart(4, '0')}${'ab'.repeat(30)}`;

async function runningPod(admin: KubeApi, namespace: string, name: string, i: number): Promise<KubeObject> {
  await createPod(admin, namespace, name, { nodeName: 'node-rbac' });
  const status = {
    containerStatuses: [
      {
        name: 'app',
        containerID: `containerd://${containerId(i)}`,
        image: 'x',
        imageID: '',
        ready: true,
        restartCount: 0,
      },
    ],
  };
  return admin.applyStatus(
    POD,
    { apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name }, status },
    { fieldManager: 'test' },
  );
}

export async function ingestFlow(admin: KubeApi, api: KubeApi, namespace: string, i: number): Promise<string[]> {
  const pod = `ingest-${i}`;
  const stored = await runningPod(admin, namespace, pod, i);
  // Series writes at once (not once a minute), so the flow reads and patches the Event.
  const app = buildIngest({
    config: parseConfig({ AUTH_REQUIRED: 'false' }),
    api,
    log: quiet,
    metrics: createIngestMetrics(),
    eventSeriesIntervalMs: 0,
  });
  // Observations of a pod made after it was created (an older time is an earlier pod's: docs/design.md).
  const at = (offsetMs: number) => new Date(Date.now() - 3_000 + offsetMs).toISOString();
  const events = [
    binaryEvent(THROTTLE, { ...throttleData, namespace, pod_name: pod, timestamp: at(0) }, `t-${i}`),
    binaryEvent(CREATION, { ...creationData, namespace, pod_name: pod, timestamp: at(0) }, `c-${i}`),
    // By kernel identity: needs the pod list narrowed to the node.
    binaryEvent(
      THROTTLE,
      {
        ...throttleData,
        pod_name: undefined,
        namespace: undefined,
        container_name: undefined,
        cgroup_path: `/kubepods/burstable/pod${stored.metadata.uid ?? ''}/${containerId(i)}`,
        node_name: 'node-rbac',
        timestamp: at(1000),
      },
      `k-${i}`,
    ),
  ];
  const problems: string[] = [];
  for (const event of events) {
    const response = await app.request('/', { method: 'POST', headers: event.headers, body: event.body });
    const outcome = response.headers.get('kernel-gossip-outcome');
    if (response.status !== 202 || outcome !== 'applied')
      problems.push(`${event.headers['ce-id'] ?? ''}: ${response.status} ${outcome ?? (await response.text())}`);
  }
  problems.push(...(await missingEvents(admin, namespace, pod)));
  return problems;
}

/**
 * Kubernetes Events on the pod: BirthRecorded, and CPUThrottled whose second
 * observation (the cgroup-path event) starts a series, which reads and patches it.
 * (The ingest only logs a failed Event write, so the flow checks the Events themselves.)
 */
async function missingEvents(admin: KubeApi, namespace: string, pod: string): Promise<string[]> {
  type PodEvent = KubeObject & { reason?: string; series?: { count?: number } };
  const events = (await admin.list<PodEvent>(EVENT, { namespace, fieldSelector: `regarding.name=${pod}` })).items;
  const throttled = events.find((event) => event.reason === 'CPUThrottled');
  const problems: string[] = [];
  if (!events.some((event) => event.reason === 'BirthRecorded')) problems.push(`no BirthRecorded Event on pod ${pod}`);
  if ((throttled?.series?.count ?? 0) < 2) problems.push(`no CPUThrottled Event series on pod ${pod}`);
  return problems;
}

export async function sweepFlow(admin: KubeApi, api: KubeApi, namespace: string, i: number): Promise<string[]> {
  // Gone, so the first sweep has to create it (the create half of an apply).
  await admin.delete(CONFIG_MAP, { namespace: 'kernel-gossip', name: 'ebpf-monitored-pods' });
  await createPod(admin, namespace, `sweep-${i}`);
  const repaired = await seedWhisper(admin, namespace, `sweep-${i}`, { status: false });
  await seedWhisper(admin, namespace, `gone-${i}`);
  await seedRollups(admin, namespace, i);
  const config = parseConfig({
    AUTH_REQUIRED: 'false',
    KERNEL_GOSSIP_FUNCTION: 'sweep',
    ALLOWED_NAMESPACES: namespace,
    MONITORED_PODS_NAMESPACE: 'kernel-gossip',
    KW_RETENTION_SECONDS: '0',
    PBC_RETENTION_SECONDS: '0',
  });
  const app = buildSweep({ config, api, log: quiet, metrics: createSweepMetrics() });
  const problems: string[] = [];
  // The first sweep marks the object whose pod is gone, the second deletes it.
  for (const round of [1, 2]) {
    const response = await app.request('/', { method: 'POST' });
    const summary = (await response.json()) as { failures?: unknown[] };
    if (response.status !== 200 || (summary.failures?.length ?? 0) > 0)
      problems.push(`sweep ${round}: ${response.status} ${JSON.stringify(summary).slice(0, 300)}`);
  }
  const whisper = await admin.get(KERNEL_WHISPER, { namespace, name: repaired.metadata.name });
  if (whisper?.status === undefined) problems.push('status was not repaired');
  if ((await admin.get(KERNEL_WHISPER, { namespace, name: `gone-${i}.app` })) !== undefined)
    problems.push(`gone-${i}.app was not deleted`);
  const configMap = await admin.get<KubeObject & { data?: Record<string, string> }>(CONFIG_MAP, {
    namespace: 'kernel-gossip',
    name: 'ebpf-monitored-pods',
  });
  if (!(configMap?.data?.pods ?? '').includes(`sweep-${i}:`))
    problems.push('the monitored-pods ConfigMap does not list the pod');
  const rollup = await admin.get(WORKLOAD_WHISPER, { namespace, name: `deployment.roll-${i}.app` });
  if (rollup?.status === undefined)
    problems.push(`the roll-up of deployment roll-${i} was not created with its status`);
  if ((await admin.get(WORKLOAD_WHISPER, { namespace, name: `deployment.old-${i}.app` })) !== undefined)
    problems.push(`the roll-up of deployment old-${i}, which no replica backs, was not deleted`);
  return problems;
}

/**
 * A pod of a Deployment's ReplicaSet with a KernelWhisper, whose roll-up the sweep
 * creates (apply, then its status), and a roll-up no live replica backs, which it deletes.
 */
async function seedRollups(admin: KubeApi, namespace: string, i: number): Promise<void> {
  const hash = `${i}f7c9d`;
  const owner = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    name: `roll-${i}-${hash}`,
    uid: randomUUID(),
    controller: true,
  };
  const pod = `roll-${i}-${hash}-x`;
  await admin.create(
    POD,
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace, name: pod, labels: { 'pod-template-hash': hash }, ownerReferences: [owner] },
      spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }] },
    },
    { fieldManager: 'test' },
  );
  await seedWhisper(admin, namespace, pod);
  const stale = {
    apiVersion: 'kernel.gossip.io/v1alpha1',
    kind: WORKLOAD_WHISPER.kind,
    metadata: { namespace, name: `deployment.old-${i}.app`, labels: { [LABEL.managedBy]: MANAGED_BY } },
    spec: { workload: { api_version: 'apps/v1', kind: 'Deployment', name: `old-${i}` }, container_name: 'app' },
  };
  await admin.apply(WORKLOAD_WHISPER, stale, { fieldManager: 'kernel-gossip-rollup' });
}
