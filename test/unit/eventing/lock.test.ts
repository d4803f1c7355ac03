import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { acquireMachineLock } from '../../eventing/lock.js';

/**
 * The machine-wide lock that keeps two eventing sets (ports 8080/8443) from starting at
 * once: whoever comes second is told who holds it and waits, also for a holder that
 * dies without releasing it. Each test uses a name of its own.
 */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

const uniqueName = (): string => `kernel-gossip-test-lock-${process.pid}-${Math.random().toString(36).slice(2)}`;

describe('the machine-wide lock', () => {
  it('makes a second taker wait, told who holds it, until the first releases it', async () => {
    const name = uniqueName();
    const first = await acquireMachineLock(name, { purpose: 'first run' });
    const told: string[] = [];
    let acquired = false;
    const second = acquireMachineLock(name, { purpose: 'second run', onWait: (holder) => told.push(holder) }).then(
      (lock) => {
        acquired = true;
        return lock;
      },
    );
    await until(() => told.length > 0);
    expect(acquired).toBe(false);
    expect(told).toEqual([`pid ${process.pid} (first run)`]);
    await first.release();
    await (await second).release();
    expect(acquired).toBe(true);
  });

  it('is free again once its holder is killed without releasing it', async () => {
    const name = uniqueName();
    // Another process holds the name the way the lock does, then dies by SIGKILL.
    const holder = spawn(
      process.execPath,
      ['-e', `require('node:net').createServer().listen({ path: '\\0${name}' }, () => console.log('held'))`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await once(holder.stdout, 'data');
      const told: string[] = [];
      const waiting = acquireMachineLock(name, { purpose: 'after a crash', onWait: (who) => told.push(who) });
      await until(() => told.length > 0);
      holder.kill('SIGKILL');
      await (await waiting).release();
      expect(told).toEqual(['another process (it did not say which)']);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('gives up with the holder named once the wait is longer than allowed', async () => {
    const name = uniqueName();
    const first = await acquireMachineLock(name, { purpose: 'a long run' });
    try {
      await expect(acquireMachineLock(name, { purpose: 'impatient', timeoutMs: 1_200 })).rejects.toThrow(
        `held by pid ${process.pid} (a long run)`,
      );
    } finally {
      await first.release();
    }
  });
});
