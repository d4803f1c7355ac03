import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ResourceType } from '../../../lib/api/group.js';
import type { KubeApi } from '../../../lib/k8s/api.js';
import { connectKubeApi } from '../../../lib/k8s/client.js';
import type { CredentialSource } from '../../../lib/k8s/credentials.js';
import { adminKubeconfig } from './identity.js';

/**
 * Who the API server thinks a credential is, from a SelfSubjectReview, so that a credential
 * that is read but not sent cannot pass; and kubeconfigs written for one test.
 */
const SELF_SUBJECT_REVIEW: ResourceType = {
  group: 'authentication.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectReview',
  plural: 'selfsubjectreviews',
  namespaced: false,
};

export async function usernameOf(api: KubeApi): Promise<string> {
  const review = await api.create(
    SELF_SUBJECT_REVIEW,
    { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: { name: '' } },
    { fieldManager: 'test' },
  );
  return (review as unknown as { status: { userInfo: { username: string } } }).status.userInfo.username;
}

export async function whoAmI(source: CredentialSource): Promise<string> {
  const api = await connectKubeApi(source);
  try {
    return await usernameOf(api);
  } finally {
    api.close();
  }
}

export type KubeconfigWriter = (
  file: string,
  user: Record<string, unknown>,
  cluster?: Record<string, unknown>,
) => string;

/** The run's API server and CA; the writer puts ca.crt beside each kubeconfig, which names it by default. */
export function kubeconfigWriter(): { server: URL; caPem: Buffer; write: KubeconfigWriter } {
  const { cluster: admin } = adminKubeconfig();
  const server = new URL(admin.server);
  const caPem = Buffer.from(admin['certificate-authority-data'], 'base64');
  const write: KubeconfigWriter = (
    file,
    user,
    cluster = { server: server.href, 'certificate-authority': 'ca.crt' },
  ) => {
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    };
    writeFileSync(path.join(path.dirname(file), 'ca.crt'), caPem);
    writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
    return file;
  };
  return { server, caPem, write };
}
