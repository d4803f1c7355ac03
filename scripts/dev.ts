/**
 * `npm run dev`: the whole thing on this machine. Starts the embedded control
 * plane (building it on first use), installs the CRDs, builds the functions and
 * serves ingest on :8080 and sweep on :8081 from the production build, with a
 * monitored demo pod so the printed curl commands work as they are. With
 * `-- --broker` the real Knative Eventing data plane runs in front of them
 * (dev-broker.ts), and the functions move to :8090 and :8081 because its
 * dispatcher holds :8080. Ctrl-C stops everything it started.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type ControlPlane, startControlPlane } from '../test/controlplane/harness.js';
import { BROKER_FLAG, type DevBroker, startDevBroker } from './dev-broker.js';

const root = path.resolve(import.meta.dirname, '..');
const devDir = path.join(root, '.dev');
const kubeconfig = path.join(devDir, 'kubeconfig');
const kubectlPath = path.join(devDir, 'bin', 'kubectl');
const withBroker = process.argv.includes(BROKER_FLAG);
const ingestPort = process.env.INGEST_PORT ?? (withBroker ? '8090' : '8080');
const sweepPort = process.env.SWEEP_PORT ?? '8081';
const brokerPort = process.env.BROKER_PORT ?? '8070';
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
  // No kubelet runs here, so the demo pod's container status (what a kubelet would report) is set by hand.
  kubectl(
    'patch',
    'pod',
    'throttled-pod',
    '-n',
    'production',
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify(DEMO_STATUS),
  );
}

const DEMO_CONTAINER_ID = '3f1c9a7b2e4d6f80a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718';
const DEMO_STATUS = {
  status: {
    phase: 'Running',
    containerStatuses: [
      {
        name: 'app',
        containerID: `containerd://${DEMO_CONTAINER_ID}`,
        image: 'registry.example/app:1',
        imageID: '',
        ready: true,
        restartCount: 0,
        started: true,
      },
    ],
  },
};

function demoPodUid(): string {
  return kubectl('get', 'pod', 'throttled-pod', '-n', 'production', '-o', 'jsonpath={.metadata.uid}').trim();
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
let broker: DevBroker | undefined;

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  await broker?.stop();
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
if (withBroker) {
  const functions = { ingest: `http://127.0.0.1:${ingestPort}/`, sweep: `http://127.0.0.1:${sweepPort}/` };
  broker = await startDevBroker(controlPlane, functions, Number(brokerPort)).catch(async (error: unknown) => {
    console.error(`Could not start the Knative Broker: ${error instanceof Error ? error.message : String(error)}`);
    await shutdown(1);
    return undefined;
  });
}
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

Then look:  kubectl get kw,pbc -A     Sweep now:  curl -X POST http://127.0.0.1:${sweepPort}/
${broker === undefined ? `\nWith \`npm run dev -- ${BROKER_FLAG}\` the events go through a real Knative Broker instead.\n` : brokerHelp(broker.brokerUrl)}
Ctrl-C stops everything.
`);

function brokerHelp(brokerUrl: string): string {
  return `
Knative Eventing runs in front of the functions: our Broker, Triggers and PingSource (every 5 minutes)
from knative/ in namespace kernel-gossip. Post an event as kernel-observer does, and it reaches the
ingest through the Trigger (retries, dead letters printed here):

  curl -i ${brokerUrl} -H 'Content-Type: application/json' \\
    -H 'Ce-Specversion: 1.0' -H 'Ce-Id: broker-demo-1' -H 'Ce-Source: /kernel-observer/node-1' \\
    -H 'Ce-Type: io.gossip.kernel.cpu_throttle.v1' -H "Ce-Time: $(date -u +%Y-%m-%dT%H:%M:%SZ)" \\
    -d '{"pod_name":"throttled-pod","namespace":"production","container_name":"app","throttle_percentage":91,"actual_cpu_usage":0.8,"reported_cpu_usage":0.5}'

  kubectl get brokers,triggers,pingsources -n kernel-gossip
`;
}
