import type { ApiTally } from './api-counts.js';
import type { PhaseFigures } from './measure.js';
import { refusedRows } from './refused.js';
import type { Figures, TargetResult } from './targets.js';

/** The run's figures as markdown tables: printed as they are, and written to results/latest.md. */
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
export type RunInfo = { readonly startedAt: string; readonly durationS: number; readonly machine: Machine };

const row = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
const table = (head: readonly string[], rows: readonly (readonly (string | number)[])[]) =>
  [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
const lat = (figures: PhaseFigures) => `${figures.latencyMs.p50} / ${figures.latencyMs.p95} / ${figures.latencyMs.p99}`;

export function renderMarkdown(info: RunInfo, figures: Figures, targets: readonly TargetResult[]): string {
  const { machine } = info;
  const load = (values: readonly number[]) => values.map((value) => value.toFixed(2)).join(' / ');
  return [
    '# Kernel Gossip benchmark',
    '',
    `${info.startedAt} · ${info.durationS} s · **${machine.cores} cores** (${machine.cpu}) · Node ${machine.node} · load average (1/5/15 min) before ${load(machine.loadBefore)}, after ${load(machine.loadAfter)} · CPU over the run: ${machine.busyPercent}% busy, ${machine.stealPercent}% stolen`,
    machine.functionNodeOptions === ''
      ? ''
      : `\nFunctions started with NODE_OPTIONS="${machine.functionNodeOptions}" (BENCH_NODE_OPTIONS), not the production defaults.`,
    '',
    '## Targets',
    table(
      ['target', 'goal', 'measured', ''],
      targets.map((t) => [t.target, t.goal, t.value, t.unresolved === true ? 'UNRESOLVED' : t.pass ? 'PASS' : 'FAIL']),
    ),
    '',
    '## Throughput at fixed concurrency (new states: every event changes its object)',
    'Latencies p50 / p95 / p99 in ms. API requests counted by the API server (kernelwhispers, podbirthcertificates, pods, configmaps, events).',
    '',
    table(
      [
        'concurrency',
        'ceiling events/s',
        'ceiling latency',
        'ingest events/s',
        'ingest latency',
        'ratio',
        'API req/event',
        'writes/event (objects + pod Events)',
        'redelivery events/s',
        'redelivery latency',
        'redelivery API req/event',
        'redelivery writes/event',
      ],
      figures.levels.map((l) => [
        l.concurrency,
        l.ceiling.eventsPerS,
        lat(l.ceiling),
        l.ingest.eventsPerS,
        lat(l.ingest),
        `${l.ratio}×`,
        l.ingest.apiPerEvent,
        `${l.ingest.writesPerEvent} (${l.ingest.objectWritesPerEvent} + ${l.ingest.podEventWritesPerEvent})`,
        l.redelivery.eventsPerS,
        lat(l.redelivery),
        l.redelivery.apiPerEvent,
        l.redelivery.writesPerEvent,
      ]),
    ),
    '',
    '## API requests per state-changing event, by verb and resource',
    requestsByKind(figures),
    '',
    '## CPU per event (ms, user + system; 2 cores give 2,000 ms per second)',
    cpuTable(figures),
    '',
    '## Other figures',
    table(['figure', 'value'], otherRows(figures)),
    '',
  ].join('\n');
}

function requestsByKind(figures: Figures): string {
  const kinds = [...new Set(figures.levels.flatMap((level) => Object.keys(level.ingest.api.byKind)))].sort();
  const perEvent = (api: ApiTally, events: number, kind: string) => ((api.byKind[kind] ?? 0) / events).toFixed(3);
  return table(
    ['request (verb resource code)', ...figures.levels.map((level) => `c=${level.concurrency}`)],
    kinds.map((kind) => [
      kind,
      ...figures.levels.map((level) => perEvent(level.ingest.api, level.ingest.events, kind)),
    ]),
  );
}

function cpuTable(figures: Figures): string {
  const names = ['apiserver', 'etcd', 'function', 'bench'];
  const rows = figures.levels.flatMap((level) =>
    (['ceiling', 'ingest'] as const).map((side) => {
      const cpu = level[side].cpuMsPerEvent;
      const total = names.reduce(
        (sum, name) => sum + (side === 'ceiling' && name === 'function' ? 0 : (cpu[name] ?? 0)),
        0,
      );
      return [
        `c=${level.concurrency} ${side}`,
        ...names.map((name) =>
          side === 'ceiling' && name === 'function' ? '–' : (cpu[name] ?? Number.NaN).toFixed(2),
        ),
        total.toFixed(2),
      ];
    }),
  );
  return table(['phase', ...names, 'total'], rows);
}

function otherRows(figures: Figures): (string | number)[][] {
  const { bursts, halfRate, coldStart, sweep, manyObjects: many } = figures;
  const rows: (string | number)[][] = [
    [
      'bursts',
      `${bursts.bursts} bursts × ${bursts.burstSize} new states of one object sent at once: ${bursts.api.writes} writes for ${bursts.events} events (${bursts.writesPerEvent}/event, ${bursts.writesPerBurst}/burst), outcomes ${JSON.stringify(bursts.outcomes)}`,
    ],
    [
      'ceiling and ingest write the same objects',
      Object.entries(figures.twins)
        .map(
          ([kind, twin]) =>
            `${kind}: ${twin.ceilingBytes} vs ${twin.ingestBytes} bytes of spec + status without times, ${twin.sameFields ? 'same fields' : 'DIFFERENT fields'}`,
        )
        .join('; '),
    ],
    [
      'half-rate latency',
      `${halfRate.ratePerS} events/s for ${halfRate.ingest.events} events: ceiling ${lat(halfRate.ceiling)} ms, ingest ${lat(halfRate.ingest)} ms; added p50 ${halfRate.addedP50Ms} ms, p99 ${halfRate.addedP99Ms} ms; A/A (ceiling odd vs even slices) p99 difference ${halfRate.aaNoiseP99Ms} ms`,
    ],
    [
      'ingest over 5,000 distinct objects',
      `${many.events} events at c=16: ${many.eventsPerS} events/s, ${lat(many)} ms, ${many.apiPerEvent} API req/event, ${many.writesPerEvent} writes/event (${many.objectWritesPerEvent} + ${many.podEventWritesPerEvent} pod Event); RSS ${many.rssBeforeMB} → ${many.rssAfterMB} MB (peak before this phase ${many.hwmBeforeMB} MB)`,
    ],
    ['ingest memory (MB)', memoryText(figures)],
    [
      'cold start → readiness 200',
      `median ${coldStart.readiness.medianMs} ms (min ${coldStart.readiness.minMs}, max ${coldStart.readiness.maxMs}; ${coldStart.runs} runs)`,
    ],
    [
      'cold start → readiness 200, unbundled build',
      `median ${coldStart.readinessUnbundled.medianMs} ms (min ${coldStart.readinessUnbundled.minMs}, max ${coldStart.readinessUnbundled.maxMs}): the same sources one file per module`,
    ],
    [
      'cold start → first event applied',
      `median ${coldStart.firstApplied.medianMs} ms (min ${coldStart.firstApplied.minMs}, max ${coldStart.firstApplied.maxMs}; ${coldStart.runs} runs)`,
    ],
    ...refusedRows(figures.refused),
  ];
  if (sweep === undefined) return [...rows, ['sweep', `not measured: ${figures.sweepError ?? 'unknown'}`]];
  return [
    ...rows,
    ['sweep setup', `${sweep.pods} pods and ${sweep.resources} resources (spec only) created in ${sweep.setupS} s`],
    [
      'sweep 1 (repairs every status)',
      `${sweep.repair.durationMs} ms, ${sweep.repair.api.writes} writes at the API server (its summary: ${sweep.repair.summaryWrites ?? '?'}, seen ${sweep.repair.seen ?? '?'}), ${sweep.repair.api.total} requests`,
    ],
    [
      'converged sweeps',
      sweep.converged
        .map(
          (run) =>
            `${run.durationMs} ms, ${run.api.writes} writes (summary ${run.summaryWrites ?? '?'}), ${run.api.total} requests`,
        )
        .join('; '),
    ],
  ];
}

function memoryText(figures: Figures): string {
  const m = figures.memory;
  const heap = Object.entries(m.heapAtEnd)
    .map(([name, mb]) => `${name.replace('nodejs_', '')} ${mb}`)
    .join(', ');
  return `after start ${m.idleMB}; peak RSS ${m.hwmMB} (VmHWM) = anonymous ≤ ${m.peakAnonMB} + file-backed ≤ ${m.peakFileMB}; V8 at the end: ${heap}`;
}
