import { Writable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../lib/log.js';
import { binaryEvent, legacyThrottle, throttleData } from '../../fixtures/events.js';
import { AUDIENCE, type Claims, FakeIssuer, foreignKey, TRIGGER } from '../support/fake-issuer.js';
import { ingestHarness, NOW } from '../support/ingest-app.js';
import { NOW as SWEEP_NOW, sweepHarness } from '../sweep/harness.js';
import { pingBinary } from '../sweep/ping.js';

/**
 * The sender check in front of both functions' event route: each refusal is
 * answered before the body is read, without an API request or a write, and no
 * token reaches the log. The legacy webhook keeps its shared token.
 */
const THROTTLE = 'io.gossip.kernel.cpu_throttle.v1';
const AUTH = { AUTH_REQUIRED: 'true', AUTH_SUBJECTS: TRIGGER };
let issuer: FakeIssuer;

beforeEach(async () => {
  issuer = new FakeIssuer();
  await issuer.addKey();
});

const tokenAt = (nowMs: number, claims: Claims = {}) => issuer.token(Math.floor(nowMs / 1000), claims);

/** A request body that counts how often it was read from. */
function watchedBody(text: string): { body: ReadableStream<Uint8Array>; reads: () => number } {
  let reads = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        reads++;
        controller.enqueue(new TextEncoder().encode(text));
        controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  return { body, reads: () => reads };
}

/** Everything the logger writes, as text. */
function capturedLog(): { log: ReturnType<typeof createLogger>; text: () => string } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { log: createLogger({ level: 'trace', name: 'test' }, sink), text: () => lines.join('') };
}

async function postEvent(app: ReturnType<typeof ingestHarness>['app'], authorization?: string) {
  const event = binaryEvent(THROTTLE, throttleData);
  const watched = watchedBody(event.body);
  const headers = authorization === undefined ? event.headers : { ...event.headers, authorization };
  const response = await app.request('/', {
    method: 'POST',
    headers,
    body: watched.body,
    duplex: 'half',
  } as RequestInit);
  return { response, reads: watched.reads() };
}

describe('the ingest event route', () => {
  it.each([
    ['no token', async () => undefined, 401, 'Unauthenticated'],
    [
      'a token for another audience',
      async () => `Bearer ${await tokenAt(NOW, { aud: 'kernel-gossip-sweep' })}`,
      401,
      'Unauthenticated',
    ],
    ['an expired token', async () => `Bearer ${await tokenAt(NOW - 7200_000)}`, 401, 'Unauthenticated'],
    [
      'a token of a sender not listed',
      async () => `Bearer ${await tokenAt(NOW, { sub: 'system:serviceaccount:default:curious' })}`,
      403,
      'SenderNotAllowed',
    ],
  ])('refuses %s before reading the body, with no API request', async (_label, header, status, reason) => {
    const { app, api } = ingestHarness(AUTH, { issuer });
    const { response, reads } = await postEvent(app, await header());
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: reason });
    expect(reads).toBe(0);
    expect(api.calls).toEqual([]);
    if (status === 401) expect(response.headers.get('www-authenticate')).toBe('Bearer realm="kernel-gossip"');
  });

  it('applies the event of an allowed sender', async () => {
    const { app, api } = ingestHarness(AUTH, { issuer });
    const { response } = await postEvent(app, `Bearer ${await tokenAt(NOW)}`);
    expect([response.status, response.headers.get('kernel-gossip-outcome')]).toEqual([202, 'applied']);
    expect(api.writes().length).toBeGreaterThan(0);
  });

  it('refuses a token signed by a key the cluster does not publish, fetching the keys once', async () => {
    const { app } = ingestHarness(AUTH, { issuer });
    const forged = await issuer.token(Math.floor(NOW / 1000), {}, await foreignKey('elsewhere'));
    for (let i = 0; i < 3; i++) {
      const { response, reads } = await postEvent(app, `Bearer ${forged}`);
      expect([response.status, reads]).toEqual([401, 0]);
    }
    expect(issuer.fetches).toBe(2);
  });

  it('leaves the health routes open', async () => {
    const { app } = ingestHarness(AUTH, { issuer });
    expect((await app.request('/health/readiness')).status).toBe(200);
  });

  it('keeps the legacy webhook on its shared token', async () => {
    const { app } = ingestHarness({ ...AUTH, WEBHOOK_TOKEN: 'shared-secret' }, { issuer });
    const post = (authorization: string) =>
      app.request('/webhook/ebpf', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify(legacyThrottle),
      });
    expect((await post('Bearer shared-secret')).status).toBe(200);
    expect((await post(`Bearer ${await tokenAt(NOW)}`)).status).toBe(401);
    expect(issuer.fetches).toBe(0);
  });
});

describe('the sweep route', () => {
  it('refuses a ping without a token and sweeps for an allowed sender', async () => {
    const { app, api } = sweepHarness(AUTH, issuer);
    const ping = pingBinary();
    const refused = await app.request('/', { method: 'POST', headers: ping.headers, body: ping.body });
    expect([refused.status, api.calls]).toEqual([401, []]);
    const token = await tokenAt(SWEEP_NOW, { aud: 'kernel-gossip-sweep' });
    const swept = await app.request('/', {
      method: 'POST',
      headers: { ...ping.headers, authorization: `Bearer ${token}` },
      body: ping.body,
    });
    expect(swept.status).toBe(202);
    // The ingest's audience is not the sweep's: a token for one cannot run the other.
    const ingestToken = await tokenAt(SWEEP_NOW, { aud: AUDIENCE });
    const wrong = await app.request('/', { method: 'POST', headers: { authorization: `Bearer ${ingestToken}` } });
    expect(wrong.status).toBe(401);
  });
});

describe('the log', () => {
  it('never holds a token, refused or accepted', async () => {
    const { log, text } = capturedLog();
    const { app } = ingestHarness(AUTH, { issuer, log });
    const tokens = [
      await tokenAt(NOW),
      await tokenAt(NOW, { aud: 'elsewhere' }),
      await tokenAt(NOW, { sub: 'system:serviceaccount:default:curious' }),
      await tokenAt(NOW - 7200_000),
    ];
    const tampered = `${tokens[0]?.slice(0, -4) ?? ''}AAAA`;
    for (const token of [...tokens, tampered]) await postEvent(app, `Bearer ${token}`);
    const logged = text();
    expect(logged).toContain('Applied');
    expect(logged).toContain('Refused request');
    for (const token of [...tokens, tampered])
      for (const part of token.split('.')) if (part.length >= 8) expect(logged).not.toContain(part);
  });
});
