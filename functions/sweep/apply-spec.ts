import { statusApply } from '../../lib/core/guarded-apply.js';
import { desiredStatus, statusMatches } from '../../lib/core/ingest-plan.js';
import type { LifecycleRefresh } from '../../lib/core/sweep-birth-lifecycle.js';
import { FIELD_MANAGER } from '../../lib/field-managers.js';
import type { KubeApi } from '../../lib/k8s/api.js';

/**
 * A spec the sweep refreshed, applied as the ingest applies one: the spec under
 * the ingest's field manager (guarded by the planned resourceVersion, so a
 * concurrent ingest write wins with a 409), then the status the ingest computes
 * for the stored spec, whose generation is known only now.
 */
export async function applySpecAndStatus(api: KubeApi, action: LifecycleRefresh): Promise<void> {
  const options = { fieldManager: FIELD_MANAGER.ingest };
  const stored = await api.apply(action.type, action.object, options);
  const status = desiredStatus(stored, action.clock);
  if (!statusMatches(stored.status, status)) await api.applyStatus(action.type, statusApply(stored, status), options);
}
