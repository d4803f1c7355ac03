/** The demo objects of `npm run dev`: a namespace, an opted-in pod, and what a kubelet would report for it. */
export const DEMO_CONTAINER_ID = '3f1c9a7b2e4d6f80a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718';
/** A birth as a kubelet would report it: scheduled after 1 s, sandbox at 3 s, the app started at 5 s, Ready at 7 s. */
export function demoStatus(createdMs: number) {
  const at = (seconds: number) => new Date(createdMs + seconds * 1000).toISOString().replace('.000Z', 'Z');
  const condition = (type: string, seconds: number) => ({ type, status: 'True', lastTransitionTime: at(seconds) });
  return {
    status: {
      phase: 'Running',
      conditions: [
        condition('PodScheduled', 1),
        condition('PodReadyToStartContainers', 3),
        condition('Initialized', 3),
        condition('ContainersReady', 7),
        condition('Ready', 7),
      ],
      containerStatuses: [
        {
          name: 'app',
          containerID: `containerd://${DEMO_CONTAINER_ID}`,
          image: 'registry.example/app:1',
          imageID: '',
          ready: true,
          restartCount: 0,
          started: true,
          state: { running: { startedAt: at(5) } },
        },
      ],
    },
  };
}

/** A kernel birth report whose entries fall between the demo pod's scheduling and its readiness. */
export function demoBirthData(createdMs: number): string {
  const step = (ms: number, action: string, actor = 'kernel') => ({ timestamp_ms: createdMs + ms, action, actor });
  return JSON.stringify({
    pod_name: 'throttled-pod',
    namespace: 'production',
    container_name: 'app',
    total_syscalls: 4521,
    namespace_ops: 6,
    cgroup_writes: 12,
    duration_ns: 4_800_000_000,
    iptables_rules: 4,
    timeline: [
      step(1300, 'unshare(CLONE_NEWNET|CLONE_NEWUTS|CLONE_NEWIPC)'),
      step(1600, 'veth pair up, 4 iptables rules'),
      step(2200, 'cgroup write cpu.max 50000 100000', 'runtime'),
      step(3300, 'clone(CLONE_NEWNS|CLONE_NEWPID)'),
      step(3600, 'mount overlay /var/lib/app'),
      step(4400, 'cgroup write memory.max 268435456', 'runtime'),
      step(5200, 'execve /app/server'),
      step(6100, 'connect 10.96.0.10:53'),
    ],
  });
}

/** Namespaces the functions use and a pod that opted in (no kubelet here: it stays Pending). */
export const DEMO_OBJECTS = `
apiVersion: v1
kind: Namespace
metadata: { name: kernel-gossip }
---
apiVersion: v1
kind: Namespace
metadata: { name: production }
---
apiVersion: v1
kind: Pod
metadata:
  name: throttled-pod
  namespace: production
  annotations: { kernel-gossip.io/monitor: "true" }
spec:
  nodeName: node-1
  containers:
    - name: app
      image: registry.example/app:1
      resources: { requests: { cpu: 250m }, limits: { cpu: 500m } }
`;
