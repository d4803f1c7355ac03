import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { connectKubeApi } from '../../../lib/k8s/client.js';
import type { KubeApi } from '../../../lib/k8s/api.js';
import { kubectl } from './cluster.js';

/**
 * Acting as a ServiceAccount: a token from the TokenRequest API (what the kubelet
 * mounts into the function's pod) in a kubeconfig of its own.
 */
export async function serviceAccountApi(namespace: string, serviceAccount: string): Promise<KubeApi & { close(): void }> {
  const token = (await kubectl(['create', 'token', serviceAccount, '-n', namespace, '--duration=1h'])).trim();
  const admin = JSON.parse(readFileSync(inject('kubeconfig'), 'utf8')) as { clusters: { cluster: { server: string; 'certificate-authority-data': string } }[] };
  const cluster = admin.clusters[0]?.cluster;
  if (cluster === undefined) throw new Error('the admin kubeconfig names no cluster');
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test', cluster }],
    users: [{ name: serviceAccount, user: { token } }],
    contexts: [{ name: serviceAccount, context: { cluster: 'test', user: serviceAccount } }],
    'current-context': serviceAccount,
  };
  // In the control plane's data dir, which goes away with it.
  const file = path.join(inject('controlPlaneDataDir'), `${serviceAccount}-${process.pid}-${Date.now()}.kubeconfig`);
  writeFileSync(file, JSON.stringify(kubeconfig), { mode: 0o600 });
  return connectKubeApi({ kubeconfigPath: file });
}
