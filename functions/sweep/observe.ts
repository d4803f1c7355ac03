import {
  CONFIG_MAP,
  KERNEL_WHISPER,
  MONITOR_ANNOTATION,
  POD,
  POD_BIRTH_CERTIFICATE,
  type ResourceType,
  WORKLOAD_WHISPER,
} from '../../lib/api/group.js';
import { type Pod, slimPod } from '../../lib/core/pod.js';
import { type ConfigMap, MONITORED_PODS_CONFIG_MAP } from '../../lib/core/sweep-monitored-pods.js';
import type { SweepObserved } from '../../lib/core/sweep-plan.js';
import type { WorkloadWhisper } from '../../lib/core/sweep-rollup.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { listAll } from '../../lib/k8s/list-all.js';
import type { KubeObject } from '../../lib/k8s/objects.js';

/**
 * Reads what the sweep plans from: our three kinds and pods page by page
 * (`limit` + `continue`, so a large cluster never arrives in one response), plus
 * the monitored-pods ConfigMap. With an ALLOWED_NAMESPACES list only those
 * namespaces are read, the same boundary the ingest function keeps.
 */
export type ObserveScope = {
  /** Empty means the whole cluster. */
  readonly namespaces: ReadonlySet<string>;
  readonly pageSize: number;
  readonly monitoredPodsNamespace: string;
};

export async function observe(api: KubeApi, scope: ObserveScope): Promise<SweepObserved> {
  const [kernelWhispers, podBirthCertificates, pods, monitoredPods, workloadWhispers] = await Promise.all([
    listScope(api, KERNEL_WHISPER, scope),
    listScope(api, POD_BIRTH_CERTIFICATE, scope),
    listScope<Pod>(api, POD, scope, (pod) => slimPod(pod, MONITOR_ANNOTATION)),
    api.get<ConfigMap>(CONFIG_MAP, { namespace: scope.monitoredPodsNamespace, name: MONITORED_PODS_CONFIG_MAP }),
    listScope<WorkloadWhisper>(api, WORKLOAD_WHISPER, scope),
  ]);
  return { kernelWhispers, podBirthCertificates, pods, monitoredPods, workloadWhispers };
}

/** One list per namespace of the scope, or one for the whole cluster. */
async function listScope<T extends KubeObject>(
  api: KubeApi,
  type: ResourceType,
  scope: ObserveScope,
  keep?: (item: T) => T,
): Promise<T[]> {
  const namespaces = scope.namespaces.size === 0 ? [undefined] : [...scope.namespaces].sort();
  const pages = await Promise.all(
    namespaces.map((namespace) =>
      listAll<T>(api, type, namespace === undefined ? {} : { namespace }, scope.pageSize, keep),
    ),
  );
  return pages.flat();
}
