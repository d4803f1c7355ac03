import net from 'node:net';
import type { Ports } from './components.js';

/** Free loopback ports for the control plane's three listeners. */
export async function freePorts(): Promise<Ports> {
  const [apiserver, etcdClient, etcdPeer] = await freeLoopbackPorts(3);
  if (apiserver === undefined || etcdClient === undefined || etcdPeer === undefined) {
    throw new Error('Could not reserve three loopback ports');
  }
  return { apiserver, etcdClient, etcdPeer };
}

/**
 * Asks the kernel for `count` free loopback ports. All listeners stay open until every port
 * is known so they differ; another process could still take one before its user binds,
 * which a loopback test machine makes rare enough to accept.
 */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, listen));
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('Not a TCP listener');
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function listen(): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
