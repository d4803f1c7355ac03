import { describe, expect, it } from 'vitest';
import { readKubeconfig } from '../../../lib/k8s/kubeconfig.js';

const kubeconfig = (
  cluster: Record<string, unknown>,
  user: Record<string, unknown> | null,
  extra: Record<string, unknown> = {},
) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'other', cluster: { server: 'https://wrong.invalid' } },
      { name: 'c', cluster },
    ],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'ns' } }],
    'current-context': 'x',
    ...extra,
  });

describe('readKubeconfig: what the plain reader serves', () => {
  it.each([
    [
      'inline CA and client certificate',
      { server: 'https://api:6443', 'certificate-authority-data': 'Q0E=' },
      { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ' },
      {
        server: 'https://api:6443',
        caData: 'Q0E=',
        insecureSkipTlsVerify: false,
        certData: 'Q0VSVA==',
        keyData: 'S0VZ',
      },
    ],
    [
      'files relative to the kubeconfig',
      { server: 'https://api:6443', 'certificate-authority': 'ca.crt' },
      { 'client-certificate': '/abs/c.crt', 'client-key': 'keys/c.key' },
      {
        server: 'https://api:6443',
        caFile: '/home/me/.kube/ca.crt',
        insecureSkipTlsVerify: false,
        certFile: '/abs/c.crt',
        keyFile: '/home/me/.kube/keys/c.key',
      },
    ],
    [
      'a token',
      { server: 'https://api', 'insecure-skip-tls-verify': true, 'tls-server-name': 'kubernetes' },
      { token: 'abc' },
      { server: 'https://api', insecureSkipTlsVerify: true, tlsServerName: 'kubernetes', token: 'abc' },
    ],
    [
      'a token file',
      { server: 'https://api' },
      { tokenFile: 'token' },
      { server: 'https://api', insecureSkipTlsVerify: false, tokenFile: '/home/me/.kube/token' },
    ],
    [
      'no user credentials at all',
      { server: 'http://127.0.0.1:8080' },
      null,
      { server: 'http://127.0.0.1:8080', insecureSkipTlsVerify: false },
    ],
  ])('%s', (_name, cluster, user, plain) => {
    expect(readKubeconfig(kubeconfig(cluster, user), '/home/me/.kube/config')).toEqual({ plain });
  });

  it('reads YAML as well as JSON', () => {
    const yaml = [
      'current-context: x',
      'contexts: [{name: x, context: {cluster: c, user: u}}]',
      'clusters: [{name: c, cluster: {server: "https://api"}}]',
      'users: [{name: u, user: {token: t}}]',
    ].join('\n');
    expect(readKubeconfig(yaml, '/k')).toEqual({
      plain: { server: 'https://api', insecureSkipTlsVerify: false, token: 't' },
    });
  });
});

describe('readKubeconfig: what it leaves to client-node', () => {
  it.each([
    ['an exec plugin', { server: 'https://api' }, { exec: { command: 'aws' } }, 'uses exec'],
    ['an auth-provider', { server: 'https://api' }, { 'auth-provider': { name: 'oidc' } }, 'uses auth-provider'],
    ['basic auth', { server: 'https://api' }, { username: 'a', password: 'b' }, 'uses username, password'],
    ['impersonation', { server: 'https://api' }, { token: 't', as: 'someone' }, 'uses as'],
    ['a proxy', { server: 'https://api', 'proxy-url': 'socks5://proxy:1080' }, { token: 't' }, 'uses proxy-url'],
  ])('%s', (_name, cluster, user, reason) => {
    expect(readKubeconfig(kubeconfig(cluster, user), '/k')).toEqual({ needsClientNode: reason });
  });

  it.each([
    [
      'no current context',
      kubeconfig({ server: 'https://api' }, {}, { 'current-context': '' }),
      'not the plain kubeconfig shape',
    ],
    [
      'a current context that is not listed',
      kubeconfig({ server: 'https://api' }, {}, { 'current-context': 'gone' }),
      'the current context or its cluster is missing',
    ],
    ['not YAML', '{ clusters: [', 'not YAML this reader understands'],
  ])('%s', (_name, text, reason) => {
    expect(readKubeconfig(text, '/k')).toEqual({ needsClientNode: reason });
  });
});
