import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeServiceAccountKeys } from './certs.js';
import { serviceAccountKeyArgs, serviceAccountKeysOf, withServiceAccountKeys } from './components.js';
import {
  type ComponentName,
  type ComponentSpec,
  readControlFile,
  updateComponentArgs,
  updateComponentPid,
} from './control-file.js';
import { isAlive, killGroupNow, spawnGroup, stopGroup } from './process-group.js';
import { waitUntilReady } from './readiness.js';

/** Stops and starts components of a running control plane; usable from any process. */
export interface ControlPlaneControl {
  stopApiServer(): Promise<void>;
  startApiServer(): Promise<void>;
  restartApiServer(): Promise<void>;
  stopEtcd(): Promise<void>;
  startEtcd(): Promise<void>;
  restartEtcd(): Promise<void>;
  /**
   * Restarts the apiserver signing ServiceAccount tokens with a new key. With
   * `keepOldKeys` the earlier keys still verify (and stay in the published key set), as
   * in a staged rotation; without, tokens they signed are no longer valid.
   */
  rotateServiceAccountKey(options?: { keepOldKeys?: boolean }): Promise<void>;
}

export interface ControlOptions {
  /** How long a (re)started component may take to answer its readiness probe. */
  readonly startTimeoutMs?: number;
}

const defaultStartTimeoutMs = 60_000;

/**
 * For fault tests in a worker: `controlPlaneControl(inject('controlPlaneControl'))`.
 * Components come back with the recorded command line, hence on the same ports and data dir.
 */
export function controlPlaneControl(controlFile: string, options: ControlOptions = {}): ControlPlaneControl {
  const timeoutMs = options.startTimeoutMs ?? defaultStartTimeoutMs;
  const start = (name: ComponentName) => () => startComponent(controlFile, name, timeoutMs);
  const stop = (name: ComponentName) => () => stopComponent(controlFile, name);
  const restart = (name: ComponentName) => async () => {
    await stopComponent(controlFile, name);
    await startComponent(controlFile, name, timeoutMs);
  };
  return {
    stopApiServer: stop('apiserver'),
    startApiServer: start('apiserver'),
    restartApiServer: restart('apiserver'),
    stopEtcd: stop('etcd'),
    startEtcd: start('etcd'),
    restartEtcd: restart('etcd'),
    rotateServiceAccountKey: async (options = {}) => {
      await stopComponent(controlFile, 'apiserver');
      updateComponentArgs(controlFile, 'apiserver', await rotatedKeyArgs(controlFile, options.keepOldKeys === true));
      await startComponent(controlFile, 'apiserver', timeoutMs);
    },
  };
}

/** The apiserver's arguments with a new signing key written next to the current one. */
async function rotatedKeyArgs(controlFile: string, keepOldKeys: boolean): Promise<string[]> {
  const { args } = specOf(controlFile, 'apiserver');
  const current = serviceAccountKeysOf(args);
  if (current.signing === undefined) throw new Error('the apiserver signs no ServiceAccount tokens');
  const stem = path.join(path.dirname(current.signing), `sa-${Date.now()}`);
  await writeServiceAccountKeys(`${stem}.pub`, `${stem}.key`);
  const verifying = keepOldKeys ? [...current.verifying, `${stem}.pub`] : [`${stem}.pub`];
  return withServiceAccountKeys(args, serviceAccountKeyArgs(verifying, `${stem}.key`));
}

function specOf(controlFile: string, name: ComponentName): ComponentSpec {
  const control = readControlFile(controlFile);
  if (control.external) {
    throw new Error(`Stopping or starting ${name} is not supported on an external cluster`);
  }
  const spec = control.components[name];
  if (spec === undefined) throw new Error(`${controlFile} records no ${name}`);
  return spec;
}

/** Idempotent: starting a running component does nothing. */
export async function startComponent(controlFile: string, name: ComponentName, timeoutMs: number): Promise<void> {
  const spec = specOf(controlFile, name);
  if (spec.pid !== null && isAlive(spec.pid)) return;
  const child = spawnGroup(spec.command, spec.args, spec.logFile);
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`could not be spawned (${error.message})`));
    child.once('exit', (code, signal) =>
      resolve(signal === null ? `exited with code ${String(code)}` : `was killed by ${signal}`),
    );
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Could not start ${name}: ${await exited}`);
  // Recorded before waiting, so exit clean-up finds the process even if we never return.
  // No file to record it in means the owner has torn the control plane down meanwhile
  // (a worker outliving an interrupted run): the new process must not outlive it.
  try {
    updateComponentPid(controlFile, name, pid);
  } catch (error) {
    killGroupNow(pid);
    throw error;
  }
  try {
    await waitUntilReady(spec.ready, exited, timeoutMs);
  } catch (cause) {
    await stopGroup(pid, spec.stopGraceMs);
    updateComponentPid(controlFile, name, null);
    const reason = cause instanceof Error ? cause.message : String(cause);
    const tail = await logTail(spec.logFile, 30);
    const message = `Could not start ${name}: ${reason}. Last lines of ${spec.logFile}:\n${tail}`;
    throw new Error(message, { cause });
  }
}

/** Idempotent: stopping a stopped component does nothing. */
export async function stopComponent(controlFile: string, name: ComponentName): Promise<void> {
  const spec = specOf(controlFile, name);
  if (spec.pid === null) return;
  await stopGroup(spec.pid, spec.stopGraceMs);
  updateComponentPid(controlFile, name, null);
}

export async function logTail(file: string, lines: number): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
