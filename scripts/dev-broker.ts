import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type KubectlTarget, runKubectl } from '../test/controlplane/kubectl.js';
import { deployLocally } from '../test/eventing/deploy.js';
import { type Eventing, startEventing } from '../test/eventing/harness.js';
import { ensureKnativeModules } from '../test/upstream/modules.js';

/**
 * `npm run dev -- --broker`: the real Knative Eventing data plane in front of the two
 * functions, as in a cluster: our Broker, Triggers (retries, dead-letter sink) and the
 * five-minute PingSource from knative/, in namespace kernel-gossip, with Knative's sender
 * identity on (authentication-oidc): every hop carries a token of this API server, and the
 * observer's post needs one for the Broker's audience, which is written to `tokenFile`. Off by
 * default: the first run builds Eventing (about 4 minutes on 2 cores), it takes some 360 MiB,
 * and its channel dispatcher needs ports 8080 and 8443, one set per machine (docs/local-demo.md).
 */
export type DevBroker = { readonly brokerUrl: string; stop(): Promise<void> };

export const BROKER_FLAG = '--broker';
const NAMESPACE = 'kernel-gossip';
const BROKER = 'kernel-gossip';
/** The observer's ServiceAccount, as func.yaml names it. */
const OBSERVER = 'kernel-observer';

export async function startDevBroker(
  controlPlane: KubectlTarget & { readonly server: string },
  functions: { readonly ingest: string; readonly sweep: string },
  options: { readonly brokerPort: number; readonly tokenFile: string },
): Promise<DevBroker> {
  const modules = await ensureKnativeModules();
  const eventing: Eventing = await startEventing({
    controlPlane,
    modules,
    features: { 'authentication-oidc': 'enabled' },
    purpose: 'npm run dev -- --broker',
    ingressPort: options.brokerPort,
  });
  const deadLetter = await startDeadLetterLog();
  try {
    await deployLocally(controlPlane, {
      namespace: NAMESPACE,
      services: {
        'kernel-gossip-ingest': functions.ingest,
        'kernel-gossip-sweep': functions.sweep,
        'kernel-gossip-dead-letter': deadLetter.url,
      },
    });
    writeFileSync(options.tokenFile, await observerToken(controlPlane), { mode: 0o600 });
  } catch (error) {
    await Promise.all([eventing.stop(), deadLetter.close()]);
    throw error;
  }
  return {
    brokerUrl: `${eventing.ingress}/${NAMESPACE}/${BROKER}`,
    stop: async () => {
      await Promise.all([eventing.stop(), deadLetter.close()]);
    },
  };
}

/** A token of the observer for the audience the Broker publishes (TokenRequest, as in a cluster), valid for a day. */
async function observerToken(controlPlane: KubectlTarget): Promise<string> {
  const serviceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: OBSERVER, namespace: NAMESPACE },
  };
  await runKubectl(controlPlane, ['apply', '--server-side', '-f', '-'], JSON.stringify(serviceAccount));
  const audience = await runKubectl(controlPlane, [
    ...['-n', NAMESPACE, 'get', 'broker', BROKER, '-o', 'jsonpath={.status.address.audience}'],
  ]);
  const token = await runKubectl(controlPlane, [
    ...['-n', NAMESPACE, 'create', 'token', OBSERVER, `--audience=${audience}`, '--duration=24h'],
  ]);
  return token.trim();
}

/** The dead-letter sink, as knative/21-dead-letter.yaml's event_display would show it: one line per event. */
async function startDeadLetterLog(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk.slice(0, 4096)));
    request.on('end', () => {
      const header = (name: string): string => String(request.headers[name] ?? '');
      const why = Buffer.from(header('ce-knativeerrordata'), 'base64').toString('utf8');
      console.error(
        `dead letter: ${header('ce-type')} ${header('ce-id')} from ${header('ce-source')}: ` +
          `HTTP ${header('ce-knativeerrorcode')} ${why} — data ${body}`,
      );
      response.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** What `npm run dev` prints about the Broker. */
export function brokerHelp(brokerUrl: string, tokenFile: string): string {
  return `
Knative Eventing runs in front of the functions: our Broker, Triggers and PingSource (every 5 minutes)
from knative/ in namespace kernel-gossip, with sender identity on (authentication-oidc): each Trigger
sends its own ServiceAccount token to the function, which checks it as deployed. Post an event as
kernel-observer does, with its token for the Broker's audience, and it reaches the ingest through the
Trigger (retries, dead letters printed here):

  export BROKER_TOKEN=$(cat ${tokenFile})
  curl -i ${brokerUrl} -H "Authorization: Bearer $BROKER_TOKEN" -H 'Content-Type: application/json' \\
    -H 'Ce-Specversion: 1.0' -H 'Ce-Id: broker-demo-1' -H 'Ce-Source: /kernel-observer/node-1' \\
    -H 'Ce-Type: io.gossip.kernel.cpu_throttle.v1' -H "Ce-Time: $(date -u +%Y-%m-%dT%H:%M:%SZ)" \\
    -d '{"pod_name":"throttled-pod","namespace":"production","container_name":"app","throttle_percentage":91,"actual_cpu_usage":0.8,"reported_cpu_usage":0.5}'

  kubectl get brokers,triggers,pingsources -n kernel-gossip
`;
}
