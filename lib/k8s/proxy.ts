import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';

/**
 * Reaches the API server through a kubeconfig's `proxy-url` the way client-go does: an HTTP
 * CONNECT tunnel through the forward proxy, with TLS to the API server inside it, so the
 * proxy sees neither credentials nor objects. Connections are pooled and kept alive like any
 * other https.Agent's; credentials in the proxy URL become Proxy-Authorization.
 */
export class ConnectTunnelAgent extends https.Agent {
  constructor(
    private readonly proxy: URL,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(
    options: https.RequestOptions,
    callback: (error: Error | null, stream?: Duplex) => void,
  ): Duplex | undefined {
    const target = `${String(options.host)}:${String(options.port)}`;
    const connect = http.request({
      host: this.proxy.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: this.proxy.port === '' ? 80 : Number(this.proxy.port),
      method: 'CONNECT',
      path: target,
      headers: { host: target, ...proxyAuthorization(this.proxy) },
      agent: false,
      timeout: 10_000,
    });
    connect.once('connect', (response, socket) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        callback(new Error(`The proxy ${this.proxy.host} answered CONNECT ${target} with ${response.statusCode}`));
        return;
      }
      const { host, port, ...tlsOptions } = options;
      callback(
        null,
        tls.connect({ ...(tlsOptions as tls.ConnectionOptions), socket, servername: servername(options) }),
      );
    });
    connect.once('timeout', () => connect.destroy(new Error(`The proxy ${this.proxy.host} did not answer CONNECT`)));
    connect.once('error', (error) => callback(error));
    connect.end();
    return undefined;
  }
}

function proxyAuthorization(proxy: URL): Record<string, string> {
  if (proxy.username === '') return {};
  const pair = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(pair).toString('base64')}` };
}

/** SNI as https.Agent would send it: the configured name, else the host unless it is an IP address. */
function servername(options: https.RequestOptions): string | undefined {
  if (typeof options.servername === 'string' && options.servername !== '') return options.servername;
  const host = String(options.host ?? '');
  return host === '' || /^[\d.]+$/.test(host) || host.includes(':') ? undefined : host;
}
