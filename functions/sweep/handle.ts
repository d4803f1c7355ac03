import { CONFIG_MAP } from '../../lib/api/group.js';
import type { Config } from '../../lib/config.js';
import {
  objectName,
  planSweep,
  type SweepAction,
  type SweepObserved,
  type SweepPlan,
  type SweepPolicy,
} from '../../lib/core/sweep-plan.js';
import { KubeApiError } from '../../lib/errors.js';
import { type HttpFailure, httpFailureFor } from '../../lib/http/status.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { type Executed, execute } from './execute.js';
import { observe } from './observe.js';

/**
 * The sweep shell: read the cluster, let the pure planner decide, perform the
 * writes, and say what happened. Listing failing fails the sweep (it would plan
 * from a partial view); a write failing fails only that object.
 */
export type SweepDeps = { readonly api: KubeApi; readonly config: Config; readonly now: () => number };

export type SweepFailure = { readonly object: string; readonly reason: string; readonly message: string };

export type SweepSummary = {
  readonly seen: { readonly kernelWhispers: number; readonly podBirthCertificates: number; readonly pods: number };
  readonly actions: {
    readonly statusRepaired: number;
    readonly resolved: number;
    readonly markedPodGone: number;
    readonly deleted: number;
    readonly configMapUpdated: number;
    /** Birth certificates whose pod lifecycle advanced (spec and status, as the ingest applies them). */
    readonly lifecycleRefreshed: number;
  };
  /** Write requests that changed something. */
  readonly writes: number;
  /** Writes refused because a concurrent writer changed the object first; the next sweep converges them. */
  readonly conflicts: number;
  readonly failures: readonly SweepFailure[];
};

export type SweepReport = {
  readonly summary: SweepSummary;
  readonly executed: readonly Executed[];
  /** Set when a write failed in a way a prompt retry can fix (API server unavailable or throttling). */
  readonly retry: HttpFailure | undefined;
};

export async function sweep(deps: SweepDeps): Promise<SweepReport> {
  const { api, config } = deps;
  const observed = await observe(api, {
    namespaces: config.allowedNamespaces,
    pageSize: config.sweepPageSize,
    monitoredPodsNamespace: config.monitoredPodsNamespace,
  });
  const plan = planSweep(observed, deps.now(), sweepPolicy(config));
  const executed = await execute(api, plan.actions, {
    fieldManager: config.fieldManager,
    concurrency: config.sweepConcurrency,
  });
  return report(observed, plan, executed);
}

function sweepPolicy(config: Config): SweepPolicy {
  return {
    resolvedAfterMs: config.resolvedAfterMs,
    retentionMs: config.retentionMs,
    monitor: { mode: config.monitorPolicy, skipNamespaces: config.skipNamespaces },
    monitoredPodsNamespace: config.monitoredPodsNamespace,
  };
}

function report(observed: SweepObserved, plan: SweepPlan, executed: readonly Executed[]): SweepReport {
  const actions = {
    statusRepaired: 0,
    resolved: 0,
    markedPodGone: 0,
    deleted: 0,
    configMapUpdated: 0,
    lifecycleRefreshed: 0,
  };
  const failures: SweepFailure[] = [...plan.problems];
  let writes = 0;
  let conflicts = 0;
  let retry: HttpFailure | undefined;
  for (const done of executed) {
    if (done.result === 'failed') {
      const failure = httpFailureFor(done.error);
      failures.push({ object: targetOf(done.action), reason: failure.reason, message: done.error.message });
      if (isConflict(done.error)) conflicts++;
      else if (failure.retried) retry ??= failure;
      continue;
    }
    if (done.result === 'written') {
      writes++;
      count(actions, done.action);
    }
  }
  const seen = {
    kernelWhispers: observed.kernelWhispers.length,
    podBirthCertificates: observed.podBirthCertificates.length,
    pods: observed.pods.length,
  };
  return { summary: { seen, actions, writes, conflicts, failures }, executed, retry };
}

function count(actions: { -readonly [K in keyof SweepSummary['actions']]: number }, action: SweepAction): void {
  if (action.action === 'delete') actions.deleted++;
  else if (action.action === 'applyConfigMap') actions.configMapUpdated++;
  else if (action.action === 'applySpec') actions.lifecycleRefreshed++;
  else {
    if (action.changes.includes('repaired')) actions.statusRepaired++;
    if (action.changes.includes('resolved')) actions.resolved++;
    if (action.changes.includes('markedPodGone')) actions.markedPodGone++;
  }
}

/** The object an action writes, named like the planner names problems. */
export function targetOf(action: SweepAction): string {
  if (action.action === 'delete') return objectName(action.type, action.ref);
  const { metadata } = action.object;
  const type = action.action === 'applyConfigMap' ? CONFIG_MAP : action.type;
  return objectName(type, { namespace: metadata.namespace ?? '', name: metadata.name });
}

/** A concurrent write won (SSA resourceVersion or delete precondition): skipped this round, not retried now. */
function isConflict(error: Error): boolean {
  return error instanceof KubeApiError && error.failure === 'conflict';
}
