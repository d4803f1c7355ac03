import http from 'node:http';
import type { HttpFixture } from '../fixtures/events.js';

/**
 * Loopback HTTP to a function, over keep-alive connections as a Knative
 * queue-proxy or Broker keeps them, so a connection handshake per event is not
 * what gets measured.
 */
export type HttpAnswer = { readonly status: number; readonly headers: http.IncomingHttpHeaders; readonly body: string };

export type FunctionClient = {
  post(path: string, fixture: HttpFixture): Promise<HttpAnswer>;
  get(path: string): Promise<HttpAnswer>;
  close(): void;
};

const TIMEOUT_MS = 30_000;

export function functionClient(port: number, maxSockets: number, timeoutMs = TIMEOUT_MS): FunctionClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const send = (method: string, path: string, fixture?: HttpFixture): Promise<HttpAnswer> =>
    new Promise((resolve, reject) => {
      const headers =
        fixture === undefined ? {} : { ...fixture.headers, 'content-length': String(Buffer.byteLength(fixture.body)) };
      const request = http.request(
        { agent, host: '127.0.0.1', port, method, path, headers, timeout: timeoutMs },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      request.on('timeout', () => request.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
      request.on('error', reject);
      request.end(fixture?.body);
    });
  return {
    post: (path, fixture) => send('POST', path, fixture),
    get: (path) => send('GET', path),
    close: () => agent.destroy(),
  };
}

/** One request on a fresh connection: for probing a process that may not listen yet. */
export function probe(port: number, method: string, path: string, fixture?: HttpFixture): Promise<HttpAnswer> {
  const client = functionClient(port, 1);
  const sent = method === 'POST' && fixture !== undefined ? client.post(path, fixture) : client.get(path);
  return sent.finally(() => client.close());
}

/** Sends an event and insists on 202; answers with the outcome header (applied, unchanged, stale, skipped). */
export async function sendEvent(client: FunctionClient, fixture: HttpFixture): Promise<string> {
  const answer = await client.post('/', fixture);
  if (answer.status !== 202) throw new Error(`ingest answered ${answer.status}: ${answer.body.slice(0, 200)}`);
  const outcome = answer.headers['kernel-gossip-outcome'];
  return typeof outcome === 'string' ? outcome : 'none';
}
