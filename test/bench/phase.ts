import path from 'node:path';
import type { BenchCluster } from './cluster.js';
import { type FunctionKind, type FunctionProcess, spawnFunction, untilReady } from './function-process.js';
import type { ObservationClock } from './workload.js';

/**
 * One phase of `npm run bench`: it sets up what it needs on the shared
 * cluster (its own namespaces, pods and function processes), measures, and
 * answers its figures, its targets and a section of the report. Phases run one
 * after another, never at once, so the API server's counters and every
 * process's CPU between two readings belong to the phase that read them.
 *
 * To add one: a file exporting a Phase, one line in phases.ts, one row in
 * README.md's phase table.
 */
export type Phase = {
  /** Its name in BENCH_PHASES (`BENCH_PHASES=big-births npm run bench`) and in results/latest.json. */
  readonly name: string;
  run(bench: Bench): Promise<PhaseOutcome>;
};

export type PhaseOutcome = {
  /** Every figure, as JSON, for results/latest.json. */
  readonly figures: unknown;
  readonly targets: readonly Target[];
  /** Markdown: one `##` section (tables, notes). */
  readonly report: string;
  /** Files written beside results/latest.md, e.g. a plot the report links to. */
  readonly files?: readonly { readonly name: string; readonly content: string }[];
};

/**
 * A goal and what this run measured. `unresolved`: the run's own noise is
 * larger than the margin asked about, so a pass is not claimed; a figure
 * beyond its goal still fails.
 */
export type Target = {
  readonly target: string;
  readonly goal: string;
  readonly value: string;
  readonly pass: boolean;
  readonly unresolved?: boolean;
};

/** What every phase gets from the run. */
export type Bench = {
  readonly cluster: BenchCluster;
  /** Observation times that only move forward, shared so no phase sends an older state than another stored. */
  readonly clock: ObservationClock;
  /** Where the functions' logs go (a temp dir named on stderr). */
  readonly logDir: string;
  progress(message: string): void;
  /** A function as production starts it, logging to `<logDir>/<logName>.log`; stopped by the caller. */
  spawn(kind: FunctionKind, logName: string, env?: Record<string, string>): Promise<FunctionProcess>;
};

export function benchFor(cluster: BenchCluster, clock: ObservationClock, logDir: string): Bench {
  const progress = (message: string): void => void process.stderr.write(`bench: ${message}\n`);
  return {
    cluster,
    clock,
    logDir,
    progress,
    async spawn(kind, logName, env = {}) {
      const fn = await spawnFunction({
        kind,
        kubeconfigPath: cluster.controlPlane.kubeconfigPath,
        logFile: path.join(logDir, `${logName}.log`),
        env,
      });
      try {
        await untilReady(fn, { timeoutMs: 15_000, intervalMs: 20 });
      } catch (error) {
        await fn.stop();
        throw error;
      }
      return fn;
    },
  };
}
