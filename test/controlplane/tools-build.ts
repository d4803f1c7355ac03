import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';

/** Whether `go` runs; builds need it, cached binaries do not. */
export function goIsInstalled(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('go', ['version'], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

/**
 * Runs a tools module's build.sh with the cache folder it builds into. Forwards the build's
 * output to our stderr as it comes (a first build takes minutes, silence would look like a
 * hang) and keeps its tail for the one error we throw. `what` names the build in that error.
 */
export function runToolsBuild(script: string, cacheDir: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, cacheDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const forward = (chunk: Buffer): void => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.once('error', (cause) => reject(new Error(`Could not run ${script} to build ${what}`, { cause })));
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      const how = signal === null ? `exited with code ${String(code)}` : `was killed by ${signal}`;
      const lastLines = tail.trimEnd().split('\n').slice(-15).join('\n');
      reject(new Error(`Building ${what} into ${cacheDir} failed: ${script} ${how}:\n${lastLines}`));
    });
  });
}

/** Whether every named binary in `binDir` is there and executable, i.e. an earlier build finished. */
export async function allExecutable(binDir: string, names: readonly string[]): Promise<boolean> {
  const checks = names.map((name) => access(path.join(binDir, name), constants.X_OK));
  return Promise.all(checks).then(
    () => true,
    () => false,
  );
}
