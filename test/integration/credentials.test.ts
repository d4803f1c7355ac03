import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KubeApi } from '../../lib/k8s/api.js';
import { connectKubeApi } from '../../lib/k8s/client.js';
import { loadCredentials, TOKEN_FILE_MAX_AGE_MS } from '../../lib/k8s/credentials.js';
import { adminApi, freshNamespace, kubectl } from './support/cluster.js';
import { type KubeconfigWriter, kubeconfigWriter, usernameOf, whoAmI } from './support/credentials.js';
import { type AdminUser, adminKubeconfig, serviceAccountToken } from './support/identity.js';

/**
 * The ways the function finds the API server without client-node, each against the real
 * one: a kubeconfig (files relative to it, several files merged as kubectl merges them),
 * and the in-cluster ServiceAccount mount. kubeconfig-plugins.test.ts has the rest. Who
 * the API server thinks we are comes from a SelfSubjectReview, so a credential that is
 * read but not sent cannot pass.
 */
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
  adminUser = adminKubeconfig().user;
  dir = mkdtempSync(path.join(inject('controlPlaneDataDir'), 'credentials-'));
  ({ server, caPem, write: writeKubeconfig } = kubeconfigWriter());
});

afterAll(() => admin.close());

const tokenFor = (serviceAccount: string) => serviceAccountToken(namespace, serviceAccount);

let writeKubeconfig: KubeconfigWriter;

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

describe('several kubeconfig files in KUBECONFIG', () => {
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
    expect((await loadCredentials({ kubeconfigPath })).source).toBe('kubeconfig');
    expect(await whoAmI({ kubeconfigPath })).toBe(`system:serviceaccount:${namespace}:reader-a`);
  });

  it('reads a tokenFile of a user a later file defines, relative to that file (client-node dropped it)', async () => {
    const first = path.join(dir, 'context-only.kubeconfig');
    writeFileSync(
      first,
      JSON.stringify({
        'current-context': 'x',
        clusters: [
          { name: 'c', cluster: { server: server.href, 'certificate-authority-data': caPem.toString('base64') } },
        ],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      }),
    );
    const elsewhere = mkdtempSync(path.join(dir, 'users-'));
    writeFileSync(path.join(elsewhere, 'token'), await tokenFor('reader-b'));
    const second = path.join(elsewhere, 'users.kubeconfig');
    writeFileSync(second, JSON.stringify({ users: [{ name: 'u', user: { tokenFile: 'token' } }] }));
    expect(await whoAmI({ kubeconfigPath: [first, second].join(path.delimiter) })).toBe(
      `system:serviceaccount:${namespace}:reader-b`,
    );
  });
});
