import { API_VERSION, LABEL, MANAGED_BY } from '../api/group.js';
import { workloadWhisperName } from '../api/names.js';
import type { WorkloadWhisperSpec, WorkloadWhisperStatus } from '../api/workload-whisper.js';
import type { KubeObject } from '../k8s/objects.js';
import { compact, containsEntries, sameJson } from './json.js';
import { type Replica, type WorkloadFinding, workloadFindings } from './workload-rollup.js';

/**
 * The sweep's roll-up planning: from the KernelWhispers of live pods to the
 * WorkloadWhispers that should exist, compared with those that do. Level-based
 * like the rest of the sweep: a converged cluster plans no write, and a
 * roll-up whose workload container has no live replica left is deleted.
 */
export const WORKLOAD_WHISPER_KIND = 'WorkloadWhisper';

export type WorkloadWhisper = KubeObject<WorkloadWhisperSpec, WorkloadWhisperStatus>;

/** One roll-up to converge: apply its spec when it differs (or it is new), then its status when that differs. */
export type RollupWrite = {
  readonly desired: WorkloadWhisper;
  readonly current: WorkloadWhisper | undefined;
  readonly spec: boolean;
  readonly status: boolean;
};

export type RollupPlan = { readonly writes: readonly RollupWrite[]; readonly deletes: readonly WorkloadWhisper[] };

export function planRollups(
  replicas: readonly Replica[],
  stored: readonly WorkloadWhisper[],
  targetPercent: number,
): RollupPlan {
  const existing = new Map(
    stored.map((object) => [key(object.metadata.namespace ?? '', object.metadata.name), object]),
  );
  const writes: RollupWrite[] = [];
  const wanted = new Set<string>();
  for (const finding of workloadFindings(replicas, targetPercent)) {
    const name = workloadWhisperName(finding.workload.kind, finding.workload.name, finding.container_name);
    const id = key(finding.namespace, name);
    wanted.add(id);
    const current = existing.get(id);
    const desired = rollupObject(finding, name, current?.metadata.generation ?? 1);
    const spec =
      current === undefined ||
      !sameJson(current.spec, desired.spec) ||
      !containsEntries(current.metadata.labels, desired.metadata.labels ?? {});
    const status = !sameJson(current?.status, desired.status);
    if (spec || status) writes.push({ desired, current, spec, status });
  }
  const deletes = stored.filter(
    (object) =>
      object.metadata.deletionTimestamp === undefined &&
      object.metadata.labels?.[LABEL.managedBy] === MANAGED_BY &&
      !wanted.has(key(object.metadata.namespace ?? '', object.metadata.name)),
  );
  return { writes, deletes };
}

function rollupObject(finding: WorkloadFinding, name: string, generation: number): WorkloadWhisper {
  const { namespace, workload, container_name, ...figures } = finding;
  return {
    apiVersion: API_VERSION,
    kind: WORKLOAD_WHISPER_KIND,
    metadata: {
      name,
      namespace,
      labels: { [LABEL.container]: container_name, [LABEL.managedBy]: MANAGED_BY },
    },
    spec: { workload, container_name },
    status: compact({ ...figures, observed_generation: generation }),
  };
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
