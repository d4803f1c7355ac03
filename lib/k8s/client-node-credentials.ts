import type https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import type { Credentials, RequestAuth } from './credentials.js';
import type { PlainContext, PluginUser } from './kubeconfig.js';

/**
 * Credentials from the kubeconfig plugins (exec, auth-provider), through client-node. The
 * only module that imports it; credentials.ts loads this one on demand, so an instance that
 * does not need it never pays its memory. Everything else of the kubeconfig (CA, proxy,
 * impersonation, static credentials) was read by kubeconfig.ts and comes in as `base`;
 * client-node is given the current context only, so nothing of it can be dropped on the way.
 * It is asked before every request: its exec plugin runs again once the credential it
 * returned expires, and a client certificate it returns replaces the previous one.
 */
export async function clientNodeCredentials(
  context: PlainContext,
  plugin: PluginUser,
  base: Credentials,
): Promise<Credentials> {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [
      {
        name: 'cluster',
        server: context.server,
        caData: context.caData,
        caFile: context.caFile,
        skipTLSVerify: context.insecureSkipTlsVerify,
        tlsServerName: context.tlsServerName,
      },
    ],
    users: [
      {
        name: 'user',
        exec: plugin.exec,
        authProvider: plugin.authProvider,
        token: context.token,
        certData: context.certData,
        certFile: context.certFile,
        keyData: context.keyData,
        keyFile: context.keyFile,
      },
    ],
    contexts: [{ name: 'context', cluster: 'cluster', user: 'user' }],
    currentContext: 'context',
  });
  const authenticate = async (): Promise<RequestAuth> => {
    const options: https.RequestOptions = {};
    await config.applyToHTTPSOptions(options);
    const { headers } = await base.authenticate();
    const cert = asBuffer(options.cert);
    const key = asBuffer(options.key);
    return {
      headers: { ...headers, ...headerRecord(options.headers) },
      ...(cert === undefined || key === undefined ? {} : { clientCertificate: { cert, key } }),
    };
  };
  // Once at start-up, so a plugin that fails stops the function there, with its error.
  const first = await authenticate();
  return {
    ...base,
    tls: { ...base.tls, ...first.clientCertificate },
    source: 'client-node',
    authenticate,
  };
}

function asBuffer(value: unknown): Buffer | undefined {
  if (value === undefined || value === null) return undefined;
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value);
  throw new Error('The kubeconfig gives TLS material in a form this function does not read');
}

function headerRecord(headers: https.RequestOptions['headers']): Record<string, string> {
  if (headers === undefined || Array.isArray(headers)) return {};
  const record: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) record[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  return record;
}
