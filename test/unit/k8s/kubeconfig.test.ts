import { describe, expect, it } from 'vitest';
import { KubeconfigError, readKubeconfigs } from '../../../lib/k8s/kubeconfig.js';

/** One file, as most kubeconfigs are. */
const readKubeconfig = (text: string, file: string) => readKubeconfigs([{ file, text }]);

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
    [
      'a proxy and impersonation',
      { server: 'https://api', 'proxy-url': 'http://user:secret@proxy:3128' },
      { token: 't', as: 'someone' },
      {
        server: 'https://api',
        insecureSkipTlsVerify: false,
        proxyUrl: 'http://user:secret@proxy:3128',
        token: 't',
        impersonate: 'someone',
      },
    ],
  ])('%s', (_name, cluster, user, plain) => {
    expect(readKubeconfig(kubeconfig(cluster, user), '/home/me/.kube/config')).toEqual({ context: plain });
  });

  it('reads YAML as well as JSON', () => {
    const yaml = [
      'current-context: x',
      'contexts: [{name: x, context: {cluster: c, user: u}}]',
      'clusters: [{name: c, cluster: {server: "https://api"}}]',
      'users: [{name: u, user: {token: t}}]',
    ].join('\n');
    expect(readKubeconfig(yaml, '/k')).toEqual({
      context: { server: 'https://api', insecureSkipTlsVerify: false, token: 't' },
    });
  });

  it('merges several files as kubectl does: first current-context, first definition of a name, paths near their file', () => {
    const first = JSON.stringify({
      'current-context': 'x',
      clusters: [{ name: 'c', cluster: { server: 'https://first', 'certificate-authority': 'ca.crt' } }],
    });
    const second = JSON.stringify({
      'current-context': 'other',
      clusters: [{ name: 'c', cluster: { server: 'https://second' } }],
      users: [{ name: 'u', user: { tokenFile: 'token' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    });
    expect(
      readKubeconfigs([
        { file: '/a/config', text: first },
        { file: '/b/config', text: second },
      ]),
    ).toEqual({
      context: { server: 'https://first', caFile: '/a/ca.crt', insecureSkipTlsVerify: false, tokenFile: '/b/token' },
    });
  });
});

describe('readKubeconfig: what it leaves to client-node', () => {
  it.each([
    ['an exec plugin', { exec: { command: 'aws' } }, { exec: { command: 'aws' } }],
    ['an auth-provider', { 'auth-provider': { name: 'oidc' } }, { authProvider: { name: 'oidc' } }],
  ])('%s', (_name, user, plugin) => {
    expect(readKubeconfig(kubeconfig({ server: 'https://api' }, user), '/k')).toMatchObject({ plugin });
  });
});

describe('readKubeconfig: what it refuses at start-up, naming the field', () => {
  const refuses = (text: string, message: RegExp) => expect(() => readKubeconfig(text, '/k')).toThrow(message);

  it.each([
    ['basic auth', {}, { username: 'a', password: 'b' }, /users\[u\]\.user\.username: basic authentication/],
    ['impersonated groups', {}, { token: 't', as: 'x', 'as-groups': ['g'] }, /users\[u\]\.user\.as-groups: /],
    ['a token file beside a plugin', {}, { exec: {}, tokenFile: 't' }, /users\[u\]\.user\.tokenFile: /],
    ['an unknown user field', {}, { 'token-file': 't' }, /users\[u\]\.user\.token-file: not a setting/],
    [
      'a SOCKS proxy',
      { 'proxy-url': 'socks5://proxy:1080' },
      { token: 't' },
      /proxy-url: only http:\/\/ .* not socks5:/,
    ],
    ['an https proxy', { 'proxy-url': 'https://proxy:3128' }, { token: 't' }, /proxy-url: only http:\/\//],
    ['an unknown cluster field', { 'certificate-authority-file': 'x' }, {}, /clusters\[c\]\.cluster\.certificate-auth/],
    ['a value of the wrong type', { 'insecure-skip-tls-verify': 'yes' }, {}, /insecure-skip-tls-verify in \/k: /],
  ])('%s', (_name, cluster, user, message) => {
    refuses(kubeconfig({ server: 'https://api', ...cluster }, user), message);
  });

  it.each([
    [
      'no current context',
      kubeconfig({ server: 'https://api' }, {}, { 'current-context': '' }),
      /sets no current-context/,
    ],
    [
      'a current context that is not listed',
      kubeconfig({ server: 'https://api' }, {}, { 'current-context': 'gone' }),
      /gone is not defined/,
    ],
    ['not YAML', '{ clusters: [', /is not YAML/],
    [
      'a proxy for a plain-HTTP server',
      kubeconfig({ server: 'http://api', 'proxy-url': 'http://p:3128' }, {}),
      /https:\/\/ server only/,
    ],
  ])('%s', (_name, text, message) => {
    refuses(text, message);
  });

  it('throws a KubeconfigError, which start-up reports as it is', () => {
    expect(() => readKubeconfig('{ clusters: [', '/k')).toThrow(KubeconfigError);
  });
});
