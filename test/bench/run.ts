/**
 * `npm run bench`: one run on this machine, against the project's embedded
 * control plane and the production build of the functions. It prints the
 * figures and the issue 7 targets as markdown tables and writes them to
 * test/bench/results/latest.{json,md}. test/bench/README.md says what each
 * phase measures and why.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../controlplane/binaries.js';
import { startBenchCluster } from './cluster.js';
import { machineCpu, machineShares } from './cpu.js';
import { functionNodeOptions } from './function-process.js';
import { progress, runPhases } from './phases.js';
import { type RunInfo, renderMarkdown } from './report.js';
import { round } from './stats.js';
import { type Figures, judge } from './targets.js';

const resultsDir = path.join(import.meta.dirname, 'results');

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const cpuBefore = machineCpu();
  progress(
    `${os.cpus().length} cores, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}; building dist/server.js`,
  );
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'kernel-gossip-bench-'));
  progress(`function logs in ${logDir}; starting the control plane`);
  const cluster = await startBenchCluster();
  let figures: Figures;
  try {
    figures = await runPhases(cluster, logDir);
  } finally {
    await cluster.stop();
  }
  const durationS = round((Date.now() - startedAt.getTime()) / 1000, 1);
  const machine = {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadBefore,
    loadAfter: os.loadavg(),
    functionNodeOptions: functionNodeOptions().NODE_OPTIONS ?? '',
    ...machineShares(cpuBefore, machineCpu()),
  };
  const info: RunInfo = { startedAt: startedAt.toISOString(), durationS, machine };
  const targets = judge(figures);
  const markdown = renderMarkdown(info, figures, targets);
  writeFileSync(path.join(resultsDir, 'latest.md'), markdown);
  writeFileSync(path.join(resultsDir, 'latest.json'), `${JSON.stringify({ ...info, targets, figures }, null, 2)}\n`);
  process.stdout.write(`\n${markdown}\nWritten to ${path.relative(repoRoot, resultsDir)}/latest.{md,json}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
