import http from 'node:http';
import net from 'node:net';

/**
 * Knative addresses everything by cluster DNS names (`broker-ingress.knative-eventing.svc.
 * cluster.local`, `<channel>-kn-channel.<ns>.svc.cluster.local`, ...), which nothing resolves
 * on this machine. Its senders use Go's default transport, which honours HTTP_PROXY (and never
 * proxies loopback, so the API server and the functions on 127.0.0.1 are dialled directly):
 * this forward proxy sends each cluster name to the local port of the process behind it and
 * keeps the Host header, by which the channel dispatcher picks the channel. HTTPS names (the
 * API server as `https://kubernetes.default.svc`, where sender identity reads the token
 * issuer) get a CONNECT tunnel to their local port, so TLS still ends at the real server.
 */
export type ClusterNames = {
  /** Local port per Service host name (`<service>.<namespace>.svc.cluster.local`). */
  readonly services: Readonly<Record<string, number>>;
  /** Where every `*-kn-channel.<ns>.svc.cluster.local` name goes: the channel dispatcher. */
  readonly channelPort: number;
  /** Local port per `host:port` a CONNECT may ask for, e.g. `kubernetes.default.svc:443`. */
  readonly tunnels?: Readonly<Record<string, number>>;
};

export type ClusterProxy = { readonly port: number; close(): Promise<void> };

const CLUSTER_DOMAIN = '.svc.cluster.local';

export function localPortFor(host: string, names: ClusterNames): number | undefined {
  const name = host.replace(/:\d+$/, '').toLowerCase();
  if (!name.endsWith(CLUSTER_DOMAIN)) return undefined;
  const service = names.services[name];
  if (service !== undefined) return service;
  const [first] = name.split('.');
  return first?.endsWith('-kn-channel') === true ? names.channelPort : undefined;
}

export function startClusterProxy(names: ClusterNames): Promise<ClusterProxy> {
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server = http.createServer((request, response) => forward(request, response, names));
  server.on('connection', track);
  server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) =>
    tunnel(request.url ?? '', client, head, names, track),
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('The proxy has no TCP port'));
      const close = (): Promise<void> =>
        new Promise((done) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => done());
        });
      resolve({ port: address.port, close });
    });
  });
}

/** Forwards one absolute-form request (`POST http://host/path`) to the local port of its host. */
function forward(request: http.IncomingMessage, response: http.ServerResponse, names: ClusterNames): void {
  let target: URL;
  try {
    target = new URL(request.url ?? '');
  } catch {
    response.writeHead(400).end('kernel-gossip cluster proxy: expected an absolute URL\n');
    return;
  }
  const port = localPortFor(target.host, names);
  if (port === undefined) {
    response.writeHead(502).end(`kernel-gossip cluster proxy: no local process serves ${target.host}\n`);
    return;
  }
  const upstream = http.request(
    {
      host: '127.0.0.1',
      port,
      method: request.method,
      path: target.pathname + target.search,
      headers: request.headers,
    },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  upstream.once('error', (error) => {
    if (!response.headersSent) response.writeHead(502);
    response.end(`kernel-gossip cluster proxy: ${target.host} on port ${port}: ${error.message}\n`);
  });
  request.pipe(upstream);
}

/** Opens a CONNECT tunnel to the local port of `target` (`host:port`), or refuses it with 502. */
function tunnel(
  target: string,
  client: net.Socket,
  head: Buffer,
  names: ClusterNames,
  track: (socket: net.Socket) => void,
): void {
  const port = names.tunnels?.[target.toLowerCase()];
  client.once('error', () => client.destroy());
  if (port === undefined) {
    client.end(`HTTP/1.1 502 Bad Gateway\r\n\r\nkernel-gossip cluster proxy: no local process serves ${target}\n`);
    return;
  }
  const upstream = net.connect(port, '127.0.0.1', () => {
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    upstream.write(head);
    upstream.pipe(client).pipe(upstream);
  });
  track(upstream);
  upstream.once('error', () => client.destroy());
  client.once('close', () => upstream.destroy());
}
