import { KERNEL_WHISPER, POD_BIRTH_CERTIFICATE } from '../../../lib/api/group.js';
import type { KubeApi } from '../../../lib/k8s/api.js';
import { createBirthPod, ingestApp, postBirth, setLifecycle } from '../../integration/support/birth.js';

/**
 * What the viewer tests look at, written through the real API server: a pod
 * born through the ingest (kernel report + lifecycle set through the status
 * subresource), a certificate and a KernelWhisper whose names and actions are
 * markup, and a few throttled containers.
 */
export const HOSTILE = {
  podName: '"><img src=x onerror="window.__pwned=1">',
  script: '<script>window.__pwned=2</script>',
  attribute: '"><img src=x onerror=window.__pwned=3>',
  container: '<script>window.__pwned=4</script>',
} as const;

export const BORN = 'checkout-7d9f';

/** Kernel entries, in ms after the pod's creation. */
export const KERNEL_STEPS: readonly (readonly [number, string, string])[] = [
  [1400, 'clone(CLONE_NEWNET|CLONE_NEWUTS|CLONE_NEWIPC)', 'kernel'],
  [1700, 'veth pair up, 4 iptables rules', 'kernel'],
  [2300, 'cgroup write cpu.max 50000 100000', 'runtime'],
  [3500, 'execve /usr/bin/migrate', 'kernel'],
  [6400, 'mount overlay /var/lib/app', 'kernel'],
  [7300, 'execve /app/server', 'kernel'],
  [8600, 'connect 10.96.0.10:53', 'kernel'],
];

export async function seedViewerData(api: KubeApi, ns: string): Promise<{ createdMs: number }> {
  const { createdMs } = await createBirthPod(api, ns, BORN, { init: ['migrate'], main: ['app', 'envoy'] });
  await setLifecycle(api, ns, BORN, createdMs, {
    conditions: { PodScheduled: 1, PodReadyToStartContainers: 3, Initialized: 6, ContainersReady: 9, Ready: 10 },
    init: { migrate: 4 },
    containers: { app: 7, envoy: 7 },
  });
  const data = {
    pod_name: BORN,
    namespace: ns,
    container_name: 'app',
    total_syscalls: 18342,
    namespace_ops: 6,
    cgroup_writes: 23,
    iptables_rules: 4,
    duration_ns: 7_200_000_000,
    timeline: KERNEL_STEPS.map(([ms, action, actor]) => ({ timestamp_ms: createdMs + ms, action, actor })),
    timestamp: new Date().toISOString(),
  };
  const response = await postBirth(ingestApp(api), data, 'viewer-birth');
  if (response.headers.get('kernel-gossip-outcome') !== 'applied') throw new Error('the birth report was not applied');
  await hostileCertificate(api, ns, createdMs);
  for (const [name, container, percent] of [
    ['api-5c8d', 'app', 92.4],
    ['worker-0', 'worker', 67.1],
    ['hostile', HOSTILE.container, 55.5],
    ['web-2', 'nginx', 12.5],
  ] as const)
    await whisper(api, ns, name, container, percent);
  return { createdMs };
}

async function hostileCertificate(api: KubeApi, ns: string, createdMs: number): Promise<void> {
  const timeline = [
    { timestamp_ms: createdMs, actor: 'kernel', action: HOSTILE.script },
    { timestamp_ms: createdMs + 500, actor: 'runtime', action: HOSTILE.attribute },
  ];
  await api.apply(
    POD_BIRTH_CERTIFICATE,
    {
      apiVersion: 'kernel.gossip.io/v1alpha1',
      kind: 'PodBirthCertificate',
      metadata: { name: 'hostile', namespace: ns },
      spec: {
        pod_name: HOSTILE.podName,
        namespace: ns,
        timeline,
        kernel_stats: { total_syscalls: 1, namespaces_created: 0, cgroup_writes: 0, total_duration_ms: 1 },
      },
    },
    { fieldManager: 'test' },
  );
}

async function whisper(api: KubeApi, ns: string, pod: string, container: string, percent: number): Promise<void> {
  await api.apply(
    KERNEL_WHISPER,
    {
      apiVersion: 'kernel.gossip.io/v1alpha1',
      kind: 'KernelWhisper',
      metadata: { name: `${pod}.${container.replace(/[^a-z0-9-]/g, 'x')}`, namespace: ns },
      spec: {
        pod_name: pod,
        namespace: ns,
        container_name: container,
        detected_at: new Date().toISOString(),
        kernel_truth: { throttled_percent: percent, actual_cpu_cores: 0.5 },
        metrics_lie: { cpu_percent: 30, reported_status: 'underreported' },
        severity: percent > 80 ? 'critical' : percent > 50 ? 'warning' : 'info',
      },
    },
    { fieldManager: 'test' },
  );
}
