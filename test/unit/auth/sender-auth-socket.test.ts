import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binaryEvent, throttleData } from '../../fixtures/events.js';
import { FakeIssuer, TRIGGER } from '../support/fake-issuer.js';
import { type IngestHarness, ingestHarness } from '../support/ingest-app.js';

/**
 * Over a real socket, where Node drains whatever body a handler left unread: a
 * refused sender's body within the limit is drained and the connection kept; a
 * longer one is not read, the connection is closed instead.
 */
const LIMIT = 2048;
let server: ServerType | undefined;
let issuer: FakeIssuer;

beforeEach(async () => {
  issuer = new FakeIssuer();
  await issuer.addKey();
});
afterEach(() => new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve()))));

async function listen(): Promise<{ harness: IngestHarness; port: number }> {
  const env = { AUTH_REQUIRED: 'true', AUTH_SUBJECTS: TRIGGER, BODY_LIMIT_BYTES: String(LIMIT) };
  const harness = ingestHarness(env, { issuer });
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: harness.app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve(info.port),
    );
  });
  return { harness, port };
}

function head(contentLength: number): string {
  const { headers } = binaryEvent('io.gossip.kernel.cpu_throttle.v1', throttleData);
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `POST / HTTP/1.1\r\nhost: x\r\ncontent-length: ${contentLength}\r\n${lines.join('')}\r\n`;
}

/** Sends a head announcing `megabytes` of body, then up to that many 1 MB chunks; resolves with how many went out before the server closed. */
function sendLargeBody(port: number, megabytes: number): Promise<{ sentMB: number; answer: string }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunk = Buffer.alloc(1 << 20, 0x78);
    let sentMB = 0;
    let answer = '';
    socket.on('data', (data) => (answer += data.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => resolve({ sentMB, answer }));
    socket.write(head(megabytes << 20));
    const pump = (): void => {
      if (socket.destroyed) return;
      if (sentMB === megabytes) {
        socket.end();
        return;
      }
      sentMB++;
      socket.write(chunk, () => setImmediate(pump));
    };
    pump();
  });
}

describe('a refused sender over a socket', () => {
  it('gets its 401 and keeps the connection when the body is within the limit', async () => {
    const { port, harness } = await listen();
    const { body } = binaryEvent('io.gossip.kernel.cpu_throttle.v1', throttleData);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let text = '';
      socket.setEncoding('utf8').on('data', (data: string) => {
        text += data;
        if (text.includes('"Unauthenticated"')) socket.end();
      });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      socket.write(head(Buffer.byteLength(body)) + body);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 401/);
    expect(answer).toMatch(/connection: keep-alive/i);
    expect(harness.api.calls).toEqual([]);
  });

  it('has its connection closed, not its body read, when the body is over the limit', async () => {
    const { port, harness } = await listen();
    const { sentMB } = await sendLargeBody(port, 64);
    expect(sentMB).toBeLessThan(64);
    expect(harness.api.calls).toEqual([]);
  });
});
