import { KERNEL_WHISPER } from '../../lib/api/group.js';
import type { Config } from '../../lib/config.js';
import { desiredMonitoredPods } from '../../lib/core/sweep-monitored-pods.js';
import {
  planObjects,
  planRollupActions,
  type SweepAction,
  type SweepContext,
  type SweepPolicy,
  sweptKinds,
} from '../../lib/core/sweep-plan.js';
import { indexPods } from '../../lib/core/sweep-pod-gone.js';
import { rollupReplicas } from '../../lib/core/sweep-rollup.js';
import type { Replica } from '../../lib/core/workload-rollup.js';
import { KubeApiError } from '../../lib/errors.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { type Executed, execute } from './execute.js';
import { observe, storedRollups } from './observe.js';
import { type SweepReport, SweepTally } from './tally.js';

/**
 * The sweep shell: read the cluster, let the pure planner decide, perform the
 * writes, and say what happened, one page of objects at a time: a page is
 * planned (with every pod of the scope) and written before the next is read,
 * so a sweep holds its pods and one page, whatever the number of objects,
 * plus each KernelWhisper's replica for the roll-ups (its spec without the
 * history, lib/core/sweep-rollup.ts), planned once every page is done.
 * Listing failing fails the sweep (it would plan from a partial view); a
 * write failing fails only that object.
 */
export type SweepDeps = { readonly api: KubeApi; readonly config: Config; readonly now: () => number };

export type { SweepFailure, SweepReport, SweepSummary } from './tally.js';
export { targetOf } from './tally.js';

/** Told about each page's writes as they happen, for logs and metrics. */
export type SweepRecorder = (executed: readonly Executed[]) => void;

export async function sweep(deps: SweepDeps, record: SweepRecorder = () => {}): Promise<SweepReport> {
  const tally = new SweepTally();
  for (let restarts = 0; ; restarts++) {
    try {
      await sweepPages(deps, record, tally);
      return tally.report();
    } catch (error) {
      if (!listingExpired(error) || restarts >= MAX_RESTARTS) throw error;
      // Pages done so far are converged now and cost no writes the second time round.
      tally.restarted();
    }
  }
}

/**
 * A listing's snapshot lasts until etcd compacts it (5 minutes by default); a
 * sweep writing tens of thousands of statuses outlasts it, and its next page
 * is answered 410. It then starts over with fresh listings, objects first.
 */
const MAX_RESTARTS = 5;

function listingExpired(error: unknown): boolean {
  return error instanceof KubeApiError && error.statusCode === 410;
}

async function sweepPages(deps: SweepDeps, record: SweepRecorder, tally: SweepTally): Promise<void> {
  const { api, config } = deps;
  const policy = sweepPolicy(config);
  const scope = {
    namespaces: config.allowedNamespaces,
    pageSize: config.sweepPageSize,
    monitoredPodsNamespace: config.monitoredPodsNamespace,
  };
  const observed = await observe(api, scope, sweptKinds(policy));
  const nowMs = deps.now();
  const { resolvedAfterMs, targetPercent } = policy;
  const context: SweepContext = { pods: indexPods(observed.pods), nowMs, resolvedAfterMs, targetPercent };
  const run = async (actions: readonly SweepAction[]) => {
    const executed = await execute(api, actions, {
      fieldManagers: config.fieldManagers,
      concurrency: config.sweepConcurrency,
    });
    tally.executed(executed);
    record(executed);
  };
  tally.saw('pods', observed.pods.length);
  const replicas: Replica[] = [];
  for await (const page of observed.pages) {
    const whispers = page.kind.type === KERNEL_WHISPER;
    tally.saw(whispers ? 'kernelWhispers' : 'podBirthCertificates', page.items.length);
    if (whispers) replicas.push(...rollupReplicas(page.items, context.pods, context));
    await run(planObjects(page.items, page.kind, context).actions);
  }
  const target = { namespace: policy.monitoredPodsNamespace, policy: policy.monitor, nowMs };
  const configMap = desiredMonitoredPods(observed.pods, observed.monitoredPods, target);
  if (configMap !== undefined) await run([{ action: 'applyConfigMap', object: configMap }]);
  const rollups = await storedRollups(api, scope);
  tally.saw('workloadWhispers', rollups.length);
  await run(planRollupActions(replicas, rollups));
}

function sweepPolicy(config: Config): SweepPolicy {
  return {
    resolvedAfterMs: config.resolvedAfterMs,
    targetPercent: config.targetPercent,
    retentionMs: config.retentionMs,
    monitor: { mode: config.monitorPolicy, skipNamespaces: config.skipNamespaces },
    monitoredPodsNamespace: config.monitoredPodsNamespace,
  };
}
