import type { ResourceType } from '../../../lib/api/group.js';
import { KubeApiError } from '../../../lib/errors.js';
import type { DeletePreconditions, KubeApi, ListOptions, ListPage, WriteOptions } from '../../../lib/k8s/api.js';
import type { KubeObject, ObjectRef } from '../../../lib/k8s/objects.js';

/**
 * An in-memory fake of OUR KubeApi interface (never of HTTP). It models only what
 * the unit tests rely on: objects by type/namespace/name, resourceVersion bumps,
 * generation bumps on spec changes, status kept apart from spec, and recorded
 * calls. Server-side apply merging is NOT modelled for the spec: apply replaces
 * spec/metadata labels wholesale. The status is kept per field manager and merged
 * (top-level fields, conditions by type), just enough for two managers owning
 * disjoint parts. What the real API server decides is tested in test/integration.
 */
export type Call = { readonly verb: string; readonly type: string; readonly name?: string };

export class FakeKubeApi implements KubeApi {
  readonly calls: Call[] = [];
  private readonly objects = new Map<string, KubeObject>();
  /** Per object, the status each manager last applied (in the order managers first applied). */
  private readonly statusByManager = new Map<string, Map<string, Record<string, unknown>>>();
  private version = 1;
  /** Throw this from the next matching call (verb), once. */
  failNext: { verb: string; error: Error } | undefined;

  seed(type: ResourceType, object: KubeObject): KubeObject {
    const stored = this.stamp({
      ...object,
      metadata: { generation: 1, uid: `uid-${object.metadata.name}`, ...object.metadata },
    });
    this.objects.set(key(type, object.metadata.namespace ?? '', object.metadata.name), stored);
    return clone(stored);
  }

  all(type: ResourceType): KubeObject[] {
    return [...this.objects.entries()]
      .filter(([k]) => k.startsWith(`${type.plural}/`))
      .map(([, object]) => clone(object));
  }

  writes(): Call[] {
    return this.calls.filter((call) => call.verb !== 'get' && call.verb !== 'list');
  }

  async get<T extends KubeObject>(type: ResourceType, ref: ObjectRef): Promise<T | undefined> {
    this.record('get', type, ref.name);
    const found = this.objects.get(key(type, ref.namespace, ref.name));
    return found === undefined ? undefined : (clone(found) as T);
  }

  async list<T extends KubeObject>(type: ResourceType, options: ListOptions): Promise<ListPage<T>> {
    this.record('list', type);
    const items = this.all(type).filter(
      (object) => options.namespace === undefined || object.metadata.namespace === options.namespace,
    );
    const start = Number(options.continue ?? '0');
    const end = options.limit === undefined ? items.length : start + options.limit;
    const page = items.slice(start, end) as T[];
    return end < items.length ? { items: page, continue: String(end) } : { items: page };
  }

  async create<T extends KubeObject>(type: ResourceType, object: T, _options: WriteOptions): Promise<T> {
    this.record('create', type, object.metadata.name);
    const k = key(type, object.metadata.namespace ?? '', object.metadata.name);
    if (this.objects.has(k)) throw new KubeApiError('already exists', 'conflict', 409);
    return this.seed(type, object) as T;
  }

  async apply<T extends KubeObject>(type: ResourceType, object: T, _options: WriteOptions): Promise<T> {
    this.record('apply', type, object.metadata.name);
    const k = key(type, object.metadata.namespace ?? '', object.metadata.name);
    const existing = this.objects.get(k);
    this.checkVersion(existing, object);
    if (existing === undefined) return this.seed(type, { ...object, status: undefined }) as T;
    const specChanged = JSON.stringify(existing.spec) !== JSON.stringify(object.spec);
    const metadata = {
      ...existing.metadata,
      labels: { ...existing.metadata.labels, ...object.metadata.labels },
      generation: (existing.metadata.generation ?? 1) + (specChanged ? 1 : 0),
    };
    // Top-level fields other than spec (an Event's series) are merged, as apply would.
    const { metadata: _metadata, status: _status, ...fields } = object;
    const next = this.stamp({ ...existing, ...fields, metadata, spec: object.spec });
    this.objects.set(k, next);
    return clone(next) as T;
  }

  async applyStatus<T extends KubeObject>(type: ResourceType, object: T, options: WriteOptions): Promise<T> {
    this.record('apply_status', type, object.metadata.name);
    const k = key(type, object.metadata.namespace ?? '', object.metadata.name);
    const existing = this.objects.get(k);
    if (existing === undefined) throw new KubeApiError('not found', 'not-found', 404);
    this.checkVersion(existing, object);
    const owners = this.statusByManager.get(k) ?? new Map<string, Record<string, unknown>>();
    owners.set(options.fieldManager, (object.status ?? {}) as Record<string, unknown>);
    this.statusByManager.set(k, owners);
    const next = this.stamp({ ...existing, status: mergeStatus([...owners.values()]) });
    this.objects.set(k, next);
    return clone(next) as T;
  }

  async delete(type: ResourceType, ref: ObjectRef, preconditions?: DeletePreconditions): Promise<boolean> {
    this.record('delete', type, ref.name);
    const k = key(type, ref.namespace, ref.name);
    const existing = this.objects.get(k);
    if (existing === undefined) return false;
    if (preconditions?.uid !== undefined && preconditions.uid !== existing.metadata.uid)
      throw new KubeApiError('uid precondition', 'conflict', 409);
    if (
      preconditions?.resourceVersion !== undefined &&
      preconditions.resourceVersion !== existing.metadata.resourceVersion
    )
      throw new KubeApiError('rv precondition', 'conflict', 409);
    this.objects.delete(k);
    this.statusByManager.delete(k);
    return true;
  }

  private record(verb: string, type: ResourceType, name?: string): void {
    this.calls.push({ verb, type: type.plural, name });
    if (this.failNext?.verb === verb) {
      const { error } = this.failNext;
      this.failNext = undefined;
      throw error;
    }
  }

  private checkVersion(existing: KubeObject | undefined, object: KubeObject): void {
    const wanted = object.metadata.resourceVersion;
    if (wanted !== undefined && existing?.metadata.resourceVersion !== wanted)
      throw new KubeApiError('the object has been modified', 'conflict', 409);
  }

  private stamp(object: KubeObject): KubeObject {
    return { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.version) } };
  }
}

/** What SSA makes of disjoint managers' statuses: their fields together, conditions merged by type. */
function mergeStatus(parts: readonly Record<string, unknown>[]): Record<string, unknown> {
  const conditions = new Map<string, unknown>();
  let merged: Record<string, unknown> = {};
  for (const { conditions: own, ...fields } of parts) {
    merged = { ...merged, ...fields };
    for (const condition of (own ?? []) as { type: string }[]) conditions.set(condition.type, condition);
  }
  return conditions.size === 0 ? merged : { ...merged, conditions: [...conditions.values()] };
}

function key(type: ResourceType, namespace: string, name: string): string {
  return `${type.plural}/${namespace}/${name}`;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}
