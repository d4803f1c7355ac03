import path from 'node:path';
import { measureBursts } from './bursts.js';
import { CeilingWriter } from './ceiling.js';
import { type BenchCluster, createNamespace, createPods, podNames } from './cluster.js';
import { measureColdStart } from './cold-start.js';
import type { BenchContext } from './context.js';
import { type FunctionProcess, spawnFunction, untilReady } from './function-process.js';
import { measureHalfRate } from './half-rate.js';
import { functionClient } from './http-client.js';
import { measureManyObjects } from './many-objects.js';
import { heapOf, memoryMB, sampleMemory } from './memory.js';
import { measureRefused } from './refused.js';
import { round } from './stats.js';
import { measureSweep, prepareSweep, type SweepFigures, type SweepSetup } from './sweep.js';
import type { Figures } from './targets.js';
import { LEVELS, type LevelFigures, measureLevel, warmUp } from './throughput.js';
import { compareTwins } from './twins.js';
import { ObservationClock } from './workload.js';

/**
 * The phases in the order they run: fixtures first (so no phase pays for
 * them), then everything that needs the one long-lived ingest instance (its
 * memory is sampled throughout), the sweep while ingest idles, and the cold
 * starts last, with fresh processes.
 */
const PODS = 256;
const INGEST_NAMESPACE = 'bench-ingest';
const CEILING_NAMESPACE = 'bench-ceiling';

export const progress = (message: string): void => void process.stderr.write(`bench: ${message}\n`);

export async function runPhases(cluster: BenchCluster, logDir: string): Promise<Figures> {
  const pods = podNames('pod', PODS);
  await createNamespace(cluster.api, INGEST_NAMESPACE);
  await createNamespace(cluster.api, CEILING_NAMESPACE);
  await createPods(cluster.api, INGEST_NAMESPACE, pods);
  const clock = new ObservationClock();
  progress('creating 2,500 pods and 5,000 resources for the sweep');
  const sweepSetup = await prepareSweep(cluster, clock);
  const ingest = await spawnFunction({
    kind: 'ingest',
    kubeconfigPath: cluster.controlPlane.kubeconfigPath,
    logFile: path.join(logDir, 'ingest.log'),
  });
  const client = functionClient(ingest.port, 64);
  let rounds = 0;
  const context: BenchContext = {
    cluster,
    probes: { transport: cluster.transport, pids: { ...cluster.pids, function: ingest.pid } },
    client,
    clock,
    pods,
    ingestNamespace: INGEST_NAMESPACE,
    ceilingNamespace: CEILING_NAMESPACE,
    ceiling: new CeilingWriter(cluster.api),
    nextRounds: (count) => {
      const first = rounds;
      rounds += count;
      return first;
    },
  };
  let loaded: Omit<Figures, 'coldStart' | 'refused'>;
  try {
    loaded = await withIngest(context, ingest, sweepSetup, logDir);
  } finally {
    client.close();
    await ingest.stop();
  }
  progress('10,000 refused senders');
  const refused = await measureRefused(cluster, INGEST_NAMESPACE, path.join(logDir, 'refused.log'));
  progress('cold starts');
  return { ...loaded, refused, coldStart: await measureColdStart(context, path.join(logDir, 'cold-start.log')) };
}

async function withIngest(
  context: BenchContext,
  ingest: FunctionProcess,
  sweepSetup: SweepSetup,
  logDir: string,
): Promise<Omit<Figures, 'coldStart' | 'refused'>> {
  await untilReady(ingest, { timeoutMs: 15_000, intervalMs: 20 });
  const idleMB = round(memoryMB(ingest.pid).rss, 1);
  const memory = sampleMemory(ingest.pid, 100);
  progress('warm-up: creating every object through the ceiling client and through ingest');
  await warmUp(context);
  const levels: LevelFigures[] = [];
  for (const concurrency of LEVELS) {
    progress(`concurrency ${concurrency}: ceiling and ingest in turns, then redeliveries`);
    levels.push(await measureLevel(context, concurrency));
  }
  const twins = await compareTwins(context);
  progress('bursts for one object');
  const bursts = await measureBursts(context);
  const bestCeiling = Math.max(...levels.map((level) => level.ceiling.eventsPerS));
  progress(`latency at half the ceiling rate (${Math.round(bestCeiling / 2)}/s)`);
  const halfRate = await measureHalfRate(context, bestCeiling);
  progress('sweeps over 5,000 resources');
  const sweep = await sweepOrError(context.cluster, sweepSetup, path.join(logDir, 'sweep.log'));
  progress('ingest over 5,000 distinct objects');
  const manyObjects = await measureManyObjects(context, sweepSetup, ingest.pid);
  const heapAtEnd = await heapOf(context.client);
  return { levels, twins, bursts, halfRate, manyObjects, ...sweep, memory: { idleMB, ...memory.stop(), heapAtEnd } };
}

/** A sweep that cannot be measured (say, mid-rewrite) fails its target but does not lose the rest of the run. */
async function sweepOrError(
  cluster: BenchCluster,
  setup: SweepSetup,
  logFile: string,
): Promise<{ sweep: SweepFigures | undefined; sweepError?: string }> {
  try {
    return { sweep: await measureSweep(cluster, setup, logFile) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    progress(`the sweep could not be measured: ${message}`);
    return { sweep: undefined, sweepError: message };
  }
}
