import { objectKeyOf, planSpec } from '../../lib/core/ingest-plan.js';
import { isRecord } from '../../lib/core/json.js';
import { mapBounded } from '../../lib/map-bounded.js';
import { type ApiTally, counted } from './api-counts.js';
import { type BenchCluster, createNamespace, createPods, podNames } from './cluster.js';
import { spawnFunction, untilReady } from './function-process.js';
import { functionClient } from './http-client.js';
import { observationOf } from './observations.js';
import { median, round } from './stats.js';
import { birthEvent, type ObservationClock, throttleEvent } from './workload.js';

/**
 * The sweep over 5,000 resources (a KernelWhisper and a PodBirthCertificate for
 * each of 2,500 opted-in pods), created straight through the API with their
 * spec only, as if every status write of the ingest path had failed. The first
 * sweep repairs them all; the next ones find a converged cluster and must write
 * nothing. The sweep is scoped to the bench's namespace (ALLOWED_NAMESPACES),
 * so the ingest phases' objects do not count.
 */
export type SweepRun = {
  readonly durationMs: number;
  readonly status: number;
  readonly summaryWrites: number | undefined;
  readonly seen: number | undefined;
  readonly api: ApiTally;
};
/** The sweep's namespace, made before the load phases (the many-objects phase reuses its pods). */
export type SweepSetup = {
  readonly namespace: string;
  readonly pods: readonly string[];
  readonly resources: number;
  readonly setupS: number;
};

export type SweepFigures = {
  readonly resources: number;
  readonly pods: number;
  readonly setupS: number;
  readonly repair: SweepRun;
  readonly converged: readonly SweepRun[];
  readonly convergedMedianMs: number;
  /** The most writes any converged sweep issued, by the API server's count. */
  readonly convergedMaxWrites: number;
};

const NAMESPACE = 'bench-sweep';
const PODS = 2_500;
const CONVERGED_RUNS = 3;
const SWEEP_TIMEOUT_MS = 90_000;

export async function prepareSweep(cluster: BenchCluster, clock: ObservationClock): Promise<SweepSetup> {
  const started = performance.now();
  const pods = podNames('sweep', PODS);
  const resources = await createResources(cluster, clock, pods);
  return { namespace: NAMESPACE, pods, resources, setupS: round((performance.now() - started) / 1000, 1) };
}

export async function measureSweep(cluster: BenchCluster, setup: SweepSetup, logFile: string): Promise<SweepFigures> {
  const { resources, setupS } = setup;
  const env = { ALLOWED_NAMESPACES: NAMESPACE, MONITORED_PODS_NAMESPACE: NAMESPACE };
  const fn = await spawnFunction({ kind: 'sweep', kubeconfigPath: cluster.controlPlane.kubeconfigPath, logFile, env });
  const client = functionClient(fn.port, 1, SWEEP_TIMEOUT_MS);
  try {
    await untilReady(fn, { timeoutMs: 15_000, intervalMs: 20 });
    const sweepOnce = async (): Promise<SweepRun> => {
      const begun = performance.now();
      const { result, api } = await counted(cluster.transport, () => client.post('/', { headers: {}, body: '' }));
      return { durationMs: round(performance.now() - begun, 1), status: result.status, ...summaryOf(result.body), api };
    };
    const repair = await sweepOnce();
    const converged: SweepRun[] = [];
    for (let run = 0; run < CONVERGED_RUNS; run++) converged.push(await sweepOnce());
    const convergedMaxWrites = Math.max(...converged.map((run) => run.api.writes));
    return {
      resources,
      pods: PODS,
      setupS,
      repair,
      converged,
      convergedMedianMs: median(converged.map((run) => run.durationMs)),
      convergedMaxWrites,
    };
  } finally {
    client.close();
    await fn.stop();
  }
}

/** Pods, then each pod's two objects with the spec the ingest function would apply; answers how many objects. */
async function createResources(
  cluster: BenchCluster,
  clock: ObservationClock,
  names: readonly string[],
): Promise<number> {
  await createNamespace(cluster.api, NAMESPACE);
  const pods = await createPods(cluster.api, NAMESPACE, names);
  const events = names.flatMap((pod, i) => [
    throttleEvent(NAMESPACE, pod, clock, i, `sweep-t-${i}`),
    birthEvent(NAMESPACE, pod, clock, i, `sweep-b-${i}`),
  ]);
  await mapBounded(events, 16, async (event) => {
    const pod = pods.get(event.pod);
    const observation = observationOf(event, pod?.metadata.uid ?? '', pod);
    const plan = planSpec(undefined, [observation]);
    if (plan.action === 'stale' || plan.action === 'otherIncarnation') throw new Error('a new object cannot be stale');
    await cluster.api.apply(objectKeyOf(observation).type, plan.desired, { fieldManager: 'kernel-gossip-ingest' });
  });
  return events.length;
}

/** The sweep's JSON summary: its own count of writes and of objects seen, wherever it nests them. */
function summaryOf(body: string): { summaryWrites: number | undefined; seen: number | undefined } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { summaryWrites: undefined, seen: undefined };
  }
  const summary = isRecord(parsed) && isRecord(parsed.summary) ? parsed.summary : parsed;
  if (!isRecord(summary)) return { summaryWrites: undefined, seen: undefined };
  const writes = summary.writes;
  const seen = summary.seen;
  const seenTotal = isRecord(seen)
    ? Number(seen.kernelWhispers ?? 0) + Number(seen.podBirthCertificates ?? 0)
    : undefined;
  return { summaryWrites: typeof writes === 'number' ? writes : undefined, seen: seenTotal };
}
