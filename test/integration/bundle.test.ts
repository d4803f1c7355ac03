import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KERNEL_WHISPER } from '../../lib/api/group.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { type FunctionProcess, spawnFunction, untilReady } from '../bench/function-process.js';
import { repoRoot } from '../controlplane/binaries.js';
import { binaryEvent, throttleData } from '../fixtures/events.js';
import { adminApi, createPod, freshNamespace, kubectl, run } from './support/cluster.js';
import { adminKubeconfig, serviceAccountToken } from './support/identity.js';

/**
 * The production build as `npm start` runs it (bundle, npm start's node flags,
 * environment only), served over a socket: once with a plain kubeconfig, once with an exec
 * credential plugin, which the bundle must load client-node for, from its
 * on-demand chunk. On the Node the tests run on and on the Node the image runs
 * (func.yaml BP_NODE_VERSION; fetched once from PyPI, test/upstream/node.ts).
 */
const imageNode = inject('imageNode');
const runtimes = [
  { label: `the tests' Node ${process.version}`, node: process.execPath, suffix: 'own' },
  imageNode.available
    ? { label: `the image's Node ${imageNode.version}`, node: imageNode.node, suffix: 'image' }
    : { label: `the image's Node ${imageNode.version} (not run: ${imageNode.why})`, node: undefined, suffix: 'image' },
];
let api: KubeApi & { close(): void };
let namespace: string;
let workDir: string;
let serverJs: string;
const started: FunctionProcess[] = [];

beforeAll(async () => {
  api = await adminApi();
  namespace = await freshNamespace(api, 'bundle');
  for (const { suffix } of runtimes) {
    for (const pod of ['p-plain', 'p-exec', 'p-auth']) await createPod(api, namespace, `${pod}-${suffix}`);
  }
  await kubectl(['create', 'serviceaccount', 'sender', '-n', namespace]);
  workDir = mkdtempSync(path.join(inject('controlPlaneDataDir'), 'bundle-'));
  const build = await run(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs'), path.join(workDir, 'dist')]);
  expect(build.stderr).toBe('');
  serverJs = path.join(workDir, 'dist', 'server.js');
}, 60_000);

afterAll(async () => {
  await Promise.all(started.map((fn) => fn.stop()));
  api.close();
});

/** `npm start` as the bench runs it (its node flags, environment only), on this test's build; `log()` reads what it wrote. */
async function startIngest(
  kubeconfigPath: string,
  name: string,
  node: string,
  env: Record<string, string> = {},
): Promise<{ port: number; log: () => string }> {
  const logFile = path.join(workDir, `${name}.log`);
  const ingest = await spawnFunction({ kind: 'ingest', kubeconfigPath, logFile, script: serverJs, node, env });
  started.push(ingest);
  await untilReady(ingest, { timeoutMs: 15_000, intervalMs: 50 });
  return { port: ingest.port, log: () => readFileSync(logFile, 'utf8') };
}

async function sendThrottle(port: number, pod: string, authorization?: string): Promise<Response> {
  const fixture = binaryEvent(
    'io.gossip.kernel.cpu_throttle.v1',
    { ...throttleData, namespace, pod_name: pod, timestamp: new Date(Date.now() - 1000).toISOString() },
    `bundle-${pod}`,
  );
  const headers = authorization === undefined ? fixture.headers : { ...fixture.headers, authorization };
  return fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers, body: fixture.body });
}

describe.each(runtimes)('the production bundle on $label', ({ node, suffix }) => {
  it.skipIf(node === undefined)('serves with a plain kubeconfig, read without client-node', async () => {
    const ingest = await startIngest(inject('kubeconfig'), `plain-${suffix}`, node ?? '');
    const answer = await sendThrottle(ingest.port, `p-plain-${suffix}`);
    expect([answer.status, answer.headers.get('kernel-gossip-outcome')]).toEqual([202, 'applied']);
    expect(await api.get(KERNEL_WHISPER, { namespace, name: `p-plain-${suffix}.app` })).toBeDefined();
    expect(ingest.log()).toContain('"credentials":"kubeconfig"');
  });

  it.skipIf(node === undefined)('serves with an exec credential plugin through client-node', async () => {
    const { cluster, user } = adminKubeconfig();
    const decode = (data: string) => Buffer.from(data, 'base64').toString('utf8');
    const credential = {
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: {
        clientCertificateData: decode(user['client-certificate-data']),
        clientKeyData: decode(user['client-key-data']),
      },
    };
    const plugin = path.join(workDir, `credential-plugin-${suffix}.sh`);
    writeFileSync(plugin, `#!/bin/sh\ncat <<'JSON'\n${JSON.stringify(credential)}\nJSON\n`);
    chmodSync(plugin, 0o755);
    const kubeconfig = path.join(workDir, `exec-${suffix}.kubeconfig`);
    const exec = { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' };
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster }],
        users: [{ name: 'u', user: { exec } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    const ingest = await startIngest(kubeconfig, `exec-${suffix}`, node ?? '');
    const answer = await sendThrottle(ingest.port, `p-exec-${suffix}`);
    expect([answer.status, answer.headers.get('kernel-gossip-outcome')]).toEqual([202, 'applied']);
    expect(await api.get(KERNEL_WHISPER, { namespace, name: `p-exec-${suffix}.app` })).toBeDefined();
    expect(ingest.log()).toContain('"credentials":"client-node"');
  });

  it.skipIf(node === undefined)(
    'requires a sender token as deployed, verified against the API server it reads the keys from',
    async () => {
      const env = { AUTH_REQUIRED: 'true', AUTH_SUBJECTS: `system:serviceaccount:${namespace}:sender` };
      const ingest = await startIngest(inject('kubeconfig'), `auth-${suffix}`, node ?? '', env);
      expect((await sendThrottle(ingest.port, `p-auth-${suffix}`)).status).toBe(401);
      const token = await serviceAccountToken(namespace, 'sender', { audience: 'kernel-gossip-ingest' });
      const answer = await sendThrottle(ingest.port, `p-auth-${suffix}`, `Bearer ${token}`);
      expect([answer.status, answer.headers.get('kernel-gossip-outcome')]).toEqual([202, 'applied']);
      expect(ingest.log()).toContain('"auth":{"required":true');
      expect(ingest.log()).not.toContain(token.split('.')[2]);
    },
  );

  it.skipIf(node === undefined)('runs on the Node it says', async () => {
    const version = await run(node ?? '', ['--version']);
    expect(version.stdout.trim()).toBe(suffix === 'own' ? process.version : `v${imageNode.version}`);
  });
});
