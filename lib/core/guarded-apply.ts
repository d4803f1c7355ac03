import type { KubeObject } from '../k8s/objects.js';
import { compact } from './json.js';

/**
 * Server-side apply bodies that carry the resourceVersion they were computed
 * from, for every writer (ingest, sweep, and the bench's ceiling, which must
 * send what ingest sends).
 */

/**
 * An update carries the resourceVersion and the uid of the copy it was planned
 * from, so a write planned from a stale copy (cached, or read before another
 * instance wrote) fails with a conflict instead of undoing the other write. The
 * uid matters for a copy of an object deleted since: server-side apply ignores
 * a resourceVersion when the object is missing and creates it, so the stale
 * content (a certificate's reports) would come back; a uid makes it a 409
 * instead (found by the model's soak: deliver, kubectl delete, deliver). A
 * create has nothing to guard on; there the CRDs' transition rules refuse what
 * would lose newer state.
 */
export function guardedBy(desired: KubeObject, current: KubeObject | undefined): KubeObject {
  if (current === undefined) return desired;
  const { resourceVersion, uid } = current.metadata;
  return { ...desired, metadata: { ...desired.metadata, ...compact({ uid, resourceVersion }) } };
}

/** A status apply for a stored object: only identity, the resourceVersion the status was computed from, and the status. */
export function statusApply(stored: KubeObject, status: Record<string, unknown>): KubeObject {
  return {
    apiVersion: stored.apiVersion,
    kind: stored.kind,
    metadata: compact({
      name: stored.metadata.name,
      namespace: stored.metadata.namespace,
      resourceVersion: stored.metadata.resourceVersion,
    }),
    status,
  };
}
