import { CONFIG_MAP, MONITOR_ANNOTATION, POD, WORKLOAD_WHISPER } from '../../lib/api/group.js';
import { type Pod, sweepPod } from '../../lib/core/pod.js';
import { type ConfigMap, MONITORED_PODS_CONFIG_MAP } from '../../lib/core/sweep-monitored-pods.js';
import type { SweptKind } from '../../lib/core/sweep-plan.js';
import type { WorkloadWhisper } from '../../lib/core/sweep-rollup.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { listAll, listPages } from '../../lib/k8s/list-all.js';
import type { KubeObject } from '../../lib/k8s/objects.js';

/**
 * Reads what the sweep plans from, without holding the cluster: the objects
 * of both kinds a page at a time (`limit` + `continue`), and every pod in
 * scope trimmed to what the planner reads (`sweepPod`, ~0.3 KB each), plus the
 * monitored-pods ConfigMap. With ALLOWED_NAMESPACES only those namespaces are
 * read, the same boundary the ingest function keeps.
 *
 * The objects are listed first (issue 12): each object listing's first request
 * fixes the snapshot its later pages come from, and only then are the pods
 * listed. So every object the sweep sees was created before the pod listing
 * began, and its pod, unless deleted since, is in it; listed the other way
 * round, the object of a pod created in between would look orphaned.
 *
 * The stored WorkloadWhispers are listed after every page (`storedRollups`):
 * there is one per workload container, few beside the objects, and the
 * roll-ups are planned from all the pages at once.
 *
 * A continue token lasts until etcd compacts its snapshot (5 minutes by
 * default); a sweep that takes longer gets a 410 and starts over (handle.ts).
 */
export type ObserveScope = {
  /** Empty means the whole cluster. */
  readonly namespaces: ReadonlySet<string>;
  readonly pageSize: number;
  readonly monitoredPodsNamespace: string;
};

export type ObjectPage = { readonly kind: SweptKind; readonly items: readonly KubeObject[] };

export type Observed = {
  /** The objects, page by page, from snapshots taken before the pods were listed. */
  readonly pages: AsyncGenerator<ObjectPage>;
  readonly pods: readonly Pod[];
  readonly monitoredPods: ConfigMap | undefined;
};

type Listing = {
  readonly kind: SweptKind;
  readonly first: readonly KubeObject[];
  readonly rest: AsyncGenerator<KubeObject[]>;
};

export async function observe(api: KubeApi, scope: ObserveScope, kinds: readonly SweptKind[]): Promise<Observed> {
  const listings: Listing[] = [];
  for (const kind of kinds)
    for (const namespace of namespacesOf(scope)) listings.push(await openListing(api, kind, namespace, scope.pageSize));
  const pods: Pod[] = [];
  for (const namespace of namespacesOf(scope))
    pods.push(...(await listAll<Pod>(api, POD, inNamespace(namespace), scope.pageSize, trimmed)));
  const monitoredPods = await api.get<ConfigMap>(CONFIG_MAP, {
    namespace: scope.monitoredPodsNamespace,
    name: MONITORED_PODS_CONFIG_MAP,
  });
  return { pages: pagesOf(listings), pods, monitoredPods };
}

/** The roll-ups as stored in the scope, page by page (`limit` + `continue`). */
export async function storedRollups(api: KubeApi, scope: ObserveScope): Promise<WorkloadWhisper[]> {
  const stored: WorkloadWhisper[] = [];
  for (const namespace of namespacesOf(scope))
    stored.push(...(await listAll<WorkloadWhisper>(api, WORKLOAD_WHISPER, inNamespace(namespace), scope.pageSize)));
  return stored;
}

/**
 * Starts a listing with a one-object page: enough to fix its snapshot, while
 * a scope of many namespaces holds one object of each until its turn comes.
 */
async function openListing(
  api: KubeApi,
  kind: SweptKind,
  namespace: string | undefined,
  pageSize: number,
): Promise<Listing> {
  const rest = listPages<KubeObject>(api, kind.type, inNamespace(namespace), pageSize, 1);
  const first = await rest.next();
  return { kind, first: first.done === true ? [] : first.value, rest };
}

/** Every page of every listing, one listing after another. */
async function* pagesOf(listings: readonly Listing[]): AsyncGenerator<ObjectPage> {
  for (const { kind, first, rest } of listings) {
    if (first.length > 0) yield { kind, items: first };
    for await (const items of rest) yield { kind, items };
  }
}

function trimmed(pod: Pod): Pod {
  return sweepPod(pod, MONITOR_ANNOTATION);
}

function namespacesOf(scope: ObserveScope): (string | undefined)[] {
  return scope.namespaces.size === 0 ? [undefined] : [...scope.namespaces].sort();
}

function inNamespace(namespace: string | undefined): { namespace?: string } {
  return namespace === undefined ? {} : { namespace };
}
