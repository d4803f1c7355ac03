import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import { binaryEvent, throttleData } from '../../fixtures/events.js';
import { type IngestHarness, ingestHarness } from '../support/ingest-app.js';

/**
 * Served by @hono/node-server, the ingest routes read the Node request itself
 * (lib/http/body.ts); app.request() elsewhere exercises the web-stream path.
 * Over a real socket: limits, deadline and encoding hold, the client reads the
 * refusal instead of a reset, and the server goes on serving.
 */
const THROTTLE = 'io.gossip.kernel.cpu_throttle.v1';

let server: ServerType | undefined;
afterEach(() => new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve()))));

async function listen(env: Record<string, string> = {}): Promise<{ harness: IngestHarness; port: number }> {
  const harness = ingestHarness({ BODY_LIMIT_BYTES: '2048', BODY_TIMEOUT_MS: '200', ...env });
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: harness.app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve(info.port),
    );
  });
  return { harness, port };
}

/** Raw HTTP/1.1 over a socket: what a client sees, including a body that never completes. */
function exchange(
  port: number,
  head: string,
  body: Buffer | string,
  options: { keepOpen?: boolean } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      answer += chunk;
      if (/\r\n\r\n/.test(answer) && options.keepOpen === true) socket.destroy();
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.write(head);
    socket.write(body);
    if (options.keepOpen !== true) socket.end();
  });
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? Number.NaN);

function binaryHead(extra: string): string {
  const { headers } = binaryEvent(THROTTLE, throttleData);
  return `POST / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}${extra}\r\n`;
}

describe('the ingest body read from the Node request', () => {
  it('applies a binary event', async () => {
    const { port, harness } = await listen();
    const { body } = binaryEvent(THROTTLE, throttleData);
    const answer = await exchange(port, binaryHead(`content-length: ${Buffer.byteLength(body)}\r\n`), body);
    expect(statusOf(answer)).toBe(202);
    expect(answer).toContain('kernel-gossip-outcome: applied');
    expect(harness.api.writes().length).toBeGreaterThan(0);
  });

  it('answers 413 to a declared length over the limit, before the body arrives', async () => {
    const { port, harness } = await listen();
    const answer = await exchange(port, binaryHead('content-length: 4096\r\n'), 'x'.repeat(100), { keepOpen: true });
    expect(statusOf(answer)).toBe(413);
    expect(harness.api.writes()).toEqual([]);
  });

  it('answers 413 to a chunked body once it passes the limit', async () => {
    const { port, harness } = await listen();
    const chunk = JSON.stringify({ ...throttleData, padding: 'x'.repeat(3000) });
    const answer = await exchange(
      port,
      binaryHead('transfer-encoding: chunked\r\n'),
      `${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`,
    );
    expect(statusOf(answer)).toBe(413);
    expect(harness.api.writes()).toEqual([]);
  });

  it('answers 408 to a body that stops arriving', async () => {
    const { port, harness } = await listen();
    const answer = await exchange(port, binaryHead('content-length: 1000\r\n'), '{"namespace":', { keepOpen: true });
    expect(statusOf(answer)).toBe(408);
    expect(harness.api.writes()).toEqual([]);
  });

  it('answers 400 to a body that is not UTF-8, and serves the next request', async () => {
    const { port } = await listen();
    const invalid = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    expect(statusOf(await exchange(port, binaryHead(`content-length: ${invalid.length}\r\n`), invalid))).toBe(400);
    const { body } = binaryEvent(THROTTLE, throttleData);
    expect(statusOf(await exchange(port, binaryHead(`content-length: ${Buffer.byteLength(body)}\r\n`), body))).toBe(
      202,
    );
  });
});
