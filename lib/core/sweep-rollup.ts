import * as v from 'valibot';
import { API_VERSION, LABEL, MANAGED_BY, WORKLOAD_WHISPER } from '../api/group.js';
import { type KernelWhisperSpec, KernelWhisperSpecSchema } from '../api/kernel-whisper.js';
import { workloadWhisperName } from '../api/names.js';
import type { WorkloadWhisperSpec, WorkloadWhisperStatus } from '../api/workload-whisper.js';
import type { KubeObject } from '../k8s/objects.js';
import { desiredStatus } from './ingest-plan.js';
import { compact, containsEntries, sameJson } from './json.js';
import type { WhisperClock } from './kernel-whisper.js';
import { workloadOf } from './pod-resources.js';
import { type PodIndex, podGoneReason, podKey } from './sweep-pod-gone.js';
import {
  type Replica,
  type ReplicaAdvice,
  type ReplicaSpec,
  type WorkloadFinding,
  workloadFindings,
} from './workload-rollup.js';

/**
 * The sweep's roll-up planning: from the KernelWhispers of live pods to the
 * WorkloadWhispers that should exist, compared with those that do. Level-based
 * like the rest of the sweep: a converged cluster plans no write, and a
 * roll-up whose workload container has no live replica left is deleted.
 */
export type WorkloadWhisper = KubeObject<WorkloadWhisperSpec, WorkloadWhisperStatus>;

/** One roll-up to converge: apply its spec when it differs (or it is new), then its status when that differs. */
export type RollupApply = {
  readonly action: 'applyRollup';
  readonly desired: WorkloadWhisper;
  readonly current: WorkloadWhisper | undefined;
  readonly spec: boolean;
  readonly status: boolean;
};

export type RollupPlan = { readonly writes: readonly RollupApply[]; readonly deletes: readonly WorkloadWhisper[] };

/** Pods in these phases run nothing any more: nothing of theirs to roll up. */
const FINISHED = new Set(['Succeeded', 'Failed']);

/**
 * The replicas to roll up: each valid KernelWhisper whose pod (same UID) is
 * listed and running, with the workload that pod's owner references name now
 * (`workloadOf`: a ReplicaSet's Deployment from the pod-template-hash
 * convention, no ReplicaSet read) and the advice its own status gives, as the
 * sweep computes that status for it in the same pass.
 */
export function rollupReplicas(kernelWhispers: readonly KubeObject[], pods: PodIndex, clock: WhisperClock): Replica[] {
  const replicas: Replica[] = [];
  for (const stored of kernelWhispers) {
    if (stored.metadata.deletionTimestamp !== undefined) continue;
    const parsed = v.safeParse(KernelWhisperSpecSchema, stored.spec);
    if (!parsed.success || podGoneReason(parsed.output, pods) !== undefined) continue;
    const pod = pods.get(podKey(parsed.output.namespace, parsed.output.pod_name));
    if (pod === undefined || FINISHED.has(pod.status?.phase ?? '')) continue;
    const spec = { ...parsed.output, workload: workloadOf(pod) };
    const advice = adviceOf(desiredStatus({ ...stored, spec }, clock));
    replicas.push({ spec: replicaSpec(spec), advice });
  }
  return replicas;
}

/**
 * The history sizes the advice and nothing after it, and it is most of the
 * spec (2.8 KB as JSON at 24 entries, up to 8 KiB at 32); the paged sweep holds
 * every replica until its last page, so a replica keeps only what the roll-up
 * reads: 50,000 replicas took 22 MB of heap (node --expose-gc, the test
 * fixtures' observation, without container resources or advice: ~0.2 KB more
 * as JSON when present), the whole KernelWhispers 285 MB more.
 */
function replicaSpec(spec: KernelWhisperSpec): ReplicaSpec {
  const { pod_name, namespace, container_name, detected_at, container_resources, workload, kernel_truth } = spec;
  return {
    pod_name,
    namespace,
    container_name,
    detected_at,
    ...(container_resources === undefined ? {} : { container_resources }),
    ...(workload === undefined ? {} : { workload }),
    kernel_truth: { throttled_percent: kernel_truth.throttled_percent },
  };
}

function adviceOf(status: Record<string, unknown>): ReplicaAdvice {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return compact({
    recommended_cpu_limit: text(status.recommended_cpu_limit),
    recommended_cpu_request: text(status.recommended_cpu_request),
    recommended_command: text(status.recommended_command),
  });
}

export function planRollups(replicas: readonly Replica[], stored: readonly WorkloadWhisper[]): RollupPlan {
  const existing = new Map(
    stored.map((object) => [key(object.metadata.namespace ?? '', object.metadata.name), object]),
  );
  const writes: RollupApply[] = [];
  const wanted = new Set<string>();
  for (const finding of workloadFindings(replicas)) {
    const name = workloadWhisperName(finding.workload.kind, finding.workload.name, finding.container_name);
    const id = key(finding.namespace, name);
    wanted.add(id);
    const current = existing.get(id);
    // Being deleted: the next sweep creates it anew once it is gone.
    if (current?.metadata.deletionTimestamp !== undefined) continue;
    const desired = rollupObject(finding, name, current?.metadata.generation ?? 1);
    const spec =
      current === undefined ||
      !sameJson(current.spec, desired.spec) ||
      !containsEntries(current.metadata.labels, desired.metadata.labels ?? {});
    const status = !sameJson(current?.status, desired.status);
    if (spec || status) writes.push({ action: 'applyRollup', desired, current, spec, status });
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
    kind: WORKLOAD_WHISPER.kind,
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
