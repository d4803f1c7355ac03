import { MONITOR_ANNOTATION, POD } from '../../lib/api/group.js';
import { slimPod, type Pod } from '../../lib/core/pod.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { Lru } from '../../lib/lru.js';

/**
 * Reads pods with a short-lived cache: a burst of events for one pod reads it
 * once. Short enough that a changed annotation is honoured within seconds.
 */
/** Entries live 5 s, so more than a few seconds of events' worth of pods is memory that is never read (about 1.5 KB each). */
const CACHED_PODS = 1024;

export class PodDirectory {
  private readonly cache: Lru<string, Pod>;
  /** Reads in flight: the two objects of one pod often arrive together and should share one read. */
  private readonly reading = new Map<string, Promise<Pod | undefined>>();

  constructor(
    private readonly api: KubeApi,
    options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
  ) {
    this.cache = new Lru(options.maxEntries ?? CACHED_PODS, options.ttlMs ?? 5000, options.now);
  }

  async get(namespace: string, name: string): Promise<Pod | undefined> {
    const cached = this.cache.get(`${namespace}/${name}`);
    if (cached !== undefined) return cached;
    return this.refresh(namespace, name);
  }

  /** Reads past the cache: for a container that may have reached pod status since. */
  refresh(namespace: string, name: string): Promise<Pod | undefined> {
    const key = `${namespace}/${name}`;
    const inFlight = this.reading.get(key);
    if (inFlight !== undefined) return inFlight;
    const read = this.read(key, namespace, name).finally(() => this.reading.delete(key));
    this.reading.set(key, read);
    return read;
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
