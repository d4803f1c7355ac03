/**
 * `node --expose-gc --import tsx test/bench/run-libraries.ts`: the measured reason our
 * API-server transport replaces client-node's generated clients (README, "Our code
 * where a library exists"). On its own control plane, the same GETs made one after
 * another, then 16 at a time, through client-node 1.x (CoreV1Api) and through
 * lib/k8s; TLS handshakes counted at `tls.connect`, wall time per request, and the
 * heap that importing client-node costs. Prints its figures; writes nothing.
 */
import tls from 'node:tls';
import { NAMESPACE } from '../integration/support/cluster.js';
import { startBenchCluster } from './cluster.js';

const REQUESTS = 400;
let handshakes = 0;
const connect = tls.connect;
// Counts every TLS connection either client opens; both reach tls.connect through https.Agent.
(tls as { connect: typeof tls.connect }).connect = ((...args: Parameters<typeof tls.connect>) => {
  handshakes++;
  return connect(...args);
}) as typeof tls.connect;

type Get = () => Promise<unknown>;

async function measure(label: string, get: Get, concurrency: number): Promise<void> {
  await get(); // warm up: credentials, first connection
  handshakes = 0;
  const started = performance.now();
  for (let done = 0; done < REQUESTS; done += concurrency) await Promise.all(Array.from({ length: concurrency }, get));
  const ms = performance.now() - started;
  const line = `${label} c=${concurrency}: ${REQUESTS} GETs, ${handshakes} TLS handshakes, ${(ms / REQUESTS).toFixed(2)} ms each`;
  process.stdout.write(`${line}\n`);
}

function heapMb(): number {
  global.gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

const cluster = await startBenchCluster();
try {
  const before = heapMb();
  const clientNode = await import('@kubernetes/client-node');
  const config = new clientNode.KubeConfig();
  config.loadFromFile(cluster.controlPlane.kubeconfigPath);
  const core = config.makeApiClient(clientNode.CoreV1Api);
  process.stdout.write(`importing client-node and making a client: +${(heapMb() - before).toFixed(1)} MB of heap\n`);
  const ours: Get = () => cluster.api.get(NAMESPACE, { namespace: '', name: 'default' });
  const theirs: Get = () => core.readNamespace({ name: 'default' });
  for (const concurrency of [1, 16]) {
    await measure('client-node CoreV1Api', theirs, concurrency);
    await measure('lib/k8s KubeApi      ', ours, concurrency);
  }
} finally {
  await cluster.stop();
}
