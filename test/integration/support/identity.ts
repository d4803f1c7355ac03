import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { connectKubeApi, type KubeConnection } from '../../../lib/k8s/client.js';
import { kubectl } from './cluster.js';

/**
 * Acting as a ServiceAccount: a token from the TokenRequest API (what the kubelet
 * mounts into the function's pod) in a kubeconfig of its own.
 */
export async function serviceAccountApi(namespace: string, serviceAccount: string): Promise<KubeConnection> {
  const token = await serviceAccountToken(namespace, serviceAccount);
  const { cluster } = adminKubeconfig();
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

/** A token from the TokenRequest API, valid for an hour unless told, for the API server's audience unless told. */
export async function serviceAccountToken(
  namespace: string,
  serviceAccount: string,
  options: { audience?: string; duration?: string } = {},
): Promise<string> {
  const audience = options.audience === undefined ? [] : [`--audience=${options.audience}`];
  const args = ['create', 'token', serviceAccount, '-n', namespace, `--duration=${options.duration ?? '1h'}`];
  return (await kubectl([...args, ...audience])).trim();
}

export type AdminCluster = { readonly server: string; readonly 'certificate-authority-data': string };
export type AdminUser = { readonly 'client-certificate-data': string; readonly 'client-key-data': string };

/** The cluster and user entries of the run's admin kubeconfig (test/controlplane/kubeconfig.ts writes them inline). */
export function adminKubeconfig(): { cluster: AdminCluster; user: AdminUser } {
  const admin = JSON.parse(readFileSync(inject('kubeconfig'), 'utf8')) as {
    clusters: { cluster: AdminCluster }[];
    users: { user: AdminUser }[];
  };
  const [cluster, user] = [admin.clusters[0]?.cluster, admin.users[0]?.user];
  if (cluster === undefined || user === undefined) throw new Error('the admin kubeconfig names no cluster or user');
  return { cluster, user };
}
