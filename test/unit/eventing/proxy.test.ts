import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClusterNames, type ClusterProxy, localPortFor, startClusterProxy } from '../../eventing/proxy.js';

/** The forward proxy that lets Knative's senders reach cluster DNS names on this machine. */
const names: ClusterNames = {
  services: { 'broker-ingress.knative-eventing.svc.cluster.local': 1001 },
  channelPort: 8080,
};

describe('which local port a cluster name goes to', () => {
  it.each([
    ['broker-ingress.knative-eventing.svc.cluster.local', 1001],
    ['broker-ingress.knative-eventing.svc.cluster.local:80', 1001],
    ['Broker-Ingress.knative-eventing.svc.cluster.local', 1001],
    ['kernel-gossip-kne-trigger-kn-channel.broker-x1.svc.cluster.local', 8080],
    ['broker-filter.knative-eventing.svc.cluster.local', undefined],
    ['kn-channel.example.com', undefined],
    ['example.com', undefined],
  ])('%s → %s', (host, port) => {
    expect(localPortFor(host, names)).toBe(port);
  });
});

describe('the proxy', () => {
  let upstream: http.Server;
  let proxy: ClusterProxy;
  const seen: { method?: string; url?: string; host?: string; body: string }[] = [];

  beforeAll(async () => {
    upstream = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({ method: request.method, url: request.url, host: request.headers.host, body });
        response.writeHead(202, { 'x-upstream': 'yes' }).end('accepted');
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const port = (upstream.address() as AddressInfo).port;
    proxy = await startClusterProxy({
      services: { 'broker-filter.knative-eventing.svc.cluster.local': port },
      channelPort: port,
    });
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise((resolve) => upstream.close(resolve));
  });

  const viaProxy = (
    url: string,
    body: string,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> =>
    new Promise((resolve, reject) => {
      const request = http.request(
        { host: '127.0.0.1', port: proxy.port, method: 'POST', path: url, headers: { host: new URL(url).host } },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
          );
        },
      );
      request.once('error', reject);
      request.end(body);
    });

  it('forwards an absolute-form request to the local port, keeping path, Host and body', async () => {
    const url = 'http://ch-kn-channel.ns.svc.cluster.local/triggers/ns/t/uid?x=1';
    const answer = await viaProxy(url, '{"a":1}');
    expect(answer).toMatchObject({ status: 202, body: 'accepted', headers: { 'x-upstream': 'yes' } });
    expect(seen.at(-1)).toEqual({
      method: 'POST',
      url: '/triggers/ns/t/uid?x=1',
      host: 'ch-kn-channel.ns.svc.cluster.local',
      body: '{"a":1}',
    });
  });

  it('answers 502 naming the host for a name nothing here serves', async () => {
    const answer = await viaProxy('http://elsewhere.default.svc.cluster.local/', '');
    expect(answer.status).toBe(502);
    expect(answer.body).toContain('elsewhere.default.svc.cluster.local');
  });
});

describe('the proxy asked for a tunnel (CONNECT, as Go asks for an https:// URL)', () => {
  let echo: net.Server;
  let proxy: ClusterProxy;

  beforeAll(async () => {
    // What a TLS server sees inside a tunnel: bytes, answered with bytes.
    echo = net.createServer((socket) => socket.on('data', (chunk: Buffer) => socket.end(`echo:${chunk}`)));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const tunnels = { 'kubernetes.default.svc:443': (echo.address() as AddressInfo).port };
    proxy = await startClusterProxy({ services: {}, channelPort: 1, tunnels });
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise((resolve) => echo.close(resolve));
  });

  /** Everything the proxy sends back on one connection after `CONNECT target` and then `payload`. */
  const connect = (target: string, payload: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const socket = net.connect(proxy.port, '127.0.0.1', () => {
        socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
        socket.write(payload);
      });
      let answer = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
      socket.once('close', () => resolve(answer));
      socket.once('error', reject);
    });

  it('opens one to the local port of a name it knows, and passes the bytes both ways', async () => {
    const answer = await connect('kubernetes.default.svc:443', 'hello');
    expect(answer).toBe('HTTP/1.1 200 Connection Established\r\n\r\necho:hello');
  });

  it('refuses a name it does not know with 502, naming it', async () => {
    const answer = await connect('example.com:443', 'hello');
    expect(answer).toMatch(/^HTTP\/1\.1 502 .*example\.com:443/s);
  });
});
