import type https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import type { Credentials } from './credentials.js';

/**
 * Credentials from kubeconfigs the plain reader leaves alone (exec and
 * auth-provider plugins, basic auth, proxies, several files), through
 * client-node. The only module that imports it; credentials.ts loads this one
 * on demand, so an instance that does not need it never pays its memory.
 */
export async function clientNodeCredentials(files: readonly string[]): Promise<Credentials> {
  const config = new KubeConfig();
  // Several files merge as kubectl merges $KUBECONFIG: the first file that sets current-context wins
  // (client-node's own loadFromDefault lets the last one win, which would surprise a kubectl user).
  for (const [index, file] of files.entries()) {
    if (index === 0) config.loadFromFile(file);
    else {
      const more = new KubeConfig();
      more.loadFromFile(file);
      config.mergeConfig(more, config.currentContext !== '');
    }
  }
  const cluster = config.getCurrentCluster();
  if (cluster === null) throw new Error('The kubeconfig has no current cluster');
  const tls: https.RequestOptions = {};
  await config.applyToHTTPSOptions(tls);
  return {
    server: new URL(cluster.server),
    tls: {
      ca: asBuffer(tls.ca),
      cert: asBuffer(tls.cert),
      key: asBuffer(tls.key),
      rejectUnauthorized: tls.rejectUnauthorized ?? true,
      ...(tls.servername === undefined ? {} : { servername: tls.servername }),
    },
    source: 'client-node',
    async headers() {
      const auth: https.RequestOptions = {};
      await config.applyToHTTPSOptions(auth);
      return headerRecord(auth.headers);
    },
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
