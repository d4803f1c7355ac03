import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { IssuerApi, IssuerDiscovery, JsonWebKeySet } from '../../../lib/k8s/issuer.js';

/**
 * A stand-in for what the API server publishes about its ServiceAccount token
 * issuer, with signing keys made here, so the verifier's logic (claims, caching,
 * refresh) is tested without a cluster. Tokens the real API server issued are
 * tested in test/integration/sender-identity.test.ts.
 */
export const ISSUER = 'https://kubernetes.default.svc';
export const AUDIENCE = 'kernel-gossip-ingest';
export const TRIGGER = 'system:serviceaccount:kernel-gossip:kernel-gossip-trigger';

export type SigningKey = { readonly kid: string; readonly privateKey: CryptoKey; readonly jwk: JWK };

export type Claims = {
  sub?: string;
  aud?: string;
  iss?: string;
  iatS?: number;
  nbfS?: number;
  expS?: number;
};

export class FakeIssuer implements IssuerApi {
  fetches = 0;
  failWith: Error | undefined;
  private keys: SigningKey[] = [];
  private counter = 0;

  async discovery(): Promise<IssuerDiscovery> {
    this.fetches++;
    if (this.failWith !== undefined) throw this.failWith;
    return { issuer: ISSUER, jwks_uri: `${ISSUER}/openid/v1/jwks` };
  }

  async keySet(): Promise<JsonWebKeySet> {
    this.fetches++;
    if (this.failWith !== undefined) throw this.failWith;
    return { keys: this.keys.map((key) => key.jwk as JsonWebKeySet['keys'][number]) };
  }

  /** A new signing key; with `replace`, the old ones are no longer published (a finished rotation). */
  async addKey(options: { replace?: boolean } = {}): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const kid = `key-${++this.counter}`;
    const key = { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
    this.keys = options.replace === true ? [key] : [...this.keys, key];
    return key;
  }

  /** A token as the API server issues it for a TokenRequest, signed with `key` (default: the newest). */
  async token(nowS: number, claims: Claims = {}, key?: SigningKey): Promise<string> {
    const signer = key ?? this.keys.at(-1);
    if (signer === undefined) throw new Error('no signing key yet');
    return new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: signer.kid })
      .setIssuer(claims.iss ?? ISSUER)
      .setAudience(claims.aud ?? AUDIENCE)
      .setSubject(claims.sub ?? TRIGGER)
      .setIssuedAt(claims.iatS ?? nowS)
      .setNotBefore(claims.nbfS ?? nowS)
      .setExpirationTime(claims.expS ?? nowS + 3600)
      .sign(signer.privateKey);
  }
}

/** A key of nobody's cluster, for forged tokens. */
export async function foreignKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid } };
}
