import type { Target } from './phase.js';

/** The run as markdown: the machine and its load first, every phase's targets, then each phase's section. */
export type Machine = {
  readonly cores: number;
  readonly cpu: string;
  readonly node: string;
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
  /** BENCH_NODE_OPTIONS given to the functions; empty for the production defaults. */
  readonly functionNodeOptions: string;
  /** Over the whole run, of all CPU time: busy (any process) and stolen by the hypervisor. */
  readonly busyPercent: number;
  readonly stealPercent: number;
};

export type RunInfo = {
  readonly startedAt: string;
  readonly durationS: number;
  readonly machine: Machine;
  readonly phases: readonly string[];
};

export type PhaseSection = { readonly name: string; readonly targets: readonly Target[]; readonly report: string };

/**
 * Above this 1-minute load average per core before the run, other work shares
 * the cores with the API server and the function, and the figures say more
 * about that work than about ours: no verdict is printed.
 */
export const BUSY_LOAD_PER_CORE = 0.5;

export function machineBusy(machine: Machine): boolean {
  return (machine.loadBefore[0] ?? 0) / machine.cores > BUSY_LOAD_PER_CORE;
}

const row = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;

export function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
}

export function verdict(target: Target, busy: boolean): string {
  if (busy) return 'BUSY';
  if (!target.pass) return 'FAIL';
  return target.unresolved === true ? 'UNRESOLVED' : 'PASS';
}

export function renderMarkdown(info: RunInfo, sections: readonly PhaseSection[]): string {
  const { machine } = info;
  const busy = machineBusy(machine);
  const load = (values: readonly number[]) => values.map((value) => value.toFixed(2)).join(' / ');
  const perCore = ((machine.loadBefore[0] ?? 0) / machine.cores).toFixed(2);
  return [
    '# Kernel Gossip benchmark',
    '',
    `${info.startedAt} · ${info.durationS} s · phases ${info.phases.join(', ')} · **${machine.cores} cores** (${machine.cpu}) · Node ${machine.node}`,
    '',
    `Load average (1/5/15 min) before the run ${load(machine.loadBefore)} (${perCore} per core), after ${load(machine.loadAfter)}; CPU over the run ${machine.busyPercent}% busy, ${machine.stealPercent}% stolen.`,
    busy
      ? `\n**The machine was busy** (more than ${BUSY_LOAD_PER_CORE} per core before the run): the figures are printed, but no target is judged; run it again on a quiet machine.`
      : '',
    machine.functionNodeOptions === ''
      ? ''
      : `\nFunctions started with NODE_OPTIONS="${machine.functionNodeOptions}" (BENCH_NODE_OPTIONS), not the production defaults.`,
    '',
    '## Targets',
    table(
      ['phase', 'target', 'goal', 'measured', ''],
      sections.flatMap((section) =>
        section.targets.map((t) => [section.name, t.target, t.goal, t.value, verdict(t, busy)]),
      ),
    ),
    '',
    ...sections.flatMap((section) => [section.report, '']),
  ].join('\n');
}
