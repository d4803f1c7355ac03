import { MONITOR_ANNOTATION, POD } from '../../lib/api/group.js';
import { type Pod, slimPod } from '../../lib/core/pod.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { Lru } from '../../lib/lru.js';

/**
 * Reads pods with a short-lived cache, so a pod whose throttling is reported
 * every few seconds is not read for every report. 30 s is short next to the
 * rest of the opt-in path (the observer learns of an annotated pod from the
 * sweep's ConfigMap, every 5 minutes); a resized CPU limit shows in the
 * recommendation at most 30 s later. The time is the injected clock's.
 */
export const POD_TTL_MS = 30_000;
/** About 1.5 KB each; a pod not seen again within its TTL only holds memory. */
const CACHED_PODS = 1024;

/** A pod as found, and whether it was read from the API server for this lookup (not from the cache). */
export type PodLookup = { readonly pod: Pod | undefined; readonly fresh: boolean };

export class PodDirectory {
  private readonly cache: Lru<string, Pod>;
  /** Reads in flight: the two objects of one pod often arrive together and should share one read. */
  private readonly reading = new Map<string, Promise<Pod | undefined>>();

  constructor(
    private readonly api: KubeApi,
    options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
  ) {
    this.cache = new Lru({
      maxEntries: options.maxEntries ?? CACHED_PODS,
      ttlMs: options.ttlMs ?? POD_TTL_MS,
      now: options.now,
    });
  }

  async get(namespace: string, name: string): Promise<PodLookup> {
    const cached = this.cache.get(`${namespace}/${name}`);
    if (cached !== undefined) return { pod: cached, fresh: false };
    return this.refresh(namespace, name);
  }

  /** Reads past the cache: for a container or a pod UID the cached pod does not have. */
  async refresh(namespace: string, name: string): Promise<PodLookup> {
    const key = `${namespace}/${name}`;
    let read = this.reading.get(key);
    if (read === undefined) {
      read = this.read(key, namespace, name).finally(() => this.reading.delete(key));
      this.reading.set(key, read);
    }
    return { pod: await read, fresh: true };
  }

  private async read(key: string, namespace: string, name: string): Promise<Pod | undefined> {
    const found = await this.api.get<Pod>(POD, { namespace, name });
    if (found === undefined) {
      this.cache.delete(key);
      return undefined;
    }
    const pod = slimPod(found, MONITOR_ANNOTATION);
    this.cache.set(key, pod);
    return pod;
  }

  remember(pod: Pod): void {
    this.cache.set(`${pod.metadata.namespace ?? ''}/${pod.metadata.name}`, slimPod(pod, MONITOR_ANNOTATION));
  }
}
