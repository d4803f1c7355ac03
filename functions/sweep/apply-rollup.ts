import { WORKLOAD_WHISPER } from '../../lib/api/group.js';
import { guardedBy, statusApply } from '../../lib/core/guarded-apply.js';
import { sameJson } from '../../lib/core/json.js';
import type { RollupApply } from '../../lib/core/sweep-rollup.js';
import type { KubeApi } from '../../lib/k8s/api.js';

/**
 * A roll-up the sweep planned, applied under the roll-up's own field manager:
 * the spec (and labels) when new or changed, guarded by the uid and
 * resourceVersion it was planned from, then the status with the generation
 * that write produced. The manager owns the whole object, so it always sends
 * all of it and SSA drops a figure the roll-up no longer computes.
 */
export async function applyRollup(api: KubeApi, action: RollupApply, fieldManager: string): Promise<void> {
  const options = { fieldManager };
  const { status: desiredStatus, ...object } = action.desired;
  const stored = action.spec
    ? await api.apply(WORKLOAD_WHISPER, guardedBy(object, action.current), options)
    : action.current;
  if (stored === undefined) return;
  const status = { ...desiredStatus, observed_generation: stored.metadata.generation ?? 1 };
  if (action.status || !sameJson(stored.status, status))
    await api.applyStatus(WORKLOAD_WHISPER, statusApply(stored, status), options);
}
