import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import * as v from 'valibot';

/**
 * A lock for the whole machine, held as a listening Unix socket in Linux's abstract
 * namespace (`ss -xlp | grep kernel-gossip` shows the holder). Only one process can listen
 * on a name, and the kernel frees it when the holder dies by any means, SIGKILL included,
 * so a crashed run never leaves a stale lock behind (a lock file would need its owner to
 * clean up, and a pid in it can be reused). Whoever asks while it is held is told the
 * holder's pid and what it is doing, and waits.
 */
export type MachineLock = { release(): Promise<void> };
export type LockOptions = {
  /** What the holder is doing, told to waiters (e.g. the worktree that runs the tests). */
  readonly purpose: string;
  /** How long to wait before giving up; a test run of the project takes well under 30 minutes. */
  readonly timeoutMs?: number;
  readonly onWait?: (holder: string) => void;
};

const POLL_MS = 1_000;

export async function acquireMachineLock(name: string, options: LockOptions): Promise<MachineLock> {
  const address = `\0${name}`;
  const deadline = Date.now() + (options.timeoutMs ?? 45 * 60_000);
  let told = false;
  for (;;) {
    const server = await tryListen(address, `${JSON.stringify({ pid: process.pid, purpose: options.purpose })}\n`);
    if (server !== undefined) {
      return { release: () => new Promise((resolve) => server.close(() => resolve())) };
    }
    const holder = await askHolder(address);
    if (Date.now() > deadline) {
      throw new Error(`Gave up waiting for the machine-wide lock ${name}, held by ${holder}`);
    }
    if (!told) options.onWait?.(holder);
    told = true;
    await sleep(POLL_MS);
  }
}

/** Listens on the name, answering every connection with `greeting`; undefined while someone else holds it. */
function tryListen(address: string, greeting: string): Promise<net.Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.end(greeting));
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(undefined);
      else reject(error);
    });
    server.listen({ path: address }, () => {
      // Held for as long as this process lives, without keeping it alive.
      server.unref();
      resolve(server);
    });
  });
}

/** Who holds the lock, as the holder describes itself. */
function askHolder(address: string): Promise<string> {
  return new Promise((resolve) => {
    let said = '';
    const socket = net.connect({ path: address });
    socket.setEncoding('utf8');
    socket.setTimeout(2_000, () => socket.destroy());
    socket.on('data', (chunk: string) => (said += chunk.slice(0, 1024)));
    socket.once('close', () => resolve(describe(said)));
    socket.once('error', () => undefined);
  });
}

const GreetingSchema = v.object({ pid: v.number(), purpose: v.string() });

function describe(greeting: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(greeting);
  } catch {
    parsed = undefined;
  }
  const holder = v.safeParse(GreetingSchema, parsed);
  return holder.success
    ? `pid ${holder.output.pid} (${holder.output.purpose})`
    : 'another process (it did not say which)';
}
