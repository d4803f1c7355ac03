import { CONFIG_MAP, WORKLOAD_WHISPER } from '../../lib/api/group.js';
import { objectName, type SweepAction } from '../../lib/core/sweep-plan.js';
import { KubeApiError } from '../../lib/errors.js';
import { type HttpFailure, httpFailureFor, publicMessage } from '../../lib/http/status.js';
import type { Executed } from './execute.js';

/**
 * What a sweep did, counted page by page as it goes: nothing of a page is kept
 * once it is counted, so a sweep over 50,000 objects holds one page.
 */
export type SweepFailure = { readonly object: string; readonly reason: string; readonly message: string };

export type SweepSummary = {
  readonly seen: {
    readonly kernelWhispers: number;
    readonly podBirthCertificates: number;
    readonly pods: number;
    readonly workloadWhispers: number;
  };
  readonly actions: {
    readonly statusRepaired: number;
    readonly resolved: number;
    readonly markedPodGone: number;
    /** Objects whose spec fails the schema (e.g. the earlier operator's), marked before their deletion. */
    readonly markedInvalid: number;
    readonly deleted: number;
    readonly configMapUpdated: number;
    /** Birth certificates whose pod lifecycle advanced (spec and status, as the ingest applies them). */
    readonly lifecycleRefreshed: number;
    /** WorkloadWhispers created or brought up to date with their replicas. */
    readonly rollupsApplied: number;
    /** WorkloadWhispers whose workload container has no live replica with a KernelWhisper left. */
    readonly rollupsDeleted: number;
  };
  /** Write requests that changed something. */
  readonly writes: number;
  /** Writes refused because a concurrent writer changed the object first; the next sweep converges them. */
  readonly conflicts: number;
  /** The first MAX_LISTED_FAILURES; every one is logged and counted in the metrics. */
  readonly failures: readonly SweepFailure[];
};

export type SweepReport = {
  readonly summary: SweepSummary;
  /** Set when a write failed in a way a prompt retry can fix (API server unavailable or throttling). */
  readonly retry: HttpFailure | undefined;
};

const MAX_LISTED_FAILURES = 100;
type Actions = { -readonly [K in keyof SweepSummary['actions']]: number };

export class SweepTally {
  private readonly seen = { kernelWhispers: 0, podBirthCertificates: 0, pods: 0, workloadWhispers: 0 };
  private readonly actions: Actions = {
    statusRepaired: 0,
    resolved: 0,
    markedPodGone: 0,
    markedInvalid: 0,
    deleted: 0,
    configMapUpdated: 0,
    lifecycleRefreshed: 0,
    rollupsApplied: 0,
    rollupsDeleted: 0,
  };
  private readonly failures: SweepFailure[] = [];
  private writes = 0;
  private conflicts = 0;
  private retry: HttpFailure | undefined;

  saw(what: keyof SweepSummary['seen'], count: number): void {
    this.seen[what] += count;
  }

  /** The sweep starts its listings over: what it sees is counted again, what it did stays counted. */
  restarted(): void {
    this.seen.kernelWhispers = 0;
    this.seen.podBirthCertificates = 0;
    this.seen.pods = 0;
    this.seen.workloadWhispers = 0;
  }

  executed(executed: readonly Executed[]): void {
    for (const done of executed) {
      if (done.result === 'failed') {
        const failure = httpFailureFor(done.error);
        // The summary is also the reply to a person: what the API server said stays in the log (record.ts).
        const message = publicMessage(failure, done.error);
        this.failed({ object: targetOf(done.action), reason: failure.reason, message });
        if (isConflict(done.error)) this.conflicts++;
        else if (failure.retried) this.retry ??= failure;
      } else if (done.result === 'written') {
        this.writes++;
        count(this.actions, done.action);
      }
    }
  }

  report(): SweepReport {
    const summary = {
      seen: { ...this.seen },
      actions: { ...this.actions },
      writes: this.writes,
      conflicts: this.conflicts,
      failures: [...this.failures],
    };
    return { summary, retry: this.retry };
  }

  private failed(failure: SweepFailure): void {
    if (this.failures.length < MAX_LISTED_FAILURES) this.failures.push(failure);
  }
}

function count(actions: Actions, action: SweepAction): void {
  if (action.action === 'delete' && action.type === WORKLOAD_WHISPER) actions.rollupsDeleted++;
  else if (action.action === 'delete') actions.deleted++;
  else if (action.action === 'applyConfigMap') actions.configMapUpdated++;
  else if (action.action === 'applySpec') actions.lifecycleRefreshed++;
  else if (action.action === 'applyRollup') actions.rollupsApplied++;
  else {
    if (action.changes.includes('repaired')) actions.statusRepaired++;
    if (action.changes.includes('resolved')) actions.resolved++;
    if (action.changes.includes('markedPodGone')) actions.markedPodGone++;
    if (action.changes.includes('markedInvalid')) actions.markedInvalid++;
  }
}

/** The object an action writes: `kernelwhispers/<namespace>/<name>`. */
export function targetOf(action: SweepAction): string {
  if (action.action === 'delete' || action.action === 'applyStatus') return objectName(action.type, action.ref);
  if (action.action === 'applyRollup') {
    const { namespace = '', name } = action.desired.metadata;
    return objectName(WORKLOAD_WHISPER, { namespace, name });
  }
  const { metadata } = action.object;
  const type = action.action === 'applyConfigMap' ? CONFIG_MAP : action.type;
  return objectName(type, { namespace: metadata.namespace ?? '', name: metadata.name });
}

/** A concurrent write won (SSA resourceVersion or delete precondition): skipped this round, not retried now. */
function isConflict(error: Error): boolean {
  return error instanceof KubeApiError && error.failure === 'conflict';
}
