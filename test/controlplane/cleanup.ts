import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { componentNames, readControlFile } from './control-file.js';
import { isAlive, killGroupNow } from './process-group.js';

export const dataDirPrefix = 'kernel-gossip-cp-';
export const controlFileName = 'control.json';

/** Kills the recorded components and removes the data dir, synchronously. */
export function destroyNow(dataDir: string): void {
  destroy(dataDir, () => true);
}

function destroy(dataDir: string, mayKill: (pid: number) => boolean): void {
  try {
    const { components } = readControlFile(path.join(dataDir, controlFileName));
    for (const name of componentNames) {
      const pid = components[name]?.pid;
      if (pid !== undefined && pid !== null && mayKill(pid)) killGroupNow(pid);
    }
  } catch {
    // No readable control file: nothing was started, or no pids to trust.
  }
  rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
}

const exitSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * The components run in their own process groups, so neither the runner's death nor a
 * Ctrl-C reaches them; without this they would outlive every interrupted run. Returns the
 * function that unregisters. SIGKILL cannot be caught; `sweepStaleDataDirs` covers that.
 */
export function registerExitCleanup(dataDir: string): () => void {
  return onExitOrSignal(() => destroyNow(dataDir));
}

/**
 * Runs `cleanup` (synchronous: an 'exit' handler cannot wait) when the process exits or is
 * told to stop by SIGINT, SIGTERM or SIGHUP. Returns the function that unregisters.
 */
export function onExitOrSignal(cleanup: () => void): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    cleanup();
    unregister();
    // Our listener replaced Node's default of dying on the signal; if nobody else (the
    // test runner, another control plane) handles it, die the default way.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const unregister = (): void => {
    process.off('exit', cleanup);
    for (const signal of exitSignals) process.off(signal, onSignal);
  };
  process.on('exit', cleanup);
  for (const signal of exitSignals) process.on(signal, onSignal);
  return unregister;
}

/**
 * Removes data dirs of earlier runs whose owner died without cleaning up (SIGKILL, OOM,
 * power loss), so interrupted runs do not fill the temp dir. Orphaned components are
 * killed only when their command line names that dir, never on a reused pid.
 */
export function sweepStaleDataDirs(tmpDir = os.tmpdir(), minAgeMs = 60_000): string[] {
  const swept: string[] = [];
  for (const entry of readdirSync(tmpDir)) {
    if (!entry.startsWith(dataDirPrefix)) continue;
    const dataDir = path.join(tmpDir, entry);
    if (isStale(dataDir, minAgeMs)) {
      destroy(dataDir, (pid) => commandLineOf(pid).includes(dataDir));
      swept.push(dataDir);
    }
  }
  return swept;
}

function isStale(dataDir: string, minAgeMs: number): boolean {
  try {
    return !isAlive(readControlFile(path.join(dataDir, controlFileName)).ownerPid);
  } catch {
    // No control file yet: an owner may be between mkdtemp and writing it.
    try {
      return Date.now() - statSync(dataDir).mtimeMs > minAgeMs;
    } catch {
      return false;
    }
  }
}

export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}
