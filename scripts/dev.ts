/**
 * `npm run dev`: the whole thing on this machine. Starts the embedded control
 * plane (building it on first use), installs the CRDs, builds the functions and
 * serves ingest on :8080 and sweep on :8081 from the production build, with a
 * monitored demo pod so the printed curl commands work as they are, and the
 * viewer on 127.0.0.1:8090 reading with the dev kubeconfig. With `-- --broker`
 * the real Knative Eventing data plane runs in front of the functions
 * (dev-broker.ts) and the ingest moves to :8082, because its dispatcher holds
 * :8080. Ctrl-C stops everything it started.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { connectKubeApi } from '../lib/k8s/client.js';
import { DEFAULT_VIEWER_PORT } from '../lib/viewer/config.js';
import { type RunningViewer, startViewer } from '../lib/viewer/serve.js';
import { type ControlPlane, startControlPlane } from '../test/controlplane/harness.js';
import { localSenderSettings } from '../test/eventing/local-settings.js';
import { BROKER_FLAG, brokerHelp, type DevBroker, startDevBroker } from './dev-broker.js';
import { DEMO_CONTAINER_ID, DEMO_OBJECTS, demoBirthData, demoStatus } from './dev-demo.js';

const root = path.resolve(import.meta.dirname, '..');
const devDir = path.join(root, '.dev');
const kubeconfig = path.join(devDir, 'kubeconfig');
const kubectlPath = path.join(devDir, 'bin', 'kubectl');
const tokenFile = (name: 'ingest' | 'sweep' | 'broker') => path.join(devDir, `${name}.token`);
/** The identity the demo's curl commands send as: the functions require a ServiceAccount token, as deployed. */
const DEV_SENDER = 'kernel-gossip-dev';
const withBroker = process.argv.includes(BROKER_FLAG);
const ingestPort = process.env.INGEST_PORT ?? (withBroker ? '8082' : '8080');
const sweepPort = process.env.SWEEP_PORT ?? '8081';
const brokerPort = Number(process.env.BROKER_PORT ?? '8070');
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

function demoPodUid(): string {
  return kubectl('get', 'pod', 'throttled-pod', '-n', 'production', '-o', 'jsonpath={.metadata.uid}').trim();
}

/**
 * The demo sender and its tokens for each function's audience, from this API server's
 * TokenRequest API (what Knative asks for a Trigger), valid for a day.
 */
