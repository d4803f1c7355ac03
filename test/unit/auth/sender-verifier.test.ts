import { base64url } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { IssuerKeys } from '../../../lib/auth/issuer-keys.js';
import {
  CLOCK_LEEWAY_SECONDS,
  KEY_MAX_AGE_MS,
  KEY_REFRESH_COOLDOWN_MS,
  SenderVerifier,
} from '../../../lib/auth/sender-verifier.js';
import { KubeApiError, SenderNotAllowedError, UnauthenticatedError } from '../../../lib/errors.js';
import { AUDIENCE, FakeIssuer, foreignKey, TRIGGER } from '../support/fake-issuer.js';

/**
 * The verifier's own logic on keys made here: which tokens pass, which answer
 * 401/403, and when the issuer's keys are fetched (never for a token that is
 * refused before its signature matters, once per cooldown for unknown key ids).
 */
const START_MS = Date.parse('2026-01-01T00:00:00Z');
const nowS = () => Math.floor(clock / 1000);
let clock = START_MS;
let issuer: FakeIssuer;
let verifier: SenderVerifier;

beforeEach(async () => {
  clock = START_MS;
  issuer = new FakeIssuer();
  await issuer.addKey();
  const now = () => clock;
  const keys = new IssuerKeys(issuer, { now, refreshCooldownMs: KEY_REFRESH_COOLDOWN_MS, maxAgeMs: KEY_MAX_AGE_MS });
  verifier = new SenderVerifier(keys, { audience: AUDIENCE, subjects: new Set([TRIGGER]), now });
});

const bearer = (token: string) => `Bearer ${token}`;

describe('a token of the cluster for our audience', () => {
  it('names an allowed sender, and is verified once while the keys stay the same', async () => {
    const token = await issuer.token(nowS());
    expect(await verifier.verify(bearer(token))).toEqual({ subject: TRIGGER });
    expect(await verifier.verify(bearer(token))).toEqual({ subject: TRIGGER });
    // One discovery document and one key set.
    expect(issuer.fetches).toBe(2);
  });

  it('is accepted within the clock leeway around nbf and exp, and refused past it', async () => {
    const token = await issuer.token(nowS(), { nbfS: nowS() + 30, expS: nowS() + 600 });
    await expect(verifier.verify(bearer(token))).resolves.toEqual({ subject: TRIGGER });
    clock += (600 + CLOCK_LEEWAY_SECONDS - 1) * 1000;
    await expect(verifier.verify(bearer(token))).resolves.toEqual({ subject: TRIGGER });
    clock += 2000;
    await expect(verifier.verify(bearer(token))).rejects.toThrow(new UnauthenticatedError('The token has expired'));
  });

  it('is refused before its not-before time, past the leeway', async () => {
    const token = await issuer.token(nowS(), { nbfS: nowS() + CLOCK_LEEWAY_SECONDS + 5 });
    await expect(verifier.verify(bearer(token))).rejects.toThrow(/"nbf" claim/);
  });

  it('answers 403 for a subject that is not listed', async () => {
    const token = await issuer.token(nowS(), { sub: 'system:serviceaccount:default:curious' });
    await expect(verifier.verify(bearer(token))).rejects.toThrow(
      new SenderNotAllowedError('system:serviceaccount:default:curious is not an allowed sender'),
    );
  });
});

describe('refused with 401', () => {
  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['a bearer that is not a JWT', 'Bearer not-a-jwt'],
    ['a JWT of garbage', 'Bearer e30.e30.e30'],
    ['an overlong token', `Bearer ${'a'.repeat(9000)}.b.c`],
    ['alg none', `Bearer ${base64url.encode('{"alg":"none","kid":"key-1"}')}.${base64url.encode('{"sub":"x"}')}.`],
  ])('%s, without fetching any key', async (_label, header) => {
    await expect(verifier.verify(header)).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(issuer.fetches).toBe(0);
  });

  it.each([
    ['another audience', { aud: 'kernel-gossip-sweep' }, /"aud" claim/],
    ['another issuer', { iss: 'https://issuer.example' }, /"iss" claim/],
    ['an expired token', { iatS: 0, nbfS: 0, expS: 600 }, /expired/],
  ])('%s', async (_label, claims, message) => {
    const token = await issuer.token(nowS(), claims);
    await expect(verifier.verify(bearer(token))).rejects.toThrow(message);
  });

  it('a tampered signature or payload', async () => {
    const [header, payload, signature = ''] = (await issuer.token(nowS())).split('.');
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    await expect(verifier.verify(bearer(`${header}.${payload}.${flipped}`))).rejects.toThrow(/signature/);
    const other = base64url.encode(JSON.stringify({ ...decode(payload), sub: 'system:serviceaccount:x:y' }));
    await expect(verifier.verify(bearer(`${header}.${other}.${signature}`))).rejects.toThrow(/signature/);
  });

  it('a token signed by another key under our key id', async () => {
    const forged = await issuer.token(nowS(), {}, await foreignKey('key-1'));
    await expect(verifier.verify(bearer(forged))).rejects.toThrow(/signature/);
    expect(issuer.fetches).toBe(2);
  });
});

describe('keys the cache does not hold', () => {
  it('are fetched at most once per cooldown, however many tokens name an unknown key id', async () => {
    await verifier.verify(bearer(await issuer.token(nowS())));
    clock += KEY_REFRESH_COOLDOWN_MS;
    const forged = await issuer.token(nowS(), {}, await foreignKey('forged'));
    await expect(verifier.verify(bearer(forged))).rejects.toThrow(/not signed by a key of this cluster/);
    expect(issuer.fetches).toBe(4);
    for (let i = 0; i < 100; i++)
      await expect(verifier.verify(bearer(forged))).rejects.toThrow(/not signed by a key of this cluster/);
    expect(issuer.fetches).toBe(4);
    clock += KEY_REFRESH_COOLDOWN_MS;
    await expect(verifier.verify(bearer(forged))).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(issuer.fetches).toBe(6);
  });

  it('are found when the cluster rotated its key, and the old key stops verifying', async () => {
    const old = await issuer.token(nowS());
    await verifier.verify(bearer(old));
    await issuer.addKey({ replace: true });
    clock += KEY_REFRESH_COOLDOWN_MS;
    expect(await verifier.verify(bearer(await issuer.token(nowS())))).toEqual({ subject: TRIGGER });
    // The remembered verdict went with the old keys.
    await expect(verifier.verify(bearer(old))).rejects.toThrow(/not signed by a key of this cluster/);
  });

  it('are fetched again once the set is older than its maximum age', async () => {
    const token = await issuer.token(nowS());
    await verifier.verify(bearer(token));
    clock += KEY_MAX_AGE_MS;
    await verifier.verify(bearer(token));
    expect(issuer.fetches).toBe(4);
  });
});

describe('an API server that cannot serve the keys', () => {
  it('fails the request as retryable, and is not asked again before the cooldown', async () => {
    issuer.failWith = new KubeApiError('GET /openid/v1/jwks: 403 forbidden', 'forbidden', 403);
    const token = await issuer.token(nowS());
    await expect(verifier.verify(bearer(token))).rejects.toBeInstanceOf(KubeApiError);
    await expect(verifier.verify(bearer(token))).rejects.toBeInstanceOf(KubeApiError);
    expect(issuer.fetches).toBe(2);
    issuer.failWith = undefined;
    clock += KEY_REFRESH_COOLDOWN_MS;
    expect(await verifier.verify(bearer(token))).toEqual({ subject: TRIGGER });
  });
});

function decode(part: string | undefined): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(base64url.decode(part ?? ''))) as Record<string, unknown>;
}
