import { DETECTED_AT_RULE_CAUSE } from '../../lib/api/kernel-whisper.js';
import { REPORTS_RULE_CAUSE } from '../../lib/api/pod-birth-certificate.js';
import { HISTORY_RULE_CAUSE } from '../../lib/api/throttle-history.js';
import { guardedBy, statusApply } from '../../lib/core/guarded-apply.js';
import {
  desiredStatus,
  keyString,
  type ObjectKey,
  objectKeyOf,
  planSpec,
  statusMatches,
} from '../../lib/core/ingest-plan.js';
import type { Observation } from '../../lib/core/observation.js';
import { IncarnationChangedError, KubeApiError, type StatusCause } from '../../lib/errors.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import { KeyedBatcher } from '../../lib/keyed-batcher.js';
import { Lru } from '../../lib/lru.js';

/**
 * Writes observations to their objects: one server-side apply of the spec and
 * one of the status, each only when it changes. Bursts for one object coalesce
 * (KeyedBatcher); the last object this instance read or wrote is trusted for
 * OBJECT_TTL_MS of the injected clock, so an exact redelivery costs no API
 * request at all, and an object deleted meanwhile is written again at the
 * first event after that (a redelivery within it is answered "unchanged").
 * Past that a remembered copy still plans a write (a new state), which its uid
 * and resourceVersion guard: a copy out of date is a 409 and a read. Anything
 * else planned from it (unchanged, stale, another pod) is read again first.
 * The bench found the read before every write of an object busier than the TTL
 * to be half of the function's extra API-server CPU.
 *
 * Races between instances are settled by the API server: the CRDs' transition
 * rules refuse an older observation or a dropped report (422), and the status is
 * applied with the resourceVersion it was computed from (409). Either way the
 * object is read again and the batch re-planned.
 */
export type WriteResult = 'applied' | 'unchanged' | 'stale';
/** `object` is what the API server stored after an applied or unchanged write. */
export type WriteOutcome = {
  readonly result: WriteResult;
  readonly key: ObjectKey;
  readonly writes: number;
  readonly object?: KubeObject;
};

export type WriterOptions = {
  readonly fieldManager: string;
  readonly resolvedAfterMs: number;
  readonly targetPercent: number;
  readonly now: () => number;
  readonly cacheEntries?: number;
  readonly cacheBytes?: number;
};

const MAX_ATTEMPTS = 4;
/** As long as a pod is cached (pods.ts): what an instance read or wrote is trusted this long. */
export const OBJECT_TTL_MS = 30_000;

/** A copy of an object and when it came from the API server (the injected clock). */
type Remembered = { readonly object: KubeObject; readonly atMs: number };
/**
 * Objects remembered for redelivery and planning, bounded by count and by
 * bytes of JSON: a KernelWhisper is about 2.5 KB, so 4 MB hold ~1,600 of them
 * (the objects of 800 busy pods); more was the difference between 99 and
 * 101 MB of peak RSS over the first states of 5,000 objects (bench, 6 MB). A
 * birth certificate can reach hundreds of KB (1,000 timeline entries) and is
 * rarely written twice (one report per container), so objects above 64 KB are
 * not kept. A miss costs one GET, never a wrong write.
 */
const CACHED_OBJECTS = 2048;
const CACHED_BYTES = 4_000_000;
const CACHED_OBJECT_MAX_BYTES = 64_000;

export class ObjectWriter {
  private readonly cache: Lru<string, Remembered>;
  private readonly batcher: KeyedBatcher<Observation, WriteOutcome>;

  constructor(
    private readonly api: KubeApi,
    private readonly options: WriterOptions,
  ) {
    this.cache = new Lru({
      maxEntries: options.cacheEntries ?? CACHED_OBJECTS,
      maxBytes: options.cacheBytes ?? CACHED_BYTES,
    });
    this.batcher = new KeyedBatcher((key, batch) => this.writeBatch(key, batch));
  }

  write(observation: Observation): Promise<WriteOutcome> {
    return this.batcher.submit(keyString(objectKeyOf(observation)), observation);
  }

  private async writeBatch(cacheKey: string, batch: readonly Observation[]): Promise<WriteOutcome[]> {
    const first = batch[0];
    if (first === undefined) return [];
    const key = objectKeyOf(first);
    let lastError: KubeApiError | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        const outcome = await this.writeOnce(cacheKey, key, batch);
        return batch.map(() => outcome);
      } catch (error) {
        this.cache.delete(cacheKey);
        if (!(error instanceof KubeApiError) || !isRace(error)) throw error;
        lastError = error;
      }
    }
    throw lastError ?? new KubeApiError(`${cacheKey}: gave up after ${MAX_ATTEMPTS} attempts`, 'conflict', 409);
  }

  private async writeOnce(cacheKey: string, key: ObjectKey, batch: readonly Observation[]): Promise<WriteOutcome> {
    const remembered = this.cache.get(cacheKey);
    const trusted = remembered !== undefined && this.options.now() - remembered.atMs < OBJECT_TTL_MS;
    const hinted = remembered === undefined ? undefined : planSpec(remembered.object, batch);
    // An expired copy may only plan a guarded write; what else it would answer is read again.
    const read = hinted === undefined || (!trusted && hinted.action !== 'write');
    const current = read ? await this.api.get(key.type, key) : remembered?.object;
    const plan = read || hinted === undefined ? planSpec(current, batch) : hinted;
    if (plan.action === 'otherIncarnation')
      throw new IncarnationChangedError(`${cacheKey} is about pod UID ${plan.storedUid}, not the cached pod's`);
    if (plan.action === 'stale') return { result: 'stale', key, writes: 0 };
    let writes = 0;
    let stored = current;
    if (plan.action === 'write' || stored === undefined) {
      stored = await this.api.apply(key.type, guardedBy(plan.desired, current), {
        fieldManager: this.options.fieldManager,
      });
      writes++;
    }
    const { resolvedAfterMs, targetPercent } = this.options;
    const status = desiredStatus(stored, { nowMs: this.options.now(), resolvedAfterMs, targetPercent });
    if (!statusMatches(stored.status, status)) {
      stored = await this.api.applyStatus(key.type, statusApply(stored, status), {
        fieldManager: this.options.fieldManager,
      });
      writes++;
    }
    // Only what came from the API server now starts its time to live; an answer from the cache does not extend it.
    if (writes > 0 || read) this.remember(cacheKey, stored);
    return { result: writes === 0 ? 'unchanged' : 'applied', key, writes, object: stored };
  }

  /** The JSON length stands for the memory an object holds. */
  private remember(cacheKey: string, stored: KubeObject): void {
    const bytes = JSON.stringify(stored).length;
    if (bytes > CACHED_OBJECT_MAX_BYTES) this.cache.delete(cacheKey);
    else this.cache.set(cacheKey, { object: stored, atMs: this.options.now() }, bytes);
  }
}

const RACE_CAUSES: readonly StatusCause[] = [DETECTED_AT_RULE_CAUSE, HISTORY_RULE_CAUSE, REPORTS_RULE_CAUSE];

/**
 * A lost race: a conflict (409), or one of the CRDs' transition rules refusing a
 * write planned from a stale copy, known by the Status causes the rules name
 * (field and reason, never the message). Anything else the API server refuses
 * about our own object would be refused again: it is answered at once.
 */
export function isRace(error: KubeApiError): boolean {
  if (error.failure === 'conflict') return true;
  return (
    error.failure === 'rejected' &&
    error.causes.length > 0 &&
    error.causes.every((cause) =>
      RACE_CAUSES.some((race) => race.field === cause.field && race.reason === cause.reason),
    )
  );
}
