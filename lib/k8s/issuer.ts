import * as v from 'valibot';
import { KubeApiError } from '../errors.js';
import { apiError, type Transport } from './transport.js';

/**
 * The cluster's ServiceAccount token issuer as its API server publishes it
 * (ServiceAccount issuer discovery, an OIDC discovery document and its key set).
 * The key set is read from the API server's own `/openid/v1/jwks` rather than
 * the document's `jwks_uri`, which may name a public URL the pod cannot reach.
 * In a pod both need the built-in ClusterRole system:service-account-issuer-discovery.
 */
export type IssuerApi = {
  discovery(): Promise<IssuerDiscovery>;
  keySet(): Promise<JsonWebKeySet>;
};

export const DISCOVERY_PATH = '/.well-known/openid-configuration';
export const KEY_SET_PATH = '/openid/v1/jwks';
/** A cluster publishes one key per signing key it still accepts; more than this is not a key set we trust. */
const MAX_KEYS = 64;

const DiscoverySchema = v.looseObject({ issuer: v.pipe(v.string(), v.minLength(1), v.maxLength(1024)) });
export type IssuerDiscovery = v.InferOutput<typeof DiscoverySchema>;

const KeySchema = v.looseObject({ kty: v.string(), kid: v.optional(v.string()), alg: v.optional(v.string()) });
const KeySetSchema = v.object({ keys: v.pipe(v.array(KeySchema), v.maxLength(MAX_KEYS)) });
export type JsonWebKeySet = v.InferOutput<typeof KeySetSchema>;

export function issuerApiOver(transport: Transport): IssuerApi {
  async function read<S extends v.GenericSchema>(
    verb: string,
    path: string,
    accept: string,
    schema: S,
  ): Promise<v.InferOutput<S>> {
    const result = await transport.request(verb, 'GET', path, undefined, accept);
    if (result.status < 200 || result.status >= 300) throw apiError('GET', path, result);
    const parsed = v.safeParse(schema, result.body);
    if (!parsed.success)
      throw new KubeApiError(`GET ${path}: not the document the API server should publish`, 'unavailable', 200);
    return parsed.output;
  }
  return {
    discovery: () => read('issuer_discovery', DISCOVERY_PATH, 'application/json', DiscoverySchema),
    // The API server answers 406 to anything but the key set's own media type (RFC 7517, section 8.5).
    keySet: () => read('issuer_keys', KEY_SET_PATH, 'application/jwk-set+json', KeySetSchema),
  };
}
