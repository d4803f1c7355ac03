/**
 * `npx tsx test/bench/run-refused.ts`: the refused-senders phase alone (refused.ts), on
 * its own control plane and the production build, for working on it without the whole
 * bench. Prints its figures and report rows; writes nothing to results/.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../controlplane/binaries.js';
import { createNamespace, startBenchCluster } from './cluster.js';
import { measureRefused, refusedRows } from './refused.js';

execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
const logDir = mkdtempSync(path.join(os.tmpdir(), 'kernel-gossip-bench-refused-'));
const cluster = await startBenchCluster();
try {
  await createNamespace(cluster.api, 'bench-refused');
  const figures = await measureRefused(cluster, 'bench-refused', path.join(logDir, 'refused.log'));
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  for (const [name, value] of refusedRows(figures)) process.stdout.write(`${name}: ${value}\n`);
} finally {
  await cluster.stop();
}
