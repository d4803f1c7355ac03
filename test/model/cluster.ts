import { randomBytes } from 'node:crypto';
import { NAMESPACE } from '../../lib/api/group.js';
import { connectKubeApi } from '../../lib/k8s/client.js';
import { loadCredentials } from '../../lib/k8s/credentials.js';
import { createTransport } from '../../lib/k8s/transport.js';
import { readControlFile } from '../controlplane/control-file.js';
import type { Cluster } from './system.js';

/**
 * Admin access to the run's API server for the model (usable from vitest and
 * from scripts/model.ts alike), and to its etcd when the run started one, for
 * storing objects as the earlier operator's CRD left them.
 */

export async function connectCluster(
  kubeconfigPath: string,
  controlFile?: string,
): Promise<Cluster & { close(): void }> {
  const api = await connectKubeApi({ kubeconfigPath });
  const transport = createTransport(await loadCredentials({ kubeconfigPath }));
  const etcd = controlFile === undefined ? undefined : etcdUrl(controlFile);
  return {
    api,
    request: (method, path, body) => transport.request('model', method, path, body),
    ...(etcd === undefined ? {} : { storeInEtcd: (key: string, value: unknown) => etcdPut(etcd, key, value) }),
    close() {
      api.close();
      transport.close();
    },
  };
}

/** Right after the CRDs are installed their storage may still be initialising (429); wait it out. */
export async function waitForStorage(cluster: Cluster): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (const plural of ['kernelwhispers', 'podbirthcertificates']) {
    for (;;) {
      const result = await cluster.request('GET', `/apis/kernel.gossip.io/v1alpha1/${plural}?limit=1`);
      if (result.status === 200) break;
      if (Date.now() > deadline) throw new Error(`${plural} not served: ${result.status}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export async function modelNamespace(cluster: Cluster): Promise<string> {
  const name = `model-${randomBytes(4).toString('hex')}`;
  await cluster.api.create(
    NAMESPACE,
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    { fieldManager: 'model' },
  );
  return name;
}

function etcdUrl(controlFile: string): string | undefined {
  const control = readControlFile(controlFile);
  if (control.external) return undefined;
  return control.components.etcd?.ready.url.replace(/\/health$/, '');
}

/** etcd's JSON gateway (/v3/kv/put, base64 key and value): the API server reads what it finds there. */
async function etcdPut(base: string, key: string, value: unknown): Promise<void> {
  const encode = (text: string) => Buffer.from(text).toString('base64');
  const response = await fetch(`${base}/v3/kv/put`, {
    method: 'POST',
    body: JSON.stringify({ key: encode(key), value: encode(JSON.stringify(value)) }),
  });
  if (!response.ok) throw new Error(`etcd put ${key}: ${response.status} ${await response.text()}`);
}
