import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Starts `command` as the leader of its own process group with output appended to
 * `logFile`. Its own group, so a Ctrl-C meant for the test runner does not reach it and
 * one kill of the group reaches everything it forked; a file and unref(), so neither a
 * pipe nor the handle keeps the parent (a test worker, say) alive.
 */
export function spawnGroup(
  command: string,
  args: readonly string[],
  logFile: string,
  env: NodeJS.ProcessEnv = process.env,
): ChildProcess {
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log], env });
    child.unref();
    return child;
  } finally {
    closeSync(log);
  }
}

/** Whether `pid` runs; a zombie (exited, not yet reaped by its parent) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is gone already, which is what we wanted.
  }
}

/** SIGKILL at once; for 'exit' handlers, which cannot wait. */
export function killGroupNow(pgid: number): void {
  signalGroup(pgid, 'SIGKILL');
}

/** SIGTERM so etcd can close its WAL cleanly, then SIGKILL once `graceMs` has passed. */
export async function stopGroup(pgid: number, graceMs = 5_000): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  if (await waitForExit(pgid, graceMs)) return;
  signalGroup(pgid, 'SIGKILL');
  if (!(await waitForExit(pgid, 5_000))) {
    throw new Error(`Process group ${pgid} survived SIGKILL`);
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}
