import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EVENT_TYPE } from '../../../lib/events/types.js';
import { durationSeconds, TriggerSchema } from '../../unit/packaging/knative-schemas.js';
import { knativeDir, loadManifests, ofKind, parseAs } from '../../unit/packaging/manifests.js';
import type { Delivery } from './servers.js';

/** The delivery settings of the shipped Trigger for throttle events (knative/30-triggers-ingest.yaml). */
export function ingestTriggerDelivery(): { retry: number; backoffDelayMs: number } {
  const triggers = ofKind(loadManifests([path.join(knativeDir, '30-triggers-ingest.yaml')]), 'Trigger').map(
    (manifest) => parseAs(TriggerSchema, manifest.object, manifest.file),
  );
  const trigger = triggers.find((candidate) => candidate.spec.filter.attributes.type === EVENT_TYPE.cpuThrottle);
  if (trigger === undefined) throw new Error('knative/30-triggers-ingest.yaml has no Trigger for throttle events');
  const { retry, backoffDelay } = trigger.spec.delivery;
  return { retry, backoffDelayMs: durationSeconds(backoffDelay) * 1000 };
}

/** Time between consecutive deliveries of one event: the Broker's wait plus the function's answer. */
export function retryGapsMs(deliveries: readonly Delivery[]): number[] {
  return deliveries.slice(1).map((delivery, index) => delivery.at - (deliveries[index]?.at ?? delivery.at));
}

/** Polls `condition` until it holds; fails after `timeoutMs` saying what it waited for. */
export async function until(condition: () => boolean, timeoutMs: number, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Waited ${timeoutMs} ms for ${what}`);
    await sleep(50);
  }
}
