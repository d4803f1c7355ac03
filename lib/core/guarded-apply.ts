import type { KubeObject } from '../k8s/objects.js';
import { compact } from './json.js';

/**
 * Server-side apply bodies that carry the resourceVersion they were computed
 * from, for every writer (ingest, sweep, and the bench's ceiling, which must
 * send what ingest sends).
 */

/**
 * An update carries the resourceVersion it was planned from, so a write planned
 * from a stale copy (cached, or read before another instance wrote) fails with a
 * conflict instead of undoing the other write. A create has nothing to guard on;
 * there the CRDs' transition rules refuse what would lose newer state.
 */
export function guardedBy(desired: KubeObject, current: KubeObject | undefined): KubeObject {
  const resourceVersion = current?.metadata.resourceVersion;
  if (resourceVersion === undefined) return desired;
  return { ...desired, metadata: { ...desired.metadata, resourceVersion } };
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
