import type { ResourceType } from '../../../lib/api/group.js';
import type { DeletePreconditions, KubeApi, ListOptions, ListPage, WriteOptions } from '../../../lib/k8s/api.js';
import type { KubeObject, ObjectRef } from '../../../lib/k8s/objects.js';

/**
 * Wraps any KubeApi (the in-memory fake or the real client): records calls,
 * fails the ones a test picks, runs a hook before them (to interleave another
 * writer), and counts how many writes run at once.
 */
export type ApiCall = { readonly verb: string; readonly type: string; readonly name: string | undefined };

type Fault = (verb: string, type: ResourceType, name: string | undefined) => Error | undefined;

export class FaultyKubeApi implements KubeApi {
  /** Calls begun, including those still waiting out the delay. */
  readonly calls: ApiCall[] = [];
  fault: Fault = () => undefined;
  before: (call: ApiCall) => Promise<void> = async () => {};
  delayMs = 0;
  /** Most writes that were in flight at once. */
  maxWritesInFlight = 0;
  private writesInFlight = 0;

  constructor(private readonly inner: KubeApi) {}

  get<T extends KubeObject>(type: ResourceType, ref: ObjectRef): Promise<T | undefined> {
    return this.call('get', type, ref.name, () => this.inner.get<T>(type, ref));
  }
  list<T extends KubeObject>(type: ResourceType, options: ListOptions): Promise<ListPage<T>> {
    return this.call('list', type, undefined, () => this.inner.list<T>(type, options));
  }
  create<T extends KubeObject>(type: ResourceType, object: T, options: WriteOptions): Promise<T> {
    return this.call('create', type, object.metadata.name, () => this.inner.create(type, object, options));
  }
  apply<T extends KubeObject>(type: ResourceType, object: T, options: WriteOptions): Promise<T> {
    return this.call('apply', type, object.metadata.name, () => this.inner.apply(type, object, options));
  }
  applyStatus<T extends KubeObject>(type: ResourceType, object: T, options: WriteOptions): Promise<T> {
    return this.call('apply_status', type, object.metadata.name, () => this.inner.applyStatus(type, object, options));
  }
  delete(type: ResourceType, ref: ObjectRef, preconditions?: DeletePreconditions): Promise<boolean> {
    return this.call('delete', type, ref.name, () => this.inner.delete(type, ref, preconditions));
  }

  private async call<R>(verb: string, type: ResourceType, name: string | undefined, run: () => Promise<R>): Promise<R> {
    const call = { verb, type: type.plural, name };
    this.calls.push(call);
    const write = verb !== 'get' && verb !== 'list';
    if (write) this.maxWritesInFlight = Math.max(this.maxWritesInFlight, ++this.writesInFlight);
    try {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      await this.before(call);
      const error = this.fault(verb, type, name);
      if (error !== undefined) throw error;
      return await run();
    } finally {
      if (write) this.writesInFlight--;
    }
  }
}
