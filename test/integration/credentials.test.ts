import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ResourceType } from '../../lib/api/group.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { connectKubeApi } from '../../lib/k8s/client.js';
import { type CredentialSource, loadCredentials, TOKEN_FILE_MAX_AGE_MS } from '../../lib/k8s/credentials.js';
import { adminApi, freshNamespace, kubectl } from './support/cluster.js';
import { type AdminUser, adminKubeconfig, serviceAccountToken } from './support/identity.js';

/**
 * The three ways the function finds the API server, each against the real one:
 * a plain kubeconfig (files relative to it), the in-cluster ServiceAccount
 * mount, and client-node for what the plain reader leaves alone (an exec
 * plugin, several files). Who the API server thinks we are comes from a
 * SelfSubjectReview, so a credential that is read but not sent cannot pass.
 */
const SELF_SUBJECT_REVIEW: ResourceType = {
  group: 'authentication.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectReview',
  plural: 'selfsubjectreviews',
  namespaced: false,
};

let admin: KubeApi & { close(): void };
let namespace: string;
let dir: string;
let server: URL;
let caPem: Buffer;
let adminUser: AdminUser;

beforeAll(async () => {
  admin = await adminApi();
  namespace = await freshNamespace(admin, 'credentials');
  for (const name of ['reader-a', 'reader-b']) await kubectl(['create', 'serviceaccount', name, '-n', namespace]);
  const { cluster, user } = adminKubeconfig();
  server = new URL(cluster.server);
  caPem = Buffer.from(cluster['certificate-authority-data'], 'base64');
  adminUser = user;
  dir = mkdtempSync(path.join(inject('controlPlaneDataDir'), 'credentials-'));
});

afterAll(() => admin.close());

const tokenFor = (serviceAccount: string) => serviceAccountToken(namespace, serviceAccount);

async function usernameOf(api: KubeApi): Promise<string> {
  const review = await api.create(
    SELF_SUBJECT_REVIEW,
    { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: { name: '' } },
    { fieldManager: 'test' },
  );
  return (review as unknown as { status: { userInfo: { username: string } } }).status.userInfo.username;
}

async function whoAmI(source: CredentialSource): Promise<string> {
  const api = await connectKubeApi(source);
  try {
    return await usernameOf(api);
  } finally {
    api.close();
  }
}

function writeKubeconfig(
  file: string,
  user: Record<string, unknown>,
  cluster: Record<string, unknown> = { server: server.href, 'certificate-authority': 'ca.crt' },
): string {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  };
  writeFileSync(path.join(dir, 'ca.crt'), caPem);
  writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
  return file;
}

describe('a plain kubeconfig, read without client-node', () => {
  it('uses certificate files relative to the kubeconfig', async () => {
    writeFileSync(path.join(dir, 'admin.crt'), Buffer.from(adminUser['client-certificate-data'], 'base64'));
    writeFileSync(path.join(dir, 'admin.key'), Buffer.from(adminUser['client-key-data'], 'base64'));
    const kubeconfigPath = writeKubeconfig(path.join(dir, 'certs.kubeconfig'), {
      'client-certificate': 'admin.crt',
      'client-key': 'admin.key',
    });
    expect((await loadCredentials({ kubeconfigPath })).source).toBe('kubeconfig');
    expect(await whoAmI({ kubeconfigPath })).toBe(await usernameOf(admin));
  });

  it('sends a bearer token', async () => {
    const kubeconfigPath = writeKubeconfig(path.join(dir, 'token.kubeconfig'), { token: await tokenFor('reader-a') });
    expect(await whoAmI({ kubeconfigPath })).toBe(`system:serviceaccount:${namespace}:reader-a`);
  });

  it('is found at ~/.kube/config when KUBECONFIG is unset', async () => {
    const home = mkdtempSync(path.join(dir, 'home-'));
    mkdirSync(path.join(home, '.kube'));
    writeKubeconfig(
      path.join(home, '.kube', 'config'),
      { token: await tokenFor('reader-b') },
      { server: server.href, 'certificate-authority-data': caPem.toString('base64') },
    );
    expect(await whoAmI({ home, serviceHost: '203.0.113.1', servicePort: '443' })).toBe(
      `system:serviceaccount:${namespace}:reader-b`,
    );
  });
});

describe('in a pod: the mounted ServiceAccount token and CA', () => {
  it('reads them, and reads a rotated token once the copy is a minute old', async () => {
    const mount = mkdtempSync(path.join(dir, 'serviceaccount-'));
    writeFileSync(path.join(mount, 'ca.crt'), caPem);
    writeFileSync(path.join(mount, 'token'), await tokenFor('reader-a'));
    let now = 1_000_000;
    const source = { serviceHost: server.hostname, servicePort: server.port, serviceAccountDir: mount, now: () => now };
    expect((await loadCredentials(source)).source).toBe('in-cluster');
    const api = await connectKubeApi(source);
    const review = () => usernameOf(api);
    try {
      expect(await review()).toBe(`system:serviceaccount:${namespace}:reader-a`);
      writeFileSync(path.join(mount, 'token'), await tokenFor('reader-b'));
      now += TOKEN_FILE_MAX_AGE_MS / 2;
      expect(await review()).toBe(`system:serviceaccount:${namespace}:reader-a`);
      now += TOKEN_FILE_MAX_AGE_MS;
      expect(await review()).toBe(`system:serviceaccount:${namespace}:reader-b`);
    } finally {
      api.close();
    }
  });

  it('fails start-up with a clear message when there is neither a kubeconfig nor a token', async () => {
    const empty = mkdtempSync(path.join(dir, 'nothing-'));
    await expect(
      loadCredentials({
        home: empty,
        serviceHost: server.hostname,
        servicePort: server.port,
        serviceAccountDir: empty,
      }),
    ).rejects.toThrow(/No kubeconfig .* and no in-cluster ServiceAccount token/);
  });
});

describe('kubeconfigs left to client-node', () => {
  it('runs an exec credential plugin', async () => {
    const plugin = path.join(dir, 'credential-plugin.sh');
    const credential = {
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: { token: await tokenFor('reader-b') },
    };
    writeFileSync(plugin, `#!/bin/sh\ncat <<'JSON'\n${JSON.stringify(credential)}\nJSON\n`);
    chmodSync(plugin, 0o755);
    const kubeconfigPath = writeKubeconfig(path.join(dir, 'exec.kubeconfig'), {
      exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' },
    });
    expect((await loadCredentials({ kubeconfigPath })).source).toBe('client-node');
    expect(await whoAmI({ kubeconfigPath })).toBe(`system:serviceaccount:${namespace}:reader-b`);
  });

  it('merges several files named in KUBECONFIG, the first file choosing the context', async () => {
    const first = writeKubeconfig(
      path.join(dir, 'first.kubeconfig'),
      { token: await tokenFor('reader-a') },
      { server: server.href, 'certificate-authority-data': caPem.toString('base64') },
    );
    const second = path.join(dir, 'second.kubeconfig');
    writeFileSync(
      second,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [],
        users: [],
        contexts: [],
        'current-context': 'elsewhere',
      }),
    );
    const kubeconfigPath = [first, second].join(path.delimiter);
    expect((await loadCredentials({ kubeconfigPath })).source).toBe('client-node');
    expect(await whoAmI({ kubeconfigPath })).toBe(`system:serviceaccount:${namespace}:reader-a`);
  });
});
