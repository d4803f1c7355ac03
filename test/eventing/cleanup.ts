import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as v from 'valibot';
import { isAlive, killGroupNow } from '../controlplane/process-group.js';
import { DIR_MARKER } from './processes.js';

/**
 * The one record of which process groups an eventing set runs, in its data dir, so that
 * exit clean-up and the sweep of a killed run's leftovers find them (like the control
 * plane's control file, test/controlplane/control-file.ts).
 */
export const eventingDirPrefix = 'kernel-gossip-eventing-';
const stateFileName = 'eventing.json';

const StateSchema = v.object({
  ownerPid: v.number(),
  pids: v.record(v.string(), v.number()),
});
type State = v.InferOutput<typeof StateSchema>;

function readState(dataDir: string): State {
  return v.parse(StateSchema, JSON.parse(readFileSync(path.join(dataDir, stateFileName), 'utf8')));
}

function writeState(dataDir: string, state: State): void {
  const file = path.join(dataDir, stateFileName);
  writeFileSync(`${file}.tmp`, JSON.stringify(state));
  renameSync(`${file}.tmp`, file);
}

export function createState(dataDir: string): void {
  writeState(dataDir, { ownerPid: process.pid, pids: {} });
}

/** Recorded as soon as a process is spawned, before it is waited for. */
export function recordPid(dataDir: string, name: string, pid: number): void {
  const state = readState(dataDir);
  writeState(dataDir, { ...state, pids: { ...state.pids, [name]: pid } });
}

/** SIGKILLs every recorded group (that `mayKill` allows) and removes the data dir, synchronously. */
export function destroyEventingNow(dataDir: string, mayKill: (pid: number) => boolean = () => true): void {
  try {
    for (const pid of Object.values(readState(dataDir).pids)) if (mayKill(pid)) killGroupNow(pid);
  } catch {
    // No readable state: nothing was started, or no pids to trust.
  }
  rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * Kills what a run that died without cleaning up (SIGKILL, OOM) left running, which would
 * otherwise hold :8080 and :8443 for good. Only processes whose environment names that run's
 * data dir are killed, never a reused pid. Called while holding the machine lock.
 */
export function sweepStaleEventing(tmpDir = os.tmpdir()): string[] {
  const swept: string[] = [];
  for (const entry of readdirSync(tmpDir)) {
    if (!entry.startsWith(eventingDirPrefix)) continue;
    const dataDir = path.join(tmpDir, entry);
    let owner: number | undefined;
    try {
      owner = readState(dataDir).ownerPid;
    } catch {
      owner = undefined;
    }
    if (owner !== undefined && isAlive(owner)) continue;
    destroyEventingNow(dataDir, (pid) => environmentOf(pid).includes(`${DIR_MARKER}=${dataDir}\0`));
    swept.push(dataDir);
  }
  return swept;
}

function environmentOf(pid: number): string {
  try {
    return `${readFileSync(`/proc/${pid}/environ`, 'utf8')}\0`;
  } catch {
    return '';
  }
}
