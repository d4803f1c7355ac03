import { createHash } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { AuthConfig } from '../config.js';
import { SenderNotAllowedError, UnauthenticatedError } from '../errors.js';
import { printable } from '../http/body.js';
import type { IssuerApi } from '../k8s/issuer.js';
import { Lru } from '../lru.js';
import { IssuerKeys, type IssuerSnapshot } from './issuer-keys.js';

/**
 * Sender identity as Knative Eventing sends it (feature `authentication-oidc`): a
 * ServiceAccount token the API server issued for our audience, in
 * `Authorization: Bearer`. Verified here, without an API request per event:
 * signature against the issuer's published keys, issuer, audience, expiry and
 * not-before, then the subject against the allowlist. docs/security.md says why
 * not TokenReview and what each check stops.
 */

/**
 * Clocks of the API server and of our node may differ a little; 60 s is the
 * leeway kube-apiserver itself grants when it validates these tokens.
 */
export const CLOCK_LEEWAY_SECONDS = 60;
/** What kube-apiserver signs ServiceAccount tokens with (an RSA or ECDSA key). */
const ALGORITHMS = ['RS256', 'ES256', 'ES384', 'ES512'];
/** ServiceAccount tokens are about 1 KB; anything much longer is refused unparsed. */
const MAX_TOKEN_LENGTH = 8192;
const BEARER_JWT = /^Bearer +([\w-]+\.[\w-]+\.[\w-]*)$/i;
/** Knative's token provider reuses one token per Trigger for up to an hour, so verified tokens are remembered (by hash). */
const VERIFIED_ENTRIES = 256;
export const KEY_REFRESH_COOLDOWN_MS = 10_000;
export const KEY_MAX_AGE_MS = 5 * 60_000;

export type Sender = { readonly subject: string };

type Verified = { readonly subject: string; readonly usableUntilMs: number; readonly keys: IssuerSnapshot };

export class SenderVerifier {
  private readonly verified: Lru<string, Verified>;

  constructor(
    private readonly keys: IssuerKeys,
    private readonly options: { audience: string; subjects: ReadonlySet<string>; now: () => number },
  ) {
    // Verified again after KEY_MAX_AGE_MS, or at once when the keys were fetched anew.
    this.verified = new Lru({ maxEntries: VERIFIED_ENTRIES, ttlMs: KEY_MAX_AGE_MS, now: options.now });
  }

  /** The sender of a request, from its Authorization header; throws 401/403-mapped errors. */
  async verify(authorization: string | undefined): Promise<Sender> {
    const token = bearerJwt(authorization);
    const key = createHash('sha256').update(token).digest('base64');
    const remembered = this.verified.get(key);
    const subject =
      remembered !== undefined && remembered.keys === this.keys.latest && this.options.now() < remembered.usableUntilMs
        ? remembered.subject
        : await this.verifySignatureAndClaims(token, key);
    if (!this.options.subjects.has(subject))
      throw new SenderNotAllowedError(`${printable(subject, 320)} is not an allowed sender`);
    return { subject };
  }

  private async verifySignatureAndClaims(token: string, key: string): Promise<string> {
    // Checked before the keys are touched, so `alg: none` and garbage never cause a key fetch.
    const { alg } = decodeHeader(token);
    if (alg === undefined || !ALGORITHMS.includes(alg))
      throw new UnauthenticatedError('The token is not signed with an algorithm ServiceAccount tokens use');
    const snapshot = await this.keys.current();
    try {
      const { payload } = await jwtVerify(token, this.keys.lookupIn(snapshot), {
        issuer: snapshot.issuer,
        audience: this.options.audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_LEEWAY_SECONDS,
        currentDate: new Date(this.options.now()),
        requiredClaims: ['exp', 'sub'],
      });
      const subject = payload.sub ?? '';
      const usableUntilMs = ((payload.exp ?? 0) + CLOCK_LEEWAY_SECONDS) * 1000;
      this.verified.set(key, { subject, usableUntilMs, keys: this.keys.latest ?? snapshot });
      return subject;
    } catch (error) {
      throw unauthenticated(error);
    }
  }
}

export function createSenderVerifier(auth: AuthConfig, issuer: IssuerApi, now: () => number): SenderVerifier {
  const keys = new IssuerKeys(issuer, { now, refreshCooldownMs: KEY_REFRESH_COOLDOWN_MS, maxAgeMs: KEY_MAX_AGE_MS });
  return new SenderVerifier(keys, { audience: auth.audience, subjects: auth.subjects, now });
}

function bearerJwt(authorization: string | undefined): string {
  if (authorization === undefined || authorization === '')
    throw new UnauthenticatedError('The request carries no bearer token');
  const token = authorization.length <= MAX_TOKEN_LENGTH + 7 ? BEARER_JWT.exec(authorization)?.[1] : undefined;
  if (token === undefined) throw new UnauthenticatedError('The Authorization header is not a bearer JWT');
  return token;
}

function decodeHeader(token: string): { alg?: string | undefined } {
  try {
    return decodeProtectedHeader(token);
  } catch (error) {
    throw new UnauthenticatedError('The bearer token is not a JWT', { cause: error });
  }
}

/** jose's verdicts as our 401, each saying which check failed and never quoting the token. */
function unauthenticated(error: unknown): Error {
  const because = (message: string) => new UnauthenticatedError(message, { cause: error });
  if (error instanceof errors.JWTExpired) return because('The token has expired');
  if (error instanceof errors.JWTClaimValidationFailed)
    return because(`The token's "${printable(error.claim, 16)}" claim is not accepted here`);
  if (error instanceof errors.JWKSNoMatchingKey) return because('The token is not signed by a key of this cluster');
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSMultipleMatchingKeys)
    return because('The token signature does not verify');
  if (error instanceof errors.JOSEError) return because('The bearer token is not a valid ServiceAccount token');
  return error instanceof Error ? error : new Error(String(error));
}