function writeSenderTokens(): void {
  execFileSync(kubectlPath, ['--kubeconfig', kubeconfig, 'apply', '--server-side', '-f', '-'], {
    input: `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"${DEV_SENDER}","namespace":"kernel-gossip"}}`,
    encoding: 'utf8',
  });
  for (const name of ['ingest', 'sweep'] as const) {
    const token = kubectl(
      'create',
      'token',
      DEV_SENDER,
      '-n',
      'kernel-gossip',
      `--audience=kernel-gossip-${name}`,
      '--duration=24h',
    );
    writeFileSync(tokenFile(name), token.trim(), { mode: 0o600 });
  }
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

/** The function's shipped sender settings (func.yaml, knative/sweep/), and the demo's own sender allowed too. */
function senderSettings(name: 'ingest' | 'sweep'): Record<string, string> {
  const shipped = localSenderSettings(`kernel-gossip-${name}`, 'kernel-gossip');
  return { ...shipped, AUTH_SUBJECTS: `${shipped.AUTH_SUBJECTS},system:serviceaccount:kernel-gossip:${DEV_SENDER}` };
}

function startFunction(name: 'ingest' | 'sweep', port: string): void {
  const child = spawn(process.execPath, [path.join(root, 'dist', 'server.js')], {
    stdio: 'inherit',
    env: {
      ...process.env,
      KUBECONFIG: kubeconfig,
      KERNEL_GOSSIP_FUNCTION: name,
      PORT: port,
      MONITORED_PODS_NAMESPACE: 'kernel-gossip',
      // As deployed (the Triggers' identities and the observer or the sweep's own), plus the demo sender.
      ...senderSettings(name),
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
let broker: DevBroker | undefined;

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  await broker?.stop();
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
writeSenderTokens();
execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
startFunction('ingest', ingestPort);
startFunction('sweep', sweepPort);
viewer = await startViewer(await connectKubeApi({ kubeconfigPath: kubeconfig }), viewerPort);
if (withBroker) {
  const functions = { ingest: `http://127.0.0.1:${ingestPort}/`, sweep: `http://127.0.0.1:${sweepPort}/` };
  const options = { brokerPort, tokenFile: tokenFile('broker') };
  broker = await startDevBroker(controlPlane, functions, options).catch(async (error: unknown) => {
    console.error(`Could not start the Knative Broker: ${error instanceof Error ? error.message : String(error)}`);
    await shutdown(1);
    return undefined;
  });
}
console.log(`
Kernel Gossip is running: ingest on http://127.0.0.1:${ingestPort}, sweep on http://127.0.0.1:${sweepPort}.

  export KUBECONFIG=${kubeconfig} PATH=${path.dirname(kubectlPath)}:$PATH
  export INGEST_TOKEN=$(cat ${tokenFile('ingest')}) SWEEP_TOKEN=$(cat ${tokenFile('sweep')})

Both functions require a sender token, as deployed; these two are ServiceAccount
${DEV_SENDER}'s for each function's audience. Send a throttle CloudEvent (binary mode, as a
Knative Broker delivers it):

  curl -i http://127.0.0.1:${ingestPort}/ -H "Authorization: Bearer $INGEST_TOKEN" -H 'Content-Type: application/json' \\
    -H 'Ce-Specversion: 1.0' -H 'Ce-Id: demo-1' -H 'Ce-Source: /kernel-observer/node-1' \\
    -H 'Ce-Type: io.gossip.kernel.cpu_throttle.v1' -H "Ce-Time: $(date -u +%Y-%m-%dT%H:%M:%SZ)" \\
    -d '{"pod_name":"throttled-pod","namespace":"production","container_name":"app","throttle_percentage":85.5,"actual_cpu_usage":0.8,"reported_cpu_usage":0.5,"period_seconds":300,"throttle_ns":123456789,"ebpf_detection":true}'

The same pod identified only as the kernel sees it (cgroup path and node):

  curl -i http://127.0.0.1:${ingestPort}/ -H "Authorization: Bearer $INGEST_TOKEN" -H 'Content-Type: application/json' \\
    -H 'Ce-Specversion: 1.0' -H 'Ce-Id: demo-cgroup-1' -H 'Ce-Source: /kernel-observer/node-1' \\
    -H 'Ce-Type: io.gossip.kernel.cpu_throttle.v1' -H "Ce-Time: $(date -u +%Y-%m-%dT%H:%M:%SZ)" \\
    -d '{"cgroup_path":"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${demoPodUid().replaceAll('-', '_')}.slice/cri-containerd-${DEMO_CONTAINER_ID}.scope","node_name":"node-1","throttle_percentage":92,"actual_cpu_usage":0.5,"reported_cpu_usage":0.3}'

A kernel birth report for the same pod (its lifecycle comes from the pod object):

  curl -i http://127.0.0.1:${ingestPort}/ -H "Authorization: Bearer $INGEST_TOKEN" -H 'Content-Type: application/json' \\
    -H 'Ce-Specversion: 1.0' -H 'Ce-Id: demo-birth-1' -H 'Ce-Source: /kernel-observer/node-1' \\
    -H 'Ce-Type: io.gossip.kernel.pod_creation.v1' -H "Ce-Time: $(date -u +%Y-%m-%dT%H:%M:%SZ)" \\
    -d '${demoBirthData(demoPodCreated())}'

Then look:  kubectl get kw,pbc -A
Sweep now:  curl -X POST http://127.0.0.1:${sweepPort}/ -H "Authorization: Bearer $SWEEP_TOKEN"

Viewer (births and throttling, read with the dev kubeconfig): ${viewer.url}
  or in a terminal:  npm run viewer -- --text production/throttled-pod
${broker === undefined ? `\nWith \`npm run dev -- ${BROKER_FLAG}\` the events go through a real Knative Broker instead.\n` : brokerHelp(broker.brokerUrl, tokenFile('broker'))}
Ctrl-C stops everything.
`);
