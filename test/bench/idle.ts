import { setTimeout as sleep } from 'node:timers/promises';
import { type CpuPids, cpuBetween, cpuTimes } from './cpu.js';
import type { PhaseFigures } from './measure.js';
import { round } from './stats.js';

/**
 * What the API server burns with nothing to do (timers, leases, the watch
 * cache), in ms of CPU per second. A phase's API-server CPU per event includes
 * this share of its duration, so the slower of two sides looks dearer per event
 * by idle rate ÷ events per second; net of it, what remains is what the events
 * cost.
 */
export type IdleCpu = { readonly apiserverMsPerS: number; readonly etcdMsPerS: number };

export async function measureIdle(pids: CpuPids, seconds: number): Promise<IdleCpu> {
  const before = cpuTimes(pids);
  await sleep(seconds * 1000);
  const cpu = cpuBetween(before, cpuTimes(pids));
  return {
    apiserverMsPerS: round((cpu.apiserver ?? Number.NaN) / seconds, 2),
    etcdMsPerS: round((cpu.etcd ?? Number.NaN) / seconds, 2),
  };
}

/** API-server ms per event, less its idle share of the phase's time. */
export function netApiServerMs(figures: PhaseFigures, idle: IdleCpu): number {
  return round((figures.cpuMsPerEvent.apiserver ?? Number.NaN) - idle.apiserverMsPerS / figures.eventsPerS, 3);
}
