import { guardedBy, statusApply } from '../../lib/core/guarded-apply.js';
import { desiredStatus, keyString, objectKeyOf, planSpec } from '../../lib/core/ingest-plan.js';
import { DEFAULT_TARGET_PERCENT } from '../../lib/core/limit-sizing.js';
import type { Observation } from '../../lib/core/observation.js';
import type { Pod } from '../../lib/core/pod.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import { observationOf } from './observations.js';
import type { BenchEvent } from './workload.js';

/**
 * The API-server-bound limit: for each event, the same spec apply and status
 * apply the ingest function makes (computed by the same pure core), issued
 * straight from this process with no HTTP function, no pod read and no object
 * read in between. It remembers what it wrote, as the function does, so the
 * status carries the stored condition times and the resourceVersion precondition.
 * Its pods exist (created by the bench, never read here): certificates carry
 * their UID and lifecycle as the function's do.
 */
const FIELD_MANAGER = 'kernel-gossip-ingest';
const RESOLVED_AFTER_MS = 600_000;

export class CeilingWriter {
  private readonly stored = new Map<string, KubeObject>();
  private readonly busy = new Map<string, Promise<unknown>>();

  /** `pods`: the created pods of its namespaces, by `namespace/name`. */
  constructor(
    private readonly api: KubeApi,
    private readonly pods: ReadonlyMap<string, Pod>,
  ) {}

  /**
   * Writes for one object are serialised, as the function's keyed batcher does,
   * so they never race each other. `via` sends them through another client
   * (the bench's connection-churn probe).
   */
  write(event: BenchEvent, via: KubeApi = this.api): Promise<void> {
    const before = this.busy.get(event.key) ?? Promise.resolve();
    const next = before.then(() => this.writeOnce(event, via));
    this.busy.set(
      event.key,
      next.catch(() => undefined),
    );
    return next;
  }

  private async writeOnce(event: BenchEvent, api: KubeApi): Promise<void> {
    const observation = this.observationOf(event);
    const key = objectKeyOf(observation);
    const cacheKey = keyString(key);
    const current = this.stored.get(cacheKey);
    const plan = planSpec(current, [observation]);
    if (plan.action === 'stale' || plan.action === 'otherIncarnation')
      throw new Error(`${cacheKey}: the bench sent an older observation than it stored`);
    let stored = await api.apply(key.type, guardedBy(plan.desired, current), { fieldManager: FIELD_MANAGER });
    const status = desiredStatus(stored, {
      nowMs: Date.now(),
      resolvedAfterMs: RESOLVED_AFTER_MS,
      targetPercent: DEFAULT_TARGET_PERCENT,
    });
    stored = await api.applyStatus(key.type, statusApply(stored, status), { fieldManager: FIELD_MANAGER });
    this.stored.set(cacheKey, stored);
  }

  private observationOf(event: BenchEvent): Observation {
    const pod = this.pods.get(`${event.namespace}/${event.pod}`);
    if (pod === undefined) throw new Error(`the ceiling has no pod ${event.namespace}/${event.pod}`);
    return observationOf(event, pod.metadata.uid ?? '', pod);
  }
}
