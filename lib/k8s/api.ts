import type { ResourceType } from '../api/group.js';
import type { KubeObject, ObjectRef } from './objects.js';

/**
 * The small interface everything else uses to reach the API server. One
 * implementation talks HTTP (client.ts); unit tests use an in-memory fake of
 * this interface, never of HTTP.
 *
 * Failures are thrown as KubeApiError with a `failure` kind; a missing object on
 * `get` is `undefined`, not an error.
 */
export type ListOptions = {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  readonly continue?: string;
};

export type ListPage<T> = { readonly items: T[]; readonly continue?: string };

export type WriteOptions = { readonly fieldManager: string };

export type DeletePreconditions = { readonly uid?: string; readonly resourceVersion?: string };

export interface KubeApi {
  get<T extends KubeObject>(type: ResourceType, ref: ObjectRef): Promise<T | undefined>;
  list<T extends KubeObject>(type: ResourceType, options: ListOptions): Promise<ListPage<T>>;
  /** POST: fails with a `conflict` when the object already exists. */
  create<T extends KubeObject>(type: ResourceType, object: T, options: WriteOptions): Promise<T>;
  /**
   * Server-side apply with `force` and strict field validation. A
   * `metadata.resourceVersion` in the object is a precondition (`conflict` when stale).
   */
  apply<T extends KubeObject>(type: ResourceType, object: T, options: WriteOptions): Promise<T>;
  /** Server-side apply of the status subresource. */
  applyStatus<T extends KubeObject>(type: ResourceType, object: T, options: WriteOptions): Promise<T>;
  /** Resolves to false when the object was already gone. */
  delete(type: ResourceType, ref: ObjectRef, preconditions?: DeletePreconditions): Promise<boolean>;
}

/** Called once per HTTP request, for metrics. */
export type RequestObserver = (verb: string, code: number | 'error', seconds: number) => void;
