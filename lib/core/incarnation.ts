import type { Pod } from './pod.js';

/**
 * Which incarnation of a pod name an event belongs to. A StatefulSet recreates
 * a pod under the same name with a new UID; the event's pod UID, or without one
 * its observation time before the live pod's creationTimestamp, tells the
 * incarnations apart (with CREATION_SKEW_MS of slack). An event of an earlier pod is skipped: it can never
 * overwrite the live pod's objects. A UID the API server does not know while
 * another pod of that name lived at the observation time is retried like any
 * unresolved identity: the observer may be ahead of what we read.
 */
/**
 * Node and API server clocks may disagree this much (the bound the ingest also
 * allows observations ahead of its own clock): a birth observed right at the
 * pod's start must not count as an earlier pod's.
 */
export const CREATION_SKEW_MS = 5_000;

export type Incarnation =
  | { readonly verdict: 'live' }
  | { readonly verdict: 'earlier'; readonly reason: string }
  | { readonly verdict: 'unknown'; readonly message: string };

export function incarnationOf(pod: Pod, eventPodUid: string | undefined, observedAt: string): Incarnation {
  const name = `${pod.metadata.namespace ?? ''}/${pod.metadata.name}`;
  const uid = pod.metadata.uid;
  const created =
    pod.metadata.creationTimestamp === undefined ? Number.NaN : Date.parse(pod.metadata.creationTimestamp);
  // creationTimestamp has whole seconds, and clocks differ a little: only clearly earlier observations count.
  const before = Number.isFinite(created) && Date.parse(observedAt) < created - CREATION_SKEW_MS;
  if (eventPodUid !== undefined && uid !== undefined && eventPodUid !== uid) {
    if (before)
      return {
        verdict: 'earlier',
        reason: `observed before pod ${name} (UID ${uid}) was created: it is about an earlier pod of that name (UID ${eventPodUid})`,
      };
    return { verdict: 'unknown', message: `Pod ${name} has UID ${uid}, not the event's ${eventPodUid}` };
  }
  if (eventPodUid === undefined && before)
    return {
      verdict: 'earlier',
      reason: `observed before pod ${name} (UID ${uid ?? 'unknown'}) was created: it is about an earlier pod of that name`,
    };
  return { verdict: 'live' };
}
