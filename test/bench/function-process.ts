import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from '../controlplane/binaries.js';
import { probe } from './http-client.js';

/**
 * A function as production runs it: `node dist/server.js`, configured by
 * environment only. Its log goes to a file (pino writes synchronously, so a
 * pipe the bench is slow to drain would throttle the function under test).
 */
export type FunctionKind = 'ingest' | 'sweep';

export type FunctionProcess = {
  readonly pid: number;
  readonly port: number;
  readonly spawnedAt: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
};

export const SERVER_JS = path.join(repoRoot, 'dist', 'server.js');

/** What `npm start` runs: node with the function's own heap flags (scripts/start.sh). */
export const START_SH = path.join(repoRoot, 'scripts', 'start.sh');

export async function spawnFunction(options: {
  kind: FunctionKind;
  kubeconfigPath: string;
  logFile: string;
  env?: Record<string, string>;
  script?: string;
  /** The node binary; default: the one running this. */
  node?: string;
}): Promise<FunctionProcess> {
  const port = await freePort();
  const log = openSync(options.logFile, 'a');
  const env = {
    // start.sh runs `node` from PATH: the one asked for, or the one running this, comes first.
    PATH: `${path.dirname(options.node ?? process.execPath)}:${process.env.PATH ?? ''}`,
    KUBECONFIG: options.kubeconfigPath,
    PORT: String(port),
    KERNEL_GOSSIP_FUNCTION: options.kind,
    // The load phases send no sender tokens; the refused phase (refused.ts) runs with them required.
    AUTH_REQUIRED: 'false',
    ...functionNodeOptions(),
    ...options.env,
  };
  const spawnedAt = performance.now();
  const script = options.script ?? SERVER_JS;
  // `exec` in start.sh makes node take the shell's pid, so `pid` is the server's.
  const child = spawn('sh', [START_SH, script], { env, stdio: ['ignore', log, log] });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${script}`);
  stopWithUs(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killed = sleep(5_000).then(() => child.kill('SIGKILL'));
    await Promise.race([exited, killed]);
  };
  return { pid, port, spawnedAt, child, stop };
}

const live = new Set<ChildProcess>();
const exitSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * A function must not outlive the bench: when the bench is killed (a timeout
 * sends SIGTERM to it alone) or fails between spawn and stop, it would keep
 * serving on its port. Signals are handled as the control-plane harness does:
 * clean up, then die the default way if no other listener is left to do so.
 */
function stopWithUs(child: ChildProcess): void {
  if (live.size === 0) {
    process.on('exit', killLive);
    for (const signal of exitSignals) process.on(signal, onSignal);
  }
  live.add(child);
  child.once('exit', () => {
    live.delete(child);
    if (live.size === 0) unregister();
  });
}

function killLive(): void {
  for (const child of live) child.kill('SIGKILL');
}

function onSignal(signal: NodeJS.Signals): void {
  killLive();
  unregister();
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function unregister(): void {
  process.off('exit', killLive);
  for (const signal of exitSignals) process.off(signal, onSignal);
}

/** BENCH_NODE_OPTIONS becomes the functions' NODE_OPTIONS: for trying runtime flags (heap sizes) without a rebuild. */
export function functionNodeOptions(): { NODE_OPTIONS?: string } {
  const options = process.env.BENCH_NODE_OPTIONS;
  return options === undefined || options === '' ? {} : { NODE_OPTIONS: options };
}

/** Polls /health/readiness until it answers 200; resolves with ms since spawn. */
export async function untilReady(
  fn: FunctionProcess,
  options: { timeoutMs: number; intervalMs: number },
): Promise<number> {
  const deadline = performance.now() + options.timeoutMs;
  while (performance.now() < deadline) {
    if (fn.child.exitCode !== null)
      throw new Error(`the function exited with ${fn.child.exitCode} before it was ready`);
    const answer = await probe(fn.port, 'GET', '/health/readiness').catch(() => undefined);
    if (answer?.status === 200) return performance.now() - fn.spawnedAt;
    await sleep(options.intervalMs);
  }
  throw new Error(`the function was not ready within ${options.timeoutMs} ms`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address !== null && typeof address === 'object'
          ? resolve(address.port)
          : reject(new Error('not a TCP listener')),
      );
    });
  });
}
