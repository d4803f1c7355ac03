import type { Pod } from '../../lib/core/pod.js';
import { type ApiCost, measureApiCosts } from './api-costs.js';
import { type BurstFigures, measureBursts } from './bursts.js';
import { CeilingWriter } from './ceiling.js';
import { createNamespace, createPods, podNames } from './cluster.js';
import type { FunctionProcess } from './function-process.js';
import { type HalfRateFigures, measureHalfRate } from './half-rate.js';
import { functionClient } from './http-client.js';
import { type IdleCpu, measureIdle } from './idle.js';
import type { IngestContext } from './ingest-context.js';
import { ingestReport } from './ingest-report.js';
import { ingestTargets } from './ingest-targets.js';
import { type ManyObjectsFigures, measureManyObjects } from './many-objects.js';
import { type HeapFigures, heapOf, type MemoryPeaks, memoryMB, sampleMemory } from './memory.js';
import type { Bench, Phase } from './phase.js';
import { round } from './stats.js';
import { LEVELS, type LevelFigures, measureLevel, warmUp } from './throughput.js';
import { compareTwins, type TwinSizes } from './twins.js';

/**
 * The ingest function under load, one long-lived instance as Knative keeps
 * it, against the ceiling (what the API server does for the same writes with
 * no function in between): throughput and CPU at each concurrency, exact
 * redeliveries, bursts for one object, latency at half the ceiling rate, and
 * the first states of 5,000 objects; its memory is sampled throughout. Then
 * what each kind of request costs the API server, to explain the difference.
 */
export type IngestFigures = {
  readonly levels: readonly LevelFigures[];
  /** The ceiling's objects against the function's, to show both write the same. */
  readonly twins: TwinSizes;
  readonly bursts: BurstFigures;
  readonly halfRate: HalfRateFigures;
  readonly firstStates: ManyObjectsFigures;
  readonly memory: MemoryPeaks & { readonly idleMB: number; readonly heapAtEnd: HeapFigures };
  readonly apiCosts: readonly ApiCost[];
  /** The API server at rest, before and after the levels (idle.ts). */
  readonly idle: { readonly before: IdleCpu; readonly after: IdleCpu };
};

const PODS = 256;
const IDLE_S = 10;
const FIRST_STATE_PODS = 2_500;
const INGEST_NAMESPACE = 'bench-ingest';
const CEILING_NAMESPACE = 'bench-ceiling';
const FIRST_STATES_NAMESPACE = 'bench-first-states';

export const ingestPhase: Phase = {
  name: 'ingest',
  async run(bench) {
    const figures = await measureIngest(bench);
    return { figures, targets: ingestTargets(figures), report: ingestReport(figures) };
  },
};

async function measureIngest(bench: Bench): Promise<IngestFigures> {
  const { cluster } = bench;
  const pods = podNames('pod', PODS);
  for (const namespace of [INGEST_NAMESPACE, CEILING_NAMESPACE, FIRST_STATES_NAMESPACE])
    await createNamespace(cluster.api, namespace);
  await createPods(cluster.api, INGEST_NAMESPACE, pods);
  const ceilingPods = await createPods(cluster.api, CEILING_NAMESPACE, pods);
  bench.progress(`creating ${FIRST_STATE_PODS} pods for the first states of 5,000 objects`);
  const firstStatePods = podNames('first', FIRST_STATE_PODS);
  await createPods(cluster.api, FIRST_STATES_NAMESPACE, firstStatePods);
  const ingest = await bench.spawn('ingest', 'ingest');
  const client = functionClient(ingest.port, 64);
  let rounds = 0;
  const context: IngestContext = {
    cluster,
    probes: {
      transport: cluster.transport,
      pids: { ...cluster.pids, function: ingest.pid },
      apiPort: Number(new URL(cluster.controlPlane.server).port),
    },
    client,
    clock: bench.clock,
    pods,
    ingestNamespace: INGEST_NAMESPACE,
    ceilingNamespace: CEILING_NAMESPACE,
    ceiling: new CeilingWriter(cluster.api, byKey(CEILING_NAMESPACE, ceilingPods)),
    nextRounds: (count) => {
      const first = rounds;
      rounds += count;
      return first;
    },
  };
  try {
    return await underLoad(bench, context, ingest, { namespace: FIRST_STATES_NAMESPACE, pods: firstStatePods });
  } finally {
    client.close();
    await ingest.stop();
  }
}

function byKey(namespace: string, pods: ReadonlyMap<string, Pod>): Map<string, Pod> {
  return new Map([...pods].map(([name, pod]) => [`${namespace}/${name}`, pod]));
}

async function underLoad(
  bench: Bench,
  context: IngestContext,
  ingest: FunctionProcess,
  firstStates: { readonly namespace: string; readonly pods: readonly string[] },
): Promise<IngestFigures> {
  const idleMB = round(memoryMB(ingest.pid).rss, 1);
  const memory = sampleMemory(ingest.pid, 100);
  bench.progress('warm-up: creating every object through the ceiling client and through ingest');
  await warmUp(context);
  bench.progress(`the API server at rest for ${IDLE_S} s`);
  const idleBefore = await measureIdle(context.probes.pids, IDLE_S);
  const levels: LevelFigures[] = [];
  for (const concurrency of LEVELS) {
    bench.progress(`concurrency ${concurrency}: ceiling and ingest in turns, then redeliveries`);
    levels.push(await measureLevel(context, concurrency));
  }
  const idleAfter = await measureIdle(context.probes.pids, IDLE_S);
  const twins = await compareTwins(context);
  bench.progress('bursts for one object');
  const bursts = await measureBursts(context);
  const bestCeiling = Math.max(...levels.map((level) => level.ceiling.eventsPerS));
  bench.progress(`latency at half the best ceiling rate (${Math.round(bestCeiling / 2)}/s)`);
  const halfRate = await measureHalfRate(context, bestCeiling);
  bench.progress(`first states of ${firstStates.pods.length * 2} objects`);
  const manyObjects = await measureManyObjects(context, firstStates, ingest.pid);
  const heapAtEnd = await heapOf(context.client);
  const peaks = memory.stop();
  bench.progress('what each kind of request costs the API server');
  const apiCosts = await measureApiCosts(context);
  return {
    levels,
    twins,
    bursts,
    halfRate,
    firstStates: manyObjects,
    memory: { idleMB, ...peaks, heapAtEnd },
    apiCosts,
    idle: { before: idleBefore, after: idleAfter },
  };
}
