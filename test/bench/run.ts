/**
 * `npm run bench`: one run on this machine, against the project's embedded
 * control plane and the production build of the functions. It states the load
 * before it, runs the phases of phases.ts one after another, prints every
 * phase's targets and figures as markdown and writes them to
 * test/bench/results/latest.{json,md} (with the plots the phases draw).
 * `BENCH_PHASES=ingest,scale npm run bench` (or `npm run bench -- ingest scale`)
 * runs some phases only and writes results/partial/ instead.
 * test/bench/README.md says what each phase measures and why.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../controlplane/binaries.js';
import { startBenchCluster } from './cluster.js';
import { machineCpu, machineShares } from './cpu.js';
import { functionNodeOptions } from './function-process.js';
import { benchFor, type Phase, type PhaseOutcome } from './phase.js';
import { PHASES } from './phases.js';
import { machineBusy, type PhaseSection, type RunInfo, renderMarkdown } from './report.js';
import { round } from './stats.js';
import { ObservationClock } from './workload.js';

const resultsDir = path.join(import.meta.dirname, 'results');
const progress = (message: string): void => void process.stderr.write(`bench: ${message}\n`);

async function main(): Promise<void> {
  const phases = selectedPhases();
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const cpuBefore = machineCpu();
  progress(
    `${os.cpus().length} cores, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before the run; phases ${phases.map((phase) => phase.name).join(', ')}`,
  );
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'kernel-gossip-bench-'));
  progress(`function logs in ${logDir}; starting the control plane`);
  const cluster = await startBenchCluster();
  const outcomes: { name: string; outcome: PhaseOutcome }[] = [];
  try {
    const bench = benchFor(cluster, new ObservationClock(), logDir);
    for (const phase of phases) {
      progress(`phase ${phase.name}`);
      const outcome = await runPhase(phase, bench);
      outcomes.push({ name: phase.name, outcome });
      // A long run shows each phase's figures as soon as it has them.
      process.stderr.write(`\n${outcome.report}\n\n`);
    }
  } finally {
    await cluster.stop();
  }
  const machine = {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadBefore,
    loadAfter: os.loadavg(),
    functionNodeOptions: functionNodeOptions().NODE_OPTIONS ?? '',
    ...machineShares(cpuBefore, machineCpu()),
  };
  const durationS = round((Date.now() - startedAt.getTime()) / 1000, 1);
  const info: RunInfo = { startedAt: startedAt.toISOString(), durationS, machine, phases: phases.map((p) => p.name) };
  const sections: PhaseSection[] = outcomes.map(({ name, outcome }) => ({ name, ...outcome }));
  const markdown = renderMarkdown(info, sections);
  // A run of some phases only goes to results/partial/ (not committed), so it never mixes with a whole run.
  const [dir, base] =
    phases.length === PHASES.length ? [resultsDir, 'latest'] : [path.join(resultsDir, 'partial'), 'partial'];
  mkdirSync(dir, { recursive: true });
  const json = { ...info, busy: machineBusy(machine), results: Object.fromEntries(outcomes.map(jsonOf)) };
  writeFileSync(path.join(dir, `${base}.md`), markdown);
  writeFileSync(path.join(dir, `${base}.json`), `${JSON.stringify(json, null, 2)}\n`);
  for (const { outcome } of outcomes)
    for (const file of outcome.files ?? []) writeFileSync(path.join(dir, file.name), file.content);
  process.stdout.write(`\n${markdown}\nWritten to ${path.relative(repoRoot, dir)}/${base}.{md,json}\n`);
}

/** A phase that fails is reported as a failed target; the run goes on with the next. */
async function runPhase(phase: Phase, bench: ReturnType<typeof benchFor>): Promise<PhaseOutcome> {
  try {
    return await phase.run(bench);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    progress(`phase ${phase.name} failed: ${error instanceof Error ? (error.stack ?? message) : message}`);
    const target = { target: `phase ${phase.name} completes`, goal: 'no error', value: message, pass: false };
    return { figures: { error: message }, targets: [target], report: `## ${phase.name}\n\nFailed: ${message}` };
  }
}

function selectedPhases(): readonly Phase[] {
  const asked = [...(process.env.BENCH_PHASES ?? '').split(','), ...process.argv.slice(2)]
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (asked.length === 0) return PHASES;
  const unknown = asked.filter((name) => !PHASES.some((phase) => phase.name === name));
  if (unknown.length > 0)
    throw new Error(`unknown phase ${unknown.join(', ')}; phases: ${PHASES.map((p) => p.name).join(', ')}`);
  return PHASES.filter((phase) => asked.includes(phase.name));
}

function jsonOf({ name, outcome }: { name: string; outcome: PhaseOutcome }): [string, unknown] {
  return [name, { targets: outcome.targets, figures: outcome.figures }];
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
