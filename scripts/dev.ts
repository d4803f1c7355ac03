/**
 * `npm run dev`: the whole thing on this machine. Starts the embedded control
 * plane (building it on first use), installs the CRDs, builds the functions and
 * serves ingest on :8080 and sweep on :8081 from the production build, with a
 * monitored demo pod so the printed curl commands work as they are, and the
 * viewer on 127.0.0.1:8090 reading with the dev kubeconfig. Ctrl-C stops
 * everything it started.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { connectKubeApi } from '../lib/k8s/client.js';
import { DEFAULT_VIEWER_PORT } from '../lib/viewer/config.js';
import { type RunningViewer, startViewer } from '../lib/viewer/serve.js';
import { type ControlPlane, startControlPlane } from '../test/controlplane/harness.js';

const root = path.resolve(import.meta.dirname, '..');
const devDir = path.join(root, '.dev');
const kubeconfig = path.join(devDir, 'kubeconfig');
const kubectlPath = path.join(devDir, 'bin', 'kubectl');
const ingestPort = process.env.INGEST_PORT ?? '8080';
const sweepPort = process.env.SWEEP_PORT ?? '8081';
const viewerPort = Number(process.env.VIEWER_PORT ?? DEFAULT_VIEWER_PORT);
const children: ChildProcess[] = [];

function kubectl(...args: string[]): string {
  return execFileSync(kubectlPath, ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8' });
}

function installEverything(): void {
  kubectl('apply', '--server-side', '-f', path.join(root, 'crds'));
  kubectl('wait', '--for=condition=Established', '--timeout=60s', '-f', path.join(root, 'crds'));
  execFileSync(kubectlPath, ['--kubeconfig', kubeconfig, 'apply', '--server-side', '-f', '-'], {
    input: DEMO_OBJECTS,
    encoding: 'utf8',
  });
  // No kubelet or scheduler runs here, so what they would report (conditions, container status) is set by hand.
  kubectl(
    'patch',
    'pod',
    'throttled-pod',
    '-n',
    'production',
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify(demoStatus(demoPodCreated())),
  );
}

const DEMO_CONTAINER_ID = '3f1c9a7b2e4d6f80a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718';
/** A birth as a kubelet would report it: scheduled after 1 s, sandbox at 3 s, the app started at 5 s, Ready at 7 s. */
function demoStatus(createdMs: number) {
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

function demoPodUid(): string {
  return kubectl('get', 'pod', 'throttled-pod', '-n', 'production', '-o', 'jsonpath={.metadata.uid}').trim();
}

function demoPodCreated(): number {
  const created = kubectl(
    'get',
    'pod',
    'throttled-pod',
    '-n',
    'production',
    '-o',
    'jsonpath={.metadata.creationTimestamp}',
  );
  return Date.parse(created.trim());
}

/** A kernel birth report whose entries fall between the demo pod's scheduling and its readiness. */
function demoBirthData(createdMs: number): string {
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
const DEMO_OBJECTS = `
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

function startFunction(name: 'ingest' | 'sweep', port: string): void {
  const child = spawn(process.execPath, [path.join(root, 'dist', 'server.js')], {
    stdio: 'inherit',
    env: {
      ...process.env,
      KUBECONFIG: kubeconfig,
      KERNEL_GOSSIP_FUNCTION: name,
      PORT: port,
      MONITORED_PODS_NAMESPACE: 'kernel-gossip',
    },
  });
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`${name} exited with ${code}; stopping`);
      void shutdown(1);
    }
  });
  children.push(child);
}

let stopping = false;
let controlPlane: ControlPlane | undefined;
let viewer: RunningViewer | undefined;

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  await viewer?.close();
  await controlPlane?.stop();
  process.exit(code);
}

process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));

mkdirSync(path.dirname(kubectlPath), { recursive: true });
controlPlane = await startControlPlane({ kubeconfigPath: kubeconfig });
copyFileSync(controlPlane.kubectlPath, kubectlPath);
installEverything();
execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
startFunction('ingest', ingestPort);
startFunction('sweep', sweepPort);
viewer = await startViewer(await connectKubeApi({ kubeconfigPath: kubeconfig }), viewerPort);
console.log(`
Kernel Gossip is running: ingest on http://127.0.0.1:${ingestPort}, sweep on http://127.0.0.1:${sweepPort}.

  export KUBECONFIG=${kubeconfig} PATH=${path.dirname(kubectlPath)}:$PATH

Send a throttle CloudEvent (binary mode, as a Knative Broker delivers it):

  curl -i http://127.0.0.1:${ingestPort}/ -H 'Content-Type: application/json' \\
    -H 'Ce-Specversion: 1.0' -H 'Ce-Id: demo-1' -H 'Ce-Source: /kernel-observer/node-1' \\
    -H 'Ce-Type: io.gossip.kernel.cpu_throttle.v1' -H "Ce-Time: $(date -u +%Y-%m-%dT%H:%M:%SZ)" \\
    -d '{"pod_name":"throttled-pod","namespace":"production","container_name":"app","throttle_percentage":85.5,"actual_cpu_usage":0.8,"reported_cpu_usage":0.5,"period_seconds":300,"throttle_ns":123456789,"ebpf_detection":true}'

The same pod identified only as the kernel sees it (cgroup path and node):

  curl -i http://127.0.0.1:${ingestPort}/ -H 'Content-Type: application/json' \\
    -H 'Ce-Specversion: 1.0' -H 'Ce-Id: demo-cgroup-1' -H 'Ce-Source: /kernel-observer/node-1' \\
    -H 'Ce-Type: io.gossip.kernel.cpu_throttle.v1' -H "Ce-Time: $(date -u +%Y-%m-%dT%H:%M:%SZ)" \\
    -d '{"cgroup_path":"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${demoPodUid().replaceAll('-', '_')}.slice/cri-containerd-${DEMO_CONTAINER_ID}.scope","node_name":"node-1","throttle_percentage":92,"actual_cpu_usage":0.5,"reported_cpu_usage":0.3}'

A kernel birth report for the same pod (its lifecycle comes from the pod object):

  curl -i http://127.0.0.1:${ingestPort}/ -H 'Content-Type: application/json' \\
    -H 'Ce-Specversion: 1.0' -H 'Ce-Id: demo-birth-1' -H 'Ce-Source: /kernel-observer/node-1' \\
    -H 'Ce-Type: io.gossip.kernel.pod_creation.v1' -H "Ce-Time: $(date -u +%Y-%m-%dT%H:%M:%SZ)" \\
    -d '${demoBirthData(demoPodCreated())}'

Then look:  kubectl get kw,pbc -A     Sweep now:  curl -X POST http://127.0.0.1:${sweepPort}/

Viewer (births and throttling, read with the dev kubeconfig): ${viewer.url}
  or in a terminal:  npm run viewer -- --text production/throttled-pod

Ctrl-C stops everything.
`);
