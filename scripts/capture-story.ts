/**
 * `npx tsx scripts/capture-story.ts`: the README's "What it does beyond the
 * earlier system", captured rather than typed. Starts a control plane of its
 * own, installs the CRDs, runs the ingest function in process on a simulated
 * clock (observations five minutes apart), prints `kubectl get kw`, a status
 * before the fix, runs the recommended command, and prints the status after
 * calm observations. Stops everything it started.
 */
import { execFileSync } from 'node:child_process';
import { stringify } from 'yaml';
import { buildIngest } from '../functions/ingest/create.js';
import { createIngestMetrics } from '../functions/ingest/metrics.js';
import { POD } from '../lib/api/group.js';
import { parseConfig } from '../lib/config.js';
import { connectKubeApi } from '../lib/k8s/client.js';
import type { KubeObject } from '../lib/k8s/objects.js';
import { createLogger } from '../lib/log.js';
import { startControlPlane } from '../test/controlplane/harness.js';
import { installCrds } from '../test/integration/global-setup.js';

const MINUTE = 60_000;
const controlPlane = await startControlPlane();
const kubectl = (...args: string[]) =>
  execFileSync(controlPlane.kubectlPath, ['--kubeconfig', controlPlane.kubeconfigPath, ...args], { encoding: 'utf8' });
try {
  await installCrds(controlPlane);
  kubectl('create', 'namespace', 'shop');
  const api = await connectKubeApi({ kubeconfigPath: controlPlane.kubeconfigPath });
  const clock = { nowMs: Date.now() };
  const ingest = buildIngest({
    config: parseConfig({ KERNEL_GOSSIP_FUNCTION: 'ingest', AUTH_REQUIRED: 'false' }),
    api,
    log: createLogger({ level: 'silent', name: 'capture' }),
    metrics: createIngestMetrics(),
    now: () => clock.nowMs,
  });
  let createdMs = 0;
  for (const name of ['web-0', 'api-0', 'batch-0']) {
    const pod = await api.create<KubeObject>(
      POD,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'shop', annotations: { 'kernel-gossip.io/monitor': 'true' } },
        spec: {
          containers: [
            { name: 'app', image: 'shop/app:1', resources: { requests: { cpu: '250m' }, limits: { cpu: '500m' } } },
          ],
        },
      },
      { fieldManager: 'capture' },
    );
    createdMs = Math.max(createdMs, Date.parse(pod.metadata.creationTimestamp ?? ''));
  }
  let id = 0;
  const observe = async (pod: string, minute: number, percent: number, throttleS: number) => {
    clock.nowMs = Math.max(clock.nowMs, createdMs + minute * MINUTE + 1000);
    const data = {
      pod_name: pod,
      namespace: 'shop',
      container_name: 'app',
      throttle_percentage: percent,
      actual_cpu_usage: 0.45,
      reported_cpu_usage: 0.3,
      throttle_ns: Math.round(throttleS * 1e9),
      period_seconds: 300,
      timestamp: new Date(createdMs + minute * MINUTE).toISOString(),
    };
    id += 1;
    const headers = {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': `capture-${id}`,
      'ce-source': '/kernel-observer/node-1',
      'ce-type': 'io.gossip.kernel.cpu_throttle.v1',
    };
    const response = await ingest.request('/', { method: 'POST', headers, body: JSON.stringify(data) });
    if (response.status !== 202) throw new Error(`${pod}: ${response.status} ${await response.text()}`);
  };
  const story: [string, number[]][] = [
    ['web-0', [40, 55, 62, 71, 84, 88, 91]],
    ['api-0', [12, 9, 15, 11, 93]],
    ['batch-0', [86, 72, 58, 41, 30, 22]],
  ];
  // In time order, as observers would send them: the clock only moves forward.
  const events = story.flatMap(([pod, shares]) => shares.map((share, i) => ({ pod, minute: 1 + 5 * i, share })));
  events.sort((a, b) => a.minute - b.minute);
  for (const { pod, minute, share } of events) await observe(pod, minute, share, share * 0.9);
  const status = (name: string) =>
    stringify({ status: JSON.parse(kubectl('get', 'kw', name, '-n', 'shop', '-o', 'json')).status }).trimEnd();
  console.log(`$ kubectl get kw -n shop\n${kubectl('get', 'kw', '-n', 'shop')}`);
  console.log(`--- web-0.app status before the fix\n${status('web-0.app')}\n`);
  const command = JSON.parse(kubectl('get', 'kw', 'web-0.app', '-n', 'shop', '-o', 'json')).status.recommended_command;
  const words = (command.match(/'[^']*'|\S+/g) ?? []).map((word: string) => word.replace(/^'(.*)'$/, '$1'));
  console.log(`$ ${command}\n${kubectl(...words.slice(1))}`);
  // The ingest trusts its copy of a pod for 30 s; the next observations come later than that.
  for (const [i, share] of [4, 2, 3].entries()) await observe('web-0', 37 + 5 * i, share, 1);
  console.log(`$ kubectl get kw -n shop\n${kubectl('get', 'kw', '-n', 'shop')}`);
  console.log(`--- web-0.app status after the fix\n${status('web-0.app')}`);
  const stored = JSON.parse(kubectl('get', 'kw', 'web-0.app', '-n', 'shop', '-o', 'json'));
  stored.metadata.managedFields = undefined;
  const entries = stored.spec.history.length;
  console.log(
    `--- web-0.app: ${JSON.stringify(stored).length} bytes of JSON without managedFields, ${entries} observations`,
  );
  api.close();
} finally {
  await controlPlane.stop();
}
