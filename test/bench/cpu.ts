import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU time per process (ms, user + system), read from /proc: on a machine
 * where the API server, etcd, the function and the load generator share a
 * few cores, what each one burns per event explains the throughput figures.
 */
export type CpuPids = Readonly<Record<string, number>>;
export type CpuTimes = Readonly<Record<string, number>>;

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  // USER_HZ: 100 on practically every Linux, but asked rather than assumed.
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces: state is [0], utime [11], stime [12].
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
}

export function cpuTimes(pids: CpuPids): CpuTimes {
  const own = process.cpuUsage();
  const times: Record<string, number> = { bench: (own.user + own.system) / 1000 };
  for (const [name, pid] of Object.entries(pids)) {
    try {
      times[name] = processCpuMs(pid);
    } catch {
      // A process that is gone (a function between runs) has nothing to add.
    }
  }
  return times;
}

export function cpuBetween(before: CpuTimes, after: CpuTimes): CpuTimes {
  return Object.fromEntries(Object.entries(after).map(([name, ms]) => [name, ms - (before[name] ?? ms)]));
}

/**
 * The whole machine's CPU from /proc/stat, in ticks: on a shared VM, time
 * stolen by other guests (and busy time of processes outside the bench) is
 * what makes two runs differ, so the report states it.
 */
export type MachineCpu = { readonly total: number; readonly idle: number; readonly steal: number };

export function machineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal guest guest_nice
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return { total: ticks.reduce((sum, t) => sum + t, 0), idle: (ticks[3] ?? 0) + (ticks[4] ?? 0), steal: ticks[7] ?? 0 };
}

/** Shares (%) of the machine's CPU time between two readings. */
export function machineShares(before: MachineCpu, after: MachineCpu): { busyPercent: number; stealPercent: number } {
  const total = after.total - before.total;
  if (total <= 0) return { busyPercent: Number.NaN, stealPercent: Number.NaN };
  const pct = (value: number) => Math.round((value / total) * 1000) / 10;
  return {
    busyPercent: pct(total - (after.idle - before.idle) - (after.steal - before.steal)),
    stealPercent: pct(after.steal - before.steal),
  };
}
