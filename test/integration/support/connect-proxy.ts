import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';

/**
 * A forward proxy of the kind a kubeconfig's proxy-url names, small enough to read: it
 * accepts only CONNECT, opens the tunnel to the target and records what it was asked, so a
 * test can tell that requests really went through it.
 */
export type ConnectProxy = {
  readonly url: string;
  /** `host:port` of every tunnel opened, with the Proxy-Authorization it came with. */
  readonly tunnels: readonly { readonly target: string; readonly authorization?: string }[];
  close(): Promise<void>;
};

export async function startConnectProxy(): Promise<ConnectProxy> {
  const tunnels: { target: string; authorization?: string }[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_request, response) => response.writeHead(405).end('CONNECT only\n'));
  server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = request.url ?? '';
    const authorization = request.headers['proxy-authorization'];
    tunnels.push(authorization === undefined ? { target } : { target, authorization });
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
    const upstream = net.connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.once('error', () => (socket === client ? upstream : client).destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
