import { EVENT } from '../../lib/api/group.js';
import {
  newPodEvent,
  type PodEvent,
  type PodEventIntent,
  podEventFor,
  podEventSeries,
} from '../../lib/core/pod-event.js';
import { asError, KubeApiError } from '../../lib/errors.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import { KeyedBatcher } from '../../lib/keyed-batcher.js';
import type { Logger } from '../../lib/log.js';
import { Lru } from '../../lib/lru.js';
import type { IngestMetrics } from './metrics.js';

/**
 * Tells the pod, with events.k8s.io semantics: one Event per (object, reason),
 * created on its first occurrence; repeats raise its `series` count instead of
 * adding Events. Series writes are throttled per Event and instance to one read
 * and one write per interval, counted from the Event's creation, and repeats in
 * between are counted and folded into the next write: a burst of observations
 * costs one create, not a create plus a series write (client-go starts the series
 * at the second occurrence; the benchmark showed that as a third write per event). Counts not yet written when the
 * instance stops are lost; the Event stays.
 *
 * Never throws: an Event is a courtesy to people reading the pod, so failing to
 * write one is logged and counted but does not fail the ingest.
 */
export type PodEventOptions = {
  readonly fieldManager: string;
  readonly reportingInstance: string;
  readonly seriesIntervalMs: number;
  readonly now: () => number;
  readonly log: Logger;
  readonly metrics: Pick<IngestMetrics, 'podEvents'>;
};

type Series = { pending: number; lastWriteMs: number };
export type PodEventOutcome = 'created' | 'series_updated' | 'deferred' | 'failed';

export class PodEventRecorder {
  private readonly series = new Lru<string, Series>({ maxEntries: 10_000 });
  private readonly batcher: KeyedBatcher<PodEventIntent, PodEventOutcome>;

  constructor(
    private readonly api: KubeApi,
    private readonly options: PodEventOptions,
  ) {
    this.batcher = new KeyedBatcher((_name, batch) => this.emit(batch));
  }

  /** Call only after a write that changed the object; undefined when the object implies no Event. */
  async record(object: KubeObject): Promise<PodEventOutcome | undefined> {
    const intent = podEventFor(object);
    return intent === undefined ? undefined : this.batcher.submit(intent.name, intent);
  }

  /** Occurrences that arrived while this Event was being written are one batch. */
  private async emit(batch: readonly PodEventIntent[]): Promise<PodEventOutcome[]> {
    const newest = batch.reduce((a, b) => (b.observedAt > a.observedAt ? b : a));
    let outcome: PodEventOutcome;
    try {
      outcome = await this.occurred(newest, batch.length);
    } catch (error) {
      outcome = 'failed';
      this.options.log.warn(
        { event: { namespace: newest.namespace, name: newest.name, reason: newest.reason }, err: asError(error) },
        'Could not record pod Event',
      );
    }
    this.options.metrics.podEvents.inc({ reason: newest.reason, outcome });
    return batch.map(() => outcome);
  }

  private async occurred(intent: PodEventIntent, occurrences: number): Promise<PodEventOutcome> {
    let state = this.series.get(intent.name);
    if (state === undefined) {
      if (await this.create(intent)) {
        this.series.set(intent.name, { pending: occurrences - 1, lastWriteMs: this.options.now() });
        return 'created';
      }
      // Created by another instance, or by this one before a restart: count on from what is stored.
      state = { pending: 0, lastWriteMs: Number.NEGATIVE_INFINITY };
      this.series.set(intent.name, state);
    }
    state.pending += occurrences;
    if (this.options.now() - state.lastWriteMs < this.options.seriesIntervalMs) return 'deferred';
    return this.writeSeries(intent, state);
  }

  private async writeSeries(intent: PodEventIntent, state: Series): Promise<PodEventOutcome> {
    // Set first: after a failure, too, the next attempt waits for the interval.
    state.lastWriteMs = this.options.now();
    const stored = await this.api.get<PodEvent>(EVENT, { namespace: intent.namespace, name: intent.name });
    if (stored === undefined) {
      // Expired (the API server keeps Events for --event-ttl, 1 h by default): start again.
      if (!(await this.create(intent))) return 'deferred';
      state.pending = 0;
      return 'created';
    }
    const count = (stored.series?.count ?? 1) + state.pending;
    await this.api.apply(EVENT, podEventSeries(intent, count, stored.metadata.resourceVersion), {
      fieldManager: this.options.fieldManager,
    });
    state.pending = 0;
    return 'series_updated';
  }

  /** False when the Event already exists. */
  private async create(intent: PodEventIntent): Promise<boolean> {
    try {
      await this.api.create(EVENT, newPodEvent(intent, this.options.reportingInstance), {
        fieldManager: this.options.fieldManager,
      });
    } catch (error) {
      if (error instanceof KubeApiError && error.failure === 'conflict') return false;
      throw error;
    }
    return true;
  }
}
