import type { Config } from '../../lib/config.js';
import { incarnationOf } from '../../lib/core/incarnation.js';
import { identityOf } from '../../lib/core/kernel-identity.js';
import { type MonitorPolicy, monitorDecision, namespaceSkipped } from '../../lib/core/monitor-policy.js';
import type { Observation, PodRef } from '../../lib/core/observation.js';
import { hasContainer } from '../../lib/core/pod.js';
import { podLifecycle } from '../../lib/core/pod-lifecycle.js';
import { containerResources, workloadOf } from '../../lib/core/pod-resources.js';
import {
  ContainerNotInPodError,
  IncarnationChangedError,
  InvalidInputError,
  NamespaceNotAllowedError,
} from '../../lib/errors.js';
import type { Candidate } from './candidates.js';
import { type KernelIdentityResolver, type Located, locatePod } from './locate.js';
import type { PodEventRecorder } from './pod-events.js';
import type { PodDirectory } from './pods.js';
import type { ObjectWriter, WriteResult } from './writer.js';

/**
 * The ingest shell for one validated event: find the pod, apply the monitoring
 * policy, and hand the observation to the writer.
 */
export type IngestResult = WriteResult | 'skipped';
export type IngestOutcome = {
  readonly result: IngestResult;
  readonly reason: string;
  readonly object?: { readonly kind: string; readonly namespace: string; readonly name: string };
};

export type IngestDeps = {
  readonly config: Config;
  readonly pods: PodDirectory;
  readonly writer: ObjectWriter;
  readonly resolver: KernelIdentityResolver;
  readonly podEvents: PodEventRecorder;
};

export async function ingest(deps: IngestDeps, candidate: Candidate): Promise<IngestOutcome> {
  const policy: MonitorPolicy = { mode: deps.config.monitorPolicy, skipNamespaces: deps.config.skipNamespaces };
  const named = candidate.data.namespace;
  if (named !== undefined) {
    assertAllowed(deps.config, named);
    if (namespaceSkipped(named, policy)) return skipped(`namespace ${named} is a system namespace`);
  }
  try {
    return await attempt(deps, candidate, policy, false);
  } catch (error) {
    // The stored object belongs to another incarnation than the cached pod: decide again on the live pod.
    if (error instanceof IncarnationChangedError) return attempt(deps, candidate, policy, true);
    throw error;
  }
}

async function attempt(deps: IngestDeps, candidate: Candidate, policy: MonitorPolicy, fresh: boolean) {
  const located = await locatePod(candidate, deps.pods, deps.resolver, fresh);
  assertAllowed(deps.config, located.namespace);
  const gate = gateOn(deps, located, candidate, policy);
  if (gate !== undefined) return skipped(gate);
  const outcome = await deps.writer.write(observationOf(candidate, located));
  // Only a state change is news for the pod; a redelivery or a stale event is not.
  if (outcome.result === 'applied' && outcome.object !== undefined && located.pod !== undefined)
    await deps.podEvents.record(outcome.object);
  const object = { kind: outcome.key.type.kind, namespace: outcome.key.namespace, name: outcome.key.name };
  return { result: outcome.result, reason: reasonFor(outcome.result), object };
}

function assertAllowed(config: Config, namespace: string): void {
  if (config.allowedNamespaces.size > 0 && !config.allowedNamespaces.has(namespace)) {
    throw new NamespaceNotAllowedError(`Namespace ${namespace} is not in ALLOWED_NAMESPACES`);
  }
}

/**
 * Why an event is skipped, or undefined to go ahead; throws for an event that
 * must be retried or can never apply. Without the pod a throttle report has
 * nothing to recommend on and is skipped; a birth report is kept under policy
 * `all` (a short-lived pod may be gone before its report arrives), but skipped
 * under `annotated`, where the opt-in cannot be checked.
 */
function gateOn(deps: IngestDeps, located: Located, candidate: Candidate, policy: MonitorPolicy): string | undefined {
  const { pod } = located;
  if (pod === undefined) {
    if (candidate.kind === 'pod_creation' && policy.mode === 'all') return undefined;
    return `pod ${located.namespace}/${located.podName} not found`;
  }
  // The UID may come as pod_uid (any spelling) or inside a cgroup path.
  const incarnation = incarnationOf(pod, identityOf(candidate.data).podUid, candidate.observedAt);
  if (incarnation.verdict === 'earlier') return incarnation.reason;
  if (incarnation.verdict === 'unknown') throw deps.resolver.unresolved(candidate, incarnation.message);
  const decision = monitorDecision(pod, policy);
  if (!decision.monitor) return decision.reason;
  const container = located.containerName;
  if (container !== undefined && !hasContainer(pod, container))
    throw new ContainerNotInPodError(
      `Pod ${located.namespace}/${located.podName} (UID ${pod.metadata.uid ?? 'unknown'}) has no container ${container}, and the containers of a pod never change`,
    );
  return undefined;
}

function observationOf(candidate: Candidate, located: Located): Observation {
  const pod: PodRef = {
    namespace: located.namespace,
    pod_name: located.podName,
    pod_uid: located.pod?.metadata.uid ?? identityOf(candidate.data).podUid,
    node_name: located.pod?.spec?.nodeName ?? candidate.data.node_name,
  };
  const base = { pod, observedAt: candidate.observedAt, source: candidate.source, freshPod: located.fresh };
  if (candidate.kind === 'pod_creation') {
    const lifecycle = located.pod === undefined ? {} : { lifecycle: podLifecycle(located.pod) };
    return { ...base, kind: 'pod_creation', data: candidate.data, container_name: located.containerName, ...lifecycle };
  }
  if (located.containerName === undefined) {
    throw new InvalidInputError(
      'The throttled container is unknown: set container_name, or a container_id found in the pod status',
      ['container_name: missing'],
    );
  }
  const resources =
    located.pod === undefined
      ? {}
      : {
          container_resources: containerResources(located.pod, located.containerName),
          workload: workloadOf(located.pod),
        };
  return { ...base, kind: 'cpu_throttle', data: candidate.data, container_name: located.containerName, ...resources };
}

function skipped(reason: string): IngestOutcome {
  return { result: 'skipped', reason };
}

function reasonFor(result: WriteResult): string {
  if (result === 'applied') return 'applied';
  if (result === 'unchanged') return 'already up to date (redelivery)';
  return 'older than the observation already stored';
}
