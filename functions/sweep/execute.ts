import { CONFIG_MAP } from '../../lib/api/group.js';
import type { SweepAction } from '../../lib/core/sweep-plan.js';
import { asError, KubeApiError } from '../../lib/errors.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { mapBounded } from '../../lib/map-bounded.js';
import { applySpecAndStatus } from './apply-spec.js';

/**
 * Performs planned actions with at most `concurrency` requests in flight. Each
 * action settles on its own: one object failing never stops the others.
 */
export type Executed =
  | { readonly action: SweepAction; readonly result: 'written' | 'absent' }
  | { readonly action: SweepAction; readonly result: 'failed'; readonly error: Error };

export type ExecuteOptions = { readonly fieldManager: string; readonly concurrency: number };

export function execute(api: KubeApi, actions: readonly SweepAction[], options: ExecuteOptions): Promise<Executed[]> {
  return mapBounded(actions, options.concurrency, async (action): Promise<Executed> => {
    try {
      return { action, result: await perform(api, action, options.fieldManager) };
    } catch (error) {
      if (vanished(action, error)) return { action, result: 'absent' };
      return { action, result: 'failed', error: asError(error) };
    }
  });
}

async function perform(api: KubeApi, action: SweepAction, fieldManager: string): Promise<'written' | 'absent'> {
  switch (action.action) {
    case 'applyStatus':
      await api.applyStatus(action.type, action.object, { fieldManager });
      return 'written';
    case 'delete':
      return (await api.delete(action.type, action.ref, action.preconditions)) ? 'written' : 'absent';
    case 'applyConfigMap':
      await api.apply(CONFIG_MAP, action.object, { fieldManager });
      return 'written';
    case 'applySpec':
      await applySpecAndStatus(api, action);
      return 'written';
  }
}

/** The object was deleted between listing and writing (the status subresource cannot create it): nothing left to do. */
function vanished(action: SweepAction, error: unknown): boolean {
  const update = action.action === 'applyStatus' || action.action === 'applySpec';
  return update && error instanceof KubeApiError && error.failure === 'not-found';
}
