import { KERNEL_WHISPER } from '../../lib/api/group.js';
import type { Config } from '../../lib/config.js';
import { desiredMonitoredPods } from '../../lib/core/sweep-monitored-pods.js';
import { planObjects, type SweepContext, type SweepPolicy, sweptKinds } from '../../lib/core/sweep-plan.js';
import { indexPods } from '../../lib/core/sweep-pod-gone.js';
import { KubeApiError } from '../../lib/errors.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { type Executed, execute } from './execute.js';
import { observe } from './observe.js';
import { type SweepReport, SweepTally } from './tally.js';

/**
 * The sweep shell: read the cluster, let the pure planner decide, perform the
 * writes, and say what happened, one page of objects at a time: a page is
 * planned (with every pod of the scope) and written before the next is read,
 * so a sweep holds its pods and one page, whatever the number of objects.
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
  const context: SweepContext = { pods: indexPods(observed.pods), nowMs, resolvedAfterMs: policy.resolvedAfterMs };
  const options = { fieldManagers: config.fieldManagers, concurrency: config.sweepConcurrency };
  tally.saw('pods', observed.pods.length);
  for await (const page of observed.pages) {
    tally.saw(page.kind.type === KERNEL_WHISPER ? 'kernelWhispers' : 'podBirthCertificates', page.items.length);
    const plan = planObjects(page.items, page.kind, context);
    const executed = await execute(api, plan.actions, options);
    tally.executed(executed);
    record(executed);
  }
  const target = { namespace: policy.monitoredPodsNamespace, policy: policy.monitor, nowMs };
  const configMap = desiredMonitoredPods(observed.pods, observed.monitoredPods, target);
  if (configMap !== undefined) {
    const executed = await execute(api, [{ action: 'applyConfigMap', object: configMap }], options);
    tally.executed(executed);
    record(executed);
  }
}

function sweepPolicy(config: Config): SweepPolicy {
  return {
    resolvedAfterMs: config.resolvedAfterMs,
    retentionMs: config.retentionMs,
    monitor: { mode: config.monitorPolicy, skipNamespaces: config.skipNamespaces },
    monitoredPodsNamespace: config.monitoredPodsNamespace,
  };
}
