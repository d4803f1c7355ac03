import { isRecord } from '../../lib/core/json.js';
import { type ApiTally, counted } from './api-counts.js';
import { cpuBetween, cpuTimes } from './cpu.js';
import { functionClient } from './http-client.js';
import { sampleMemory } from './memory.js';
import type { Bench } from './phase.js';
import { SCALE_NAMESPACE } from './scale-cluster.js';
import { median, round } from './stats.js';

/**
 * The sweep function over the scale phase's objects (ALLOWED_NAMESPACES keeps
 * the other phases' objects out): a fresh process per size, as a PingSource
 * wakes it from zero; the first sweep repairs the statuses of the objects
 * created since the last size, the next ones find a converged cluster.
 */
export type SweepRun = {
  readonly durationMs: number;
  readonly status: number;
  readonly summaryWrites: number | undefined;
  readonly seen: number | undefined;
  readonly api: ApiTally;
  readonly sweepCpuMs: number;
  readonly peakRssMB: number;
};

export type SweepAtSize = {
  readonly objects: number;
  readonly repair: SweepRun;
  readonly converged: readonly SweepRun[];
  readonly convergedMedianMs: number;
  /** The most writes any converged sweep issued, by the API server's count. */
  readonly convergedMaxWrites: number;
  /** VmHWM of the sweep process over all its runs. */
  readonly hwmMB: number;
};

const CONVERGED_RUNS = 5;
/** A repair of tens of thousands of statuses takes minutes on 2 cores. */
const SWEEP_TIMEOUT_MS = 30 * 60_000;

export async function measureSweepAt(bench: Bench, objects: number): Promise<SweepAtSize> {
  // A phase of tens of minutes would otherwise see throttling "stop" (RESOLVED_AFTER_SECONDS, 10 minutes)
  // on the objects of the first size: the passing of time is a change, and a converged sweep means none.
  const env = {
    ALLOWED_NAMESPACES: SCALE_NAMESPACE,
    MONITORED_PODS_NAMESPACE: SCALE_NAMESPACE,
    RESOLVED_AFTER_SECONDS: String(24 * 3600),
  };
  const fn = await bench.spawn('sweep', `sweep-${objects}`, env);
  const client = functionClient(fn.port, 1, SWEEP_TIMEOUT_MS);
  const whole = sampleMemory(fn.pid, 100);
  try {
    const sweepOnce = async (): Promise<SweepRun> => {
      const memory = sampleMemory(fn.pid, 50);
      const cpuBefore = cpuTimes({ sweep: fn.pid });
      const begun = performance.now();
      const { result, api } = await counted(bench.cluster.transport, () => client.post('/', { headers: {}, body: '' }));
      const durationMs = round(performance.now() - begun, 1);
      if (result.status !== 200) throw new Error(`the sweep answered ${result.status}: ${result.body.slice(0, 300)}`);
      const sweepCpuMs = round(cpuBetween(cpuBefore, cpuTimes({ sweep: fn.pid })).sweep ?? Number.NaN, 1);
      const peakRssMB = memory.stop().peakRssMB;
      return { durationMs, status: result.status, ...summaryOf(result.body), api, sweepCpuMs, peakRssMB };
    };
    bench.progress(`sweep over ${objects} objects: the first repairs the new ones`);
    const repair = await sweepOnce();
    const converged: SweepRun[] = [];
    for (let run = 0; run < CONVERGED_RUNS; run++) converged.push(await sweepOnce());
    return {
      objects,
      repair,
      converged,
      convergedMedianMs: median(converged.map((run) => run.durationMs)),
      convergedMaxWrites: Math.max(...converged.map((run) => run.api.writes)),
      hwmMB: whole.stop().hwmMB,
    };
  } finally {
    client.close();
    await fn.stop();
  }
}

/** The sweep's JSON summary: its own count of writes and of objects seen. */
function summaryOf(body: string): { summaryWrites: number | undefined; seen: number | undefined } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { summaryWrites: undefined, seen: undefined };
  }
  if (!isRecord(parsed)) return { summaryWrites: undefined, seen: undefined };
  const { writes, seen } = parsed;
  const seenTotal = isRecord(seen)
    ? Number(seen.kernelWhispers ?? 0) + Number(seen.podBirthCertificates ?? 0)
    : undefined;
  return { summaryWrites: typeof writes === 'number' ? writes : undefined, seen: seenTotal };
}
