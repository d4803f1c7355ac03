import { WORKLOAD_WHISPER } from '../../lib/api/group.js';
import type { SweepAction } from '../../lib/core/sweep-plan.js';
import { KubeApiError } from '../../lib/errors.js';
import { httpFailureFor } from '../../lib/http/status.js';
import type { Logger } from '../../lib/log.js';
import type { Executed } from './execute.js';
import { type SweepRecorder, type SweepReport, targetOf } from './handle.js';
import type { SweepMetrics } from './metrics.js';

/** Metrics of a whole sweep, once it ended. */
export function recordSweep(deps: { readonly metrics: SweepMetrics }, report: SweepReport, seconds: number): void {
  const { metrics } = deps;
  const { summary } = report;
  metrics.sweeps.inc({ outcome: summary.failures.length === 0 ? 'converged' : 'partial' });
  metrics.duration.observe(seconds);
  metrics.objectsSeen.inc({ resource: 'kernelwhispers' }, summary.seen.kernelWhispers);
  metrics.objectsSeen.inc({ resource: 'podbirthcertificates' }, summary.seen.podBirthCertificates);
  metrics.objectsSeen.inc({ resource: 'pods' }, summary.seen.pods);
  metrics.objectsSeen.inc({ resource: 'workloadwhispers' }, summary.seen.workloadWhispers);
}

/** Metrics and one log line per object a sweep changed or failed on, page by page as it goes. */
export function pageRecorder(deps: { readonly log: Logger; readonly metrics: SweepMetrics }): SweepRecorder {
  return (executed) => {
    for (const done of executed) recordExecuted(deps, done);
  };
}

export function recordSweepFailed(deps: { readonly metrics: SweepMetrics }, seconds: number): void {
  deps.metrics.sweeps.inc({ outcome: 'failed' });
  deps.metrics.duration.observe(seconds);
}

function recordExecuted(deps: { readonly log: Logger; readonly metrics: SweepMetrics }, done: Executed): void {
  const object = targetOf(done.action);
  const resource = resourceOf(object);
  if (done.result === 'absent') {
    deps.log.debug({ object }, `${object} was already gone`);
    return;
  }
  if (done.result === 'failed') {
    deps.metrics.failures.inc({ resource, reason: httpFailureFor(done.error).reason });
    // A conflict is another writer winning a race; the next sweep plans from its result.
    const conflict = done.error instanceof KubeApiError && done.error.failure === 'conflict';
    deps.log[conflict ? 'info' : 'warn'](
      { object, err: conflict ? undefined : done.error },
      `Could not update ${object}: ${done.error.message}`,
    );
    return;
  }
  if (done.action.action === 'delete') deps.metrics.objectsDeleted.inc({ resource });
  else for (const change of changesOf(done.action)) deps.metrics.objectsChanged.inc({ resource, change });
  deps.log.info({ object, changes: changesOf(done.action) }, messageFor(done.action, object));
}

function changesOf(action: SweepAction): readonly string[] {
  if (action.action === 'applyStatus') return action.changes;
  if (action.action === 'applySpec') return ['lifecycleRefreshed'];
  if (action.action === 'applyRollup') return [action.current === undefined ? 'created' : 'updated'];
  return action.action === 'delete' ? ['deleted'] : ['updated'];
}

function messageFor(action: SweepAction, object: string): string {
  if (action.action === 'delete' && action.type === WORKLOAD_WHISPER)
    return `Deleted ${object}: no live replica of its workload container has a KernelWhisper`;
  if (action.action === 'delete') return `Deleted ${object}: its pod was gone for the whole retention window`;
  if (action.action === 'applyRollup')
    return `Applied the roll-up ${object} (${action.current === undefined ? 'created' : 'updated'})`;
  if (action.action === 'applyConfigMap') return `Updated the monitored pods in ${object}`;
  if (action.action === 'applySpec') return `Applied the pod lifecycle to ${object}`;
  if (action.changes.includes('markedInvalid'))
    return `Marked ${object} Invalid: its spec does not match the schema (the earlier operator's, or written by hand); deleted after the retention window`;
  return `Applied status of ${object} (${action.changes.join(', ')})`;
}

/** `kernelwhispers/ns/name` → `kernelwhispers`. */
function resourceOf(object: string): string {
  return object.split('/')[0] ?? object;
}
