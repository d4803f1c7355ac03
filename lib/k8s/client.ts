import type { ResourceType } from '../api/group.js';
import type { DeletePreconditions, KubeApi, ListOptions, ListPage, RequestObserver, WriteOptions } from './api.js';
import { type CredentialSource, type Credentials, loadCredentials } from './credentials.js';
import { type IssuerApi, issuerApiOver } from './issuer.js';
import type { KubeObject, ObjectRef } from './objects.js';
import { collectionPath, listQuery, objectPath, writeQuery } from './paths.js';
import { apiError, createTransport, type Transport } from './transport.js';

const APPLY_PATCH = 'application/apply-patch+yaml';

export type KubeApiOptions = CredentialSource & { readonly observe?: RequestObserver };

export type KubeConnection = KubeApi & {
  close(): void;
  readonly credentials: Credentials['source'];
  /** The ServiceAccount token issuer this API server publishes, for verifying senders (lib/auth). */
  readonly issuer: IssuerApi;
};

/** The one door to the API server: our KubeApi over HTTP. */
export async function connectKubeApi(options: KubeApiOptions): Promise<KubeConnection> {
  const credentials = await loadCredentials(options);
  const transport = createTransport(credentials, options.observe);
  return { ...kubeApiOver(transport), credentials: credentials.source, issuer: issuerApiOver(transport) };
}

function kubeApiOver(transport: Transport): KubeApi & { close(): void } {
  async function call<T>(
    verb: string,
    method: string,
    path: string,
    body?: { contentType: string; json: unknown },
    accept404 = false,
  ): Promise<T | undefined> {
    const result = await transport.request(verb, method, path, body);
    if (result.status >= 200 && result.status < 300) return withoutManagedFields(result.body) as T;
    if (accept404 && result.status === 404) return undefined;
    throw apiError(method, path, result);
  }

  async function must<T>(
    verb: string,
    method: string,
    path: string,
    body?: { contentType: string; json: unknown },
  ): Promise<T> {
    const value = await call<T>(verb, method, path, body);
    if (value === undefined) throw apiError(method, path, { status: 502, body: 'empty response' });
    return value;
  }

  function refOf(object: KubeObject): ObjectRef {
    return { namespace: object.metadata.namespace ?? '', name: object.metadata.name };
  }

  return {
    get: <T extends KubeObject>(type: ResourceType, ref: ObjectRef) =>
      call<T>('get', 'GET', objectPath(type, ref.namespace, ref.name), undefined, true),
    async list<T extends KubeObject>(type: ResourceType, options: ListOptions): Promise<ListPage<T>> {
      const page = await must<{ items?: T[]; metadata?: { continue?: string } }>(
        'list',
        'GET',
        collectionPath(type, options.namespace) + listQuery(options),
      );
      // Items of a list response omit kind and apiVersion (built-in kinds do); callers rely on them.
      const items = (page.items ?? []).map((item) => ({ ...item, apiVersion: apiVersionOf(type), kind: type.kind }));
      const next = page.metadata?.continue;
      return next === undefined || next === '' ? { items } : { items, continue: next };
    },
    create: <T extends KubeObject>(type: ResourceType, object: T, options: WriteOptions) =>
      must<T>(
        'create',
        'POST',
        collectionPath(type, object.metadata.namespace) + writeQuery(options.fieldManager, false),
        { contentType: 'application/json', json: object },
      ),
    apply: <T extends KubeObject>(type: ResourceType, object: T, options: WriteOptions) => {
      const ref = refOf(object);
      return must<T>(
        'apply',
        'PATCH',
        objectPath(type, ref.namespace, ref.name) + writeQuery(options.fieldManager, true),
        { contentType: APPLY_PATCH, json: object },
      );
    },
    applyStatus: <T extends KubeObject>(type: ResourceType, object: T, options: WriteOptions) => {
      const ref = refOf(object);
      return must<T>(
        'apply_status',
        'PATCH',
        objectPath(type, ref.namespace, ref.name, 'status') + writeQuery(options.fieldManager, true),
        { contentType: APPLY_PATCH, json: object },
      );
    },
    async delete(type: ResourceType, ref: ObjectRef, preconditions?: DeletePreconditions): Promise<boolean> {
      const body = {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        ...(preconditions === undefined ? {} : { preconditions }),
      };
      const result = await call<unknown>(
        'delete',
        'DELETE',
        objectPath(type, ref.namespace, ref.name),
        { contentType: 'application/json', json: body },
        true,
      );
      return result !== undefined;
    },
    close: () => transport.close(),
  };
}

function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/**
 * managedFields is the API server's bookkeeping for server-side apply; nothing
 * here reads it, and it is often the largest part of an object, so responses
 * (and the caches built from them) drop it.
 */
function withoutManagedFields(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const record = body as { metadata?: { managedFields?: unknown }; items?: unknown[] };
  if (record.metadata?.managedFields !== undefined) delete record.metadata.managedFields;
  if (Array.isArray(record.items)) for (const item of record.items) withoutManagedFields(item);
  return body;
}
