import { CONFIG_MAP } from '../../lib/api/group.js';
import type { StatusWrite, SweepAction } from '../../lib/core/sweep-plan.js';
import { asError, KubeApiError } from '../../lib/errors.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import { mapBounded } from '../../lib/map-bounded.js';
import { applyRollup } from './apply-rollup.js';
import { applySpecAndStatus } from './apply-spec.js';

/**
 * Performs planned actions with at most `concurrency` requests in flight. Each
 * action settles on its own: one object failing never stops the others.
 */
export type Executed =
  | { readonly action: SweepAction; readonly result: 'written' | 'absent' }
  | { readonly action: SweepAction; readonly result: 'failed'; readonly error: Error };

export type ExecuteOptions = {
  readonly fieldManagers: { readonly ingest: string; readonly sweep: string; readonly rollup: string };
  readonly concurrency: number;
};

export function execute(api: KubeApi, actions: readonly SweepAction[], options: ExecuteOptions): Promise<Executed[]> {
  return mapBounded(actions, options.concurrency, async (action): Promise<Executed> => {
    try {
      return { action, result: await perform(api, action, options.fieldManagers) };
    } catch (error) {
      if (vanished(action, error)) return { action, result: 'absent' };
      return { action, result: 'failed', error: asError(error) };
    }
  });
}

async function perform(
  api: KubeApi,
  action: SweepAction,
  managers: ExecuteOptions['fieldManagers'],
): Promise<'written' | 'absent'> {
  switch (action.action) {
    case 'applyStatus':
      await writeStatus(api, action, managers);
      return 'written';
    case 'delete':
      return (await api.delete(action.type, action.ref, action.preconditions)) ? 'written' : 'absent';
    case 'applyConfigMap':
      await api.apply(CONFIG_MAP, action.object, { fieldManager: managers.sweep });
      return 'written';
    case 'applySpec':
      await applySpecAndStatus(api, action);
      return 'written';
    case 'applyRollup':
      await applyRollup(api, action, managers.rollup);
      return 'written';
  }
}

/** The ingest part first; the sweep's conditions then carry the resourceVersion that write produced. */
async function writeStatus(api: KubeApi, action: StatusWrite, managers: ExecuteOptions['fieldManagers']) {
  const written =
    action.ingest === undefined
      ? undefined
      : await api.applyStatus(action.type, action.ingest, { fieldManager: managers.ingest });
  if (action.sweep === undefined) return;
  const resourceVersion = written?.metadata.resourceVersion ?? action.sweep.metadata.resourceVersion;
  const sweep: KubeObject = { ...action.sweep, metadata: { ...action.sweep.metadata, resourceVersion } };
  await api.applyStatus(action.type, sweep, { fieldManager: managers.sweep });
}

/** The object was deleted between listing and writing (the status subresource cannot create it): nothing left to do. */
function vanished(action: SweepAction, error: unknown): boolean {
  const update = action.action === 'applyStatus' || action.action === 'applySpec' || action.action === 'applyRollup';
  return update && error instanceof KubeApiError && error.failure === 'not-found';
}
