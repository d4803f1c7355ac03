import type { ResourceType } from '../../lib/api/group.js';
import { KubeApiError } from '../../lib/errors.js';
import type { DeletePreconditions, KubeApi, ListOptions, ListPage, WriteOptions } from '../../lib/k8s/api.js';
import type { KubeObject, ObjectRef } from '../../lib/k8s/objects.js';

/**
 * Our KubeApi with one injectable fault: the next call about one object (any
 * verb, or only its status write) fails as an unavailable API server would. The
 * behaviour under test is the ingest's answer, not the server's decision.
 */
export type ArmedFault = { readonly kind: string; readonly name: string; readonly mode: 'first' | 'status' };

export class FaultyKubeApi implements KubeApi {
  private armed: ArmedFault[] = [];

  constructor(private readonly inner: KubeApi) {}

  arm(fault: ArmedFault): void {
    this.armed.push(fault);
  }

  /** Faults not consumed by the command they were armed for must not leak into the next. */
  disarm(): void {
    this.armed = [];
  }

  private trip(type: ResourceType, name: string, verb: 'get' | 'apply' | 'applyStatus'): void {
    const index = this.armed.findIndex(
      (fault) => fault.kind === type.kind && fault.name === name && (fault.mode === 'first' || verb === 'applyStatus'),
    );
    if (index < 0) return;
    this.armed.splice(index, 1);
    throw new KubeApiError(`${verb} ${type.plural}/${name}: injected fault`, 'unavailable', 503);
  }

  get<T extends KubeObject>(type: ResourceType, ref: ObjectRef): Promise<T | undefined> {
    return this.guard(type, ref.name, 'get', () => this.inner.get<T>(type, ref));
  }

  list<T extends KubeObject>(type: ResourceType, options: ListOptions): Promise<ListPage<T>> {
    return this.inner.list<T>(type, options);
  }

  create<T extends KubeObject>(type: ResourceType, object: T, options: WriteOptions): Promise<T> {
    return this.inner.create(type, object, options);
  }

  apply<T extends KubeObject>(type: ResourceType, object: T, options: WriteOptions): Promise<T> {
    return this.guard(type, object.metadata.name, 'apply', () => this.inner.apply(type, object, options));
  }

  applyStatus<T extends KubeObject>(type: ResourceType, object: T, options: WriteOptions): Promise<T> {
    return this.guard(type, object.metadata.name, 'applyStatus', () => this.inner.applyStatus(type, object, options));
  }

  delete(type: ResourceType, ref: ObjectRef, preconditions?: DeletePreconditions): Promise<boolean> {
    return this.inner.delete(type, ref, preconditions);
  }

  private async guard<R>(
    type: ResourceType,
    name: string,
    verb: 'get' | 'apply' | 'applyStatus',
    call: () => Promise<R>,
  ) {
    this.trip(type, name, verb);
    return call();
  }
}
