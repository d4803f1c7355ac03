import { CONFIG_MAP, KERNEL_WHISPER, POD, POD_BIRTH_CERTIFICATE, type ResourceType } from '../../lib/api/group.js';
import type { Pod } from '../../lib/core/pod.js';
import { MONITORED_PODS_CONFIG_MAP, type ConfigMap } from '../../lib/core/sweep-monitored-pods.js';
import type { SweepObserved } from '../../lib/core/sweep-plan.js';
import type { KubeApi, ListOptions } from '../../lib/k8s/api.js';
import type { KubeObject } from '../../lib/k8s/objects.js';

/**
 * Reads what the sweep plans from: both kinds and pods page by page (`limit` +
 * `continue`, so a large cluster never arrives in one response), plus the
 * monitored-pods ConfigMap. With an ALLOWED_NAMESPACES list only those
 * namespaces are read, the same boundary the ingest function keeps.
 */
export type ObserveScope = {
  /** Empty means the whole cluster. */
  readonly namespaces: ReadonlySet<string>;
  readonly pageSize: number;
  readonly monitoredPodsNamespace: string;
};

export async function observe(api: KubeApi, scope: ObserveScope): Promise<SweepObserved> {
  const [kernelWhispers, podBirthCertificates, pods, monitoredPods] = await Promise.all([
    listAll(api, KERNEL_WHISPER, scope),
    listAll(api, POD_BIRTH_CERTIFICATE, scope),
    listAll<Pod>(api, POD, scope),
    api.get<ConfigMap>(CONFIG_MAP, { namespace: scope.monitoredPodsNamespace, name: MONITORED_PODS_CONFIG_MAP }),
  ]);
  return { kernelWhispers, podBirthCertificates, pods, monitoredPods };
}

export async function listAll<T extends KubeObject>(api: KubeApi, type: ResourceType, scope: ObserveScope): Promise<T[]> {
  const namespaces = scope.namespaces.size === 0 ? [undefined] : [...scope.namespaces].sort();
  const items: T[] = [];
  for (const namespace of namespaces) {
    let token: string | undefined;
    do {
      const options: ListOptions = { limit: scope.pageSize, ...(namespace === undefined ? {} : { namespace }), ...(token === undefined ? {} : { continue: token }) };
      const page = await api.list<T>(type, options);
      // Items of a list response may omit kind and apiVersion (built-in kinds do); the planner relies on them.
      for (const item of page.items) items.push({ ...item, apiVersion: apiVersionOf(type), kind: type.kind });
      token = page.continue;
    } while (token !== undefined);
  }
  return items;
}

function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}
