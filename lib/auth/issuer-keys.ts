import {
  type CryptoKey,
  createLocalJWKSet,
  errors,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
} from 'jose';
import { KubeApiError } from '../errors.js';
import type { IssuerApi } from '../k8s/issuer.js';

/**
 * The cluster's issuer and signing keys, fetched through the API server and
 * cached. Fetched again (discovery document and key set, two requests):
 * - when a token names a key id the set does not hold (the cluster rotated its
 *   key), at most once per `refreshCooldownMs`, so forged key ids cannot make us
 *   hammer the API server (meanwhile such a token is refused: the set is at most
 *   that old, and clusters publish a new key before they sign with it);
 * - on the first token after `maxAgeMs`, so a key the cluster removed stops verifying.
 * Concurrent callers share one fetch.
 */
export type IssuerKeysOptions = {
  readonly now: () => number;
  readonly refreshCooldownMs: number;
  readonly maxAgeMs: number;
};

export type KeyLookup = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>;
export type IssuerSnapshot = { readonly issuer: string; readonly keyFor: KeyLookup; readonly fetchedAt: number };

export class IssuerKeys {
  private snapshot: IssuerSnapshot | undefined;
  private fetching: Promise<IssuerSnapshot> | undefined;
  private lastFetchAt = Number.NEGATIVE_INFINITY;
  private lastFailure: Error | undefined;

  constructor(
    private readonly api: IssuerApi,
    private readonly options: IssuerKeysOptions,
  ) {}

  /** The last keys fetched, without fetching: what a remembered verdict was reached with must still be current. */
  get latest(): IssuerSnapshot | undefined {
    return this.snapshot;
  }

  /** The issuer and its keys, fetched when there are none yet or they are older than `maxAgeMs`. */
  async current(): Promise<IssuerSnapshot> {
    const { snapshot } = this;
    if (snapshot !== undefined && this.options.now() - snapshot.fetchedAt < this.options.maxAgeMs) return snapshot;
    // A failed fetch is not retried before the cooldown: a flood of tokens while the API server is away costs nothing.
    if (this.fetching === undefined && this.lastFailure !== undefined && this.cooldownLeftMs() > 0)
      throw this.lastFailure;
    return this.fetch();
  }

  /** Key lookup for jose over a snapshot; an unknown key id fetches the set again when the cooldown allows. */
  lookupIn(snapshot: IssuerSnapshot): KeyLookup {
    return async (header, token) => {
      try {
        return await snapshot.keyFor(header, token);
      } catch (error) {
        // Within the cooldown the set is at most that old: the key is not the cluster's (401).
        if (!(error instanceof errors.JWKSNoMatchingKey) || (this.fetching === undefined && this.cooldownLeftMs() > 0))
          throw error;
        return (await this.fetch()).keyFor(header, token);
      }
    };
  }

  private cooldownLeftMs(): number {
    return this.lastFetchAt + this.options.refreshCooldownMs - this.options.now();
  }

  private fetch(): Promise<IssuerSnapshot> {
    this.fetching ??= this.fetchOnce().finally(() => {
      this.fetching = undefined;
    });
    return this.fetching;
  }

  private async fetchOnce(): Promise<IssuerSnapshot> {
    this.lastFetchAt = this.options.now();
    try {
      const [discovery, keySet] = await Promise.all([this.api.discovery(), this.api.keySet()]);
      const keyFor = createLocalJWKSet(keySet as JSONWebKeySet);
      this.snapshot = { issuer: discovery.issuer, keyFor, fetchedAt: this.options.now() };
      this.lastFailure = undefined;
      return this.snapshot;
    } catch (error) {
      // A key set jose cannot use is the API server's fault, like one it cannot serve.
      this.lastFailure =
        error instanceof KubeApiError
          ? error
          : new KubeApiError('The issuer key set cannot be used', 'unavailable', undefined, { cause: error });
      throw this.lastFailure;
    }
  }
}
