import { readFileSync } from 'node:fs';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { logTail } from '../controlplane/control-client.js';
import { spawnGroup, stopGroup } from '../controlplane/process-group.js';
import { recordPid } from './cleanup.js';
import type { ProcessSpec } from './processes.js';

export type ProcessFigures = {
  readonly name: string;
  readonly pid: number;
  /** Spawn until its readiness probe answered; undefined for commands without one. */
  readonly readyMs: number | undefined;
  /** Resident memory now, from /proc (the Go binaries run as the group leaders themselves). */
  readonly rssMiB: number;
};

export type RunningProcess = { readonly pid: number; figures(): ProcessFigures };

const READY_TIMEOUT_MS = 60_000;
/** The channel controller ignores SIGTERM for about 15 s; nothing here needs a graceful stop. */
const STOP_GRACE_MS = 3_000;

/** Spawns one command in its own process group; waits for its probe if it has one. */
export async function startProcess(spec: ProcessSpec, dataDir: string): Promise<RunningProcess> {
  const spawnedAt = Date.now();
  const child = spawnGroup(spec.command, spec.args, spec.logFile, spec.env);
  let died: string | undefined;
  child.once('error', (error) => (died = `could not be spawned (${error.message})`));
  child.once(
    'exit',
    (code, signal) => (died = signal === null ? `exited with code ${code}` : `was killed by ${signal}`),
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Could not start ${spec.name}`);
  recordPid(dataDir, spec.name, pid);
  let readyMs: number | undefined;
  if (spec.probe !== undefined) {
    const deadline = spawnedAt + READY_TIMEOUT_MS;
    let last: number | null = null;
    while (last !== spec.probe.status) {
      if (died !== undefined || Date.now() > deadline) {
        const why = died ?? `its probe answered ${String(last)} instead of ${spec.probe.status} for a minute`;
        throw new Error(
          `Knative ${spec.name} ${why}. Last lines of ${spec.logFile}:\n${await logTail(spec.logFile, 20)}`,
        );
      }
      await sleep(50);
      last = await kubeletProbe(spec.probe.port);
    }
    readyMs = Date.now() - spawnedAt;
  }
  return { pid, figures: () => ({ name: spec.name, pid, readyMs, rssMiB: rssMiB(pid) }) };
}

export async function stopProcesses(running: readonly RunningProcess[]): Promise<void> {
  await Promise.all(running.map((process) => stopGroup(process.pid, STOP_GRACE_MS)));
}

/** Knative's servers answer a kubelet's probe (told apart by its User-Agent) on their main port. */
function kubeletProbe(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const request = http.get(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        headers: { 'user-agent': 'kube-probe/1.36' },
        timeout: 2_000,
        agent: false,
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? null);
      },
    );
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(null));
  });
}

function rssMiB(pid: number): number {
  try {
    const kiB = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kiB === undefined ? 0 : Math.round(Number(kiB) / 1024);
  } catch {
    return 0;
  }
}
