import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReadyProbe } from './control-file.js';

/** Resolves with the HTTP status of one GET of the probe, or null when nothing answers. */
export function probeOnce(probe: ReadyProbe): Promise<number | null> {
  const url = new URL(probe.url);
  const tls = {
    ca: probe.caFile === undefined ? undefined : readFileSync(probe.caFile),
    cert: probe.certFile === undefined ? undefined : readFileSync(probe.certFile),
    key: probe.keyFile === undefined ? undefined : readFileSync(probe.keyFile),
  };
  return new Promise((resolve) => {
    const options = { timeout: 2_000, agent: false as const };
    const request =
      url.protocol === 'https:' ? https.get(url, { ...options, ...tls }, done) : http.get(url, options, done);
    function done(response: http.IncomingMessage): void {
      response.resume();
      resolve(response.statusCode ?? null);
    }
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(null));
  });
}

/**
 * Polls until the probe answers 200. `exited` settles when the process dies, so a
 * component that fails on a bad flag is reported at once instead of after the timeout.
 */
export async function waitUntilReady(probe: ReadyProbe, exited: Promise<string>, timeoutMs: number): Promise<void> {
  let died: string | undefined;
  void exited.then((how) => {
    died = how;
  });
  const deadline = Date.now() + timeoutMs;
  let last: number | null = null;
  for (;;) {
    if (died !== undefined) throw new Error(`it ${died} before ${probe.url} answered 200`);
    last = await probeOnce(probe);
    if (last === 200) return;
    if (Date.now() > deadline) {
      const answer = last === null ? 'no answer' : `last status ${last}`;
      throw new Error(`${probe.url} did not answer 200 within ${timeoutMs} ms (${answer})`);
    }
    await sleep(100);
  }
}
