import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KubeApi } from '../../lib/k8s/api.js';
import { connectKubeApi } from '../../lib/k8s/client.js';
import { loadCredentials } from '../../lib/k8s/credentials.js';
import { KubeconfigError } from '../../lib/k8s/kubeconfig.js';
import { issueFromTestCa } from '../controlplane/certs.js';
import { adminApi, freshNamespace, kubectl } from './support/cluster.js';
import { type ConnectProxy, startConnectProxy } from './support/connect-proxy.js';
import { type KubeconfigWriter, kubeconfigWriter, usernameOf, whoAmI } from './support/credentials.js';
import { serviceAccountToken } from './support/identity.js';

/**
 * The kubeconfig settings client-node used to drop on the way, each against the real API
 * server: an exec plugin (whose client certificates are followed when it issues new ones),
 * a proxy-url (through a CONNECT proxy of the test's own), and what is refused at start-up
 * with the field named instead of being ignored (basic auth, other proxies).
 */
let admin: KubeApi & { close(): void };
let namespace: string;
let dir: string;
let server: URL;
let writeKubeconfig: KubeconfigWriter;
let proxy: ConnectProxy;

beforeAll(async () => {
  admin = await adminApi();
  namespace = await freshNamespace(admin, 'plugins');
  await kubectl(['create', 'serviceaccount', 'reader', '-n', namespace]);
  dir = mkdtempSync(path.join(inject('controlPlaneDataDir'), 'plugins-'));
  ({ server, write: writeKubeconfig } = kubeconfigWriter());
  proxy = await startConnectProxy();
});

afterAll(async () => {
  await proxy.close();
  admin.close();
});

/** An exec plugin that prints the ExecCredential in `<dir>/<name>.json` named by the file `<dir>/current`. */
function execPlugin(name: string, credentials: Record<string, object>, first: string): Record<string, unknown> {
  const pluginDir = mkdtempSync(path.join(dir, `${name}-`));
  for (const [key, status] of Object.entries(credentials)) {
    const credential = { apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status };
    writeFileSync(path.join(pluginDir, `${key}.json`), JSON.stringify(credential));
  }
  writeFileSync(path.join(pluginDir, 'current'), first);
  const command = path.join(pluginDir, 'plugin.sh');
  writeFileSync(command, `#!/bin/sh\ncd "$(dirname "$0")" && cat "$(cat current).json"\n`);
  chmodSync(command, 0o755);
  return { exec: { apiVersion: 'client.authentication.k8s.io/v1', command, interactiveMode: 'Never' }, pluginDir };
}

describe('an exec credential plugin', () => {
  it('is run through client-node, and its token is sent', async () => {
    const token = await serviceAccountToken(namespace, 'reader');
    const { exec } = execPlugin('token', { token: { token } }, 'token');
    const kubeconfigPath = writeKubeconfig(path.join(dir, 'exec.kubeconfig'), { exec });
    expect((await loadCredentials({ kubeconfigPath })).source).toBe('client-node');
    expect(await whoAmI({ kubeconfigPath })).toBe(`system:serviceaccount:${namespace}:reader`);
  });

  it('issuing a new client certificate once the old credential expired: the next request presents it', async () => {
    const pki = path.join(inject('controlPlaneDataDir'), 'pki');
    const certificate = async (user: string) => {
      const { cert, key } = await issueFromTestCa(pki, `exec-${user}`, `/CN=exec-${user}`, 'clientAuth');
      // Expired already, so client-node runs the plugin again for every request.
      const expirationTimestamp = '2000-01-01T00:00:00Z';
      return {
        clientCertificateData: readFileSync(cert, 'utf8'),
        clientKeyData: readFileSync(key, 'utf8'),
        expirationTimestamp,
      };
    };
    const plugin = execPlugin('certs', { alice: await certificate('alice'), bob: await certificate('bob') }, 'alice');
    const kubeconfigPath = writeKubeconfig(path.join(dir, 'exec-certs.kubeconfig'), { exec: plugin.exec });
    const api = await connectKubeApi({ kubeconfigPath });
    try {
      expect(await usernameOf(api)).toBe('exec-alice');
      writeFileSync(path.join(String(plugin.pluginDir), 'current'), 'bob');
      expect(await usernameOf(api)).toBe('exec-bob');
    } finally {
      api.close();
    }
  });
});

describe("a kubeconfig's proxy-url", () => {
  const target = (): string => `${server.hostname}:${server.port}`;

  it('carries every request through the proxy in a CONNECT tunnel, with its credentials', async () => {
    const token = await serviceAccountToken(namespace, 'reader');
    const cluster = { server: server.href, 'certificate-authority': 'ca.crt', 'proxy-url': proxyWithUser() };
    const kubeconfigPath = writeKubeconfig(path.join(dir, 'proxy.kubeconfig'), { token }, cluster);
    const before = proxy.tunnels.length;
    expect(await whoAmI({ kubeconfigPath })).toBe(`system:serviceaccount:${namespace}:reader`);
    expect(proxy.tunnels.slice(before)).toEqual([
      { target: target(), authorization: `Basic ${Buffer.from('kg:s3cret').toString('base64')}` },
    ]);
  });

  it('is honoured for an exec plugin too', async () => {
    const { exec } = execPlugin(
      'proxied',
      { token: { token: await serviceAccountToken(namespace, 'reader') } },
      'token',
    );
    const cluster = { server: server.href, 'certificate-authority': 'ca.crt', 'proxy-url': proxy.url };
    const kubeconfigPath = writeKubeconfig(path.join(dir, 'proxy-exec.kubeconfig'), { exec }, cluster);
    const before = proxy.tunnels.length;
    expect(await whoAmI({ kubeconfigPath })).toBe(`system:serviceaccount:${namespace}:reader`);
    expect(proxy.tunnels.slice(before)).toEqual([{ target: target() }]);
  });

  const proxyWithUser = (): string => proxy.url.replace('http://', 'http://kg:s3cret@');
});

describe('refused at start-up, naming the kubeconfig field', () => {
  it.each([
    ['basic auth', { username: 'admin', password: 'secret' }, {}, /users\[u\]\.user\.username: basic authentication/],
    ['a SOCKS proxy', { token: 't' }, { 'proxy-url': 'socks5://127.0.0.1:1080' }, /cluster\.proxy-url: only http:\/\//],
  ])('%s', async (_name, user, extra, message) => {
    const cluster = { server: server.href, 'certificate-authority': 'ca.crt', ...extra };
    const kubeconfigPath = writeKubeconfig(path.join(dir, 'refused.kubeconfig'), user, cluster);
    await expect(connectKubeApi({ kubeconfigPath })).rejects.toThrow(message);
    await expect(loadCredentials({ kubeconfigPath })).rejects.toBeInstanceOf(KubeconfigError);
  });
});
