import net from 'node:net';
import type { Ports } from './components.js';

/**
 * Asks the kernel for free loopback ports. All listeners stay open until every port is
 * known so the three differ; another process could still take one before the component
 * binds, which a loopback test machine makes rare enough to accept.
 */
export async function freePorts(): Promise<Ports> {
  const servers = await Promise.all([listen(), listen(), listen()]);
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('Not a TCP listener');
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  const [apiserver, etcdClient, etcdPeer] = ports;
  if (apiserver === undefined || etcdClient === undefined || etcdPeer === undefined) {
    throw new Error('Could not reserve three loopback ports');
  }
  return { apiserver, etcdClient, etcdPeer };
}

function listen(): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
