import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createNamespace, createPods, podNames } from './cluster.js';
import { type FunctionProcess, spawnFunction, untilReady } from './function-process.js';
import { probe } from './http-client.js';
import type { Bench, Phase } from './phase.js';
import { table } from './report.js';
import { median, round } from './stats.js';
import { buildUnbundled } from './unbundled.js';
import { type BenchEvent, throttleEvent, toHttp } from './workload.js';

/**
 * Scale from zero: `node dist/server.js` spawned → first 200 from
 * /health/readiness (what Knative waits for before routing), and, in separate
 * runs, spawned → first event applied (what a user waits for). Each run is a
 * new process, so nothing is cached: the applied run reads the pod and the
 * object before writing.
 */
export type Timings = {
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly runsMs: readonly number[];
};
export type ColdStartFigures = {
  readonly runs: number;
  readonly readiness: Timings;
  readonly firstApplied: Timings;
  /** The same sources unbundled (one file per module): what bundling saves. */
  readonly readinessUnbundled: Timings;
};

const RUNS = 11;
const POLL_MS = 2;
const TIMEOUT_MS = 15_000;
const NAMESPACE = 'bench-cold';

/**
 * Judged on the first event applied: readiness answers 200 as soon as the
 * server listens, before anything a user waits for has happened.
 */
export const coldStartPhase: Phase = {
  name: 'cold-start',
  async run(bench) {
    const figures = await measureColdStart(bench);
    const { firstApplied, readiness, readinessUnbundled } = figures;
    const timing = (t: Timings) => `median ${t.medianMs} ms (min ${t.minMs}, max ${t.maxMs}; ${figures.runs} runs)`;
    return {
      figures,
      targets: [
        {
          target: 'Cold start to the first event applied (median)',
          goal: '≤ 300 ms',
          value: `${firstApplied.medianMs} ms (readiness answered at ${readiness.medianMs} ms)`,
          pass: firstApplied.medianMs <= 300,
        },
      ],
      report: [
        '## Cold start (a new process each run, as a scale from zero)',
        table(
          ['from spawning `node dist/server.js` to', 'time'],
          [
            ['the first event applied (a pod read, an object read, two writes)', timing(firstApplied)],
            ['the first 200 on /health/readiness', timing(readiness)],
            ['the first 200 on /health/readiness, unbundled build (one file per module)', timing(readinessUnbundled)],
          ],
        ),
      ].join('\n'),
    };
  },
};

async function measureColdStart(bench: Bench): Promise<ColdStartFigures> {
  await createNamespace(bench.cluster.api, NAMESPACE);
  const pods = podNames('cold', RUNS);
  await createPods(bench.cluster.api, NAMESPACE, pods);
  const unbundled = await buildUnbundled();
  try {
    return await measureRuns(bench, pods, unbundled.script);
  } finally {
    unbundled.remove();
  }
}

async function measureRuns(bench: Bench, pods: readonly string[], unbundledScript: string): Promise<ColdStartFigures> {
  const kubeconfigPath = bench.cluster.controlPlane.kubeconfigPath;
  const logFile = path.join(bench.logDir, 'cold-start.log');
  const start = () => spawnFunction({ kind: 'ingest', kubeconfigPath, logFile });
  const startUnbundled = () => spawnFunction({ kind: 'ingest', kubeconfigPath, logFile, script: unbundledScript });
  const ready = (fn: FunctionProcess) => untilReady(fn, { timeoutMs: TIMEOUT_MS, intervalMs: POLL_MS });
  const readiness: number[] = [];
  const readinessUnbundled: number[] = [];
  const firstApplied: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    // Interleaved, so both builds meet the same machine.
    readiness.push(await once(start, ready));
    readinessUnbundled.push(await once(startUnbundled, ready));
    const pod = pods[run] ?? 'missing';
    const event = throttleEvent(NAMESPACE, pod, bench.clock, run, `cold-start-${run}-${Date.now()}`);
    firstApplied.push(await once(start, (fn) => untilApplied(fn, event)));
  }
  return {
    runs: RUNS,
    readiness: timings(readiness),
    firstApplied: timings(firstApplied),
    readinessUnbundled: timings(readinessUnbundled),
  };
}

async function once(
  start: () => Promise<FunctionProcess>,
  measure: (fn: FunctionProcess) => Promise<number>,
): Promise<number> {
  const fn = await start();
  try {
    return await measure(fn);
  } finally {
    await fn.stop();
  }
}

/** Sends the event as soon as the port accepts it; resolves with ms since spawn once it was applied. */
async function untilApplied(fn: FunctionProcess, event: BenchEvent): Promise<number> {
  const deadline = performance.now() + TIMEOUT_MS;
  while (performance.now() < deadline) {
    const answer = await probe(fn.port, 'POST', '/', toHttp(event)).catch(() => undefined);
    if (answer !== undefined) {
      const outcome = answer.headers['kernel-gossip-outcome'];
      if (answer.status === 202 && outcome === 'applied') return performance.now() - fn.spawnedAt;
      throw new Error(
        `cold start: the first event answered ${answer.status} ${String(outcome)}: ${answer.body.slice(0, 200)}`,
      );
    }
    await sleep(POLL_MS);
  }
  throw new Error(`cold start: no event applied within ${TIMEOUT_MS} ms`);
}

function timings(runsMs: readonly number[]): Timings {
  const rounded = runsMs.map((ms) => round(ms, 1));
  return { medianMs: median(rounded), minMs: Math.min(...rounded), maxMs: Math.max(...rounded), runsMs: rounded };
}
