import type { ApiTally } from './api-counts.js';
import { fitLine, type LinearFit } from './fit.js';
import type { Target } from './phase.js';
import { chartsSvg } from './plot.js';
import { table } from './report.js';
import type { ScaleFigures } from './scale.js';
import type { IngestAtSize } from './scale-ingest.js';

/** The scale phase's targets (issue 14), tables, fitted costs and plot. */
const SWEEP_RSS_MB = 200;
const INGEST_RSS_MB = 100;

export function scaleTargets(figures: ScaleFigures): Target[] {
  const { steps } = figures;
  const first = steps[0];
  const last = steps.at(-1);
  if (first === undefined || last === undefined) return [];
  const perObject = (step: typeof first) => step.sweep.convergedMedianMs / step.objects;
  const growth = perObject(last) / perObject(first);
  const writes = steps.map((step) => step.sweep.convergedMaxWrites);
  return [
    {
      target: `Peak RSS of the sweep at ${last.objects} objects (VmHWM)`,
      goal: `≤ ${SWEEP_RSS_MB} MB`,
      value: `${last.sweep.hwmMB} MB; by size ${steps.map((s) => `${s.objects}: ${s.sweep.hwmMB}`).join(', ')}`,
      pass: last.sweep.hwmMB <= SWEEP_RSS_MB,
    },
    {
      target: 'Writes of a converged sweep, at every size',
      goal: '0',
      value: steps.map((s) => `${s.objects}: ${s.sweep.convergedMaxWrites}`).join(', '),
      pass: writes.every((count) => count === 0),
    },
    {
      target: `Converged sweep time per object at ${last.objects} ÷ at ${first.objects} objects`,
      goal: '≤ 1×',
      value: `${growth.toFixed(2)}× (${(perObject(last) * 1000).toFixed(1)} vs ${(perObject(first) * 1000).toFixed(1)} µs per object)`,
      pass: growth <= 1,
    },
    {
      target: `Peak RSS of ingest with ${figures.largest.pods} pods in the cluster, identities resolved by node`,
      goal: `≤ ${INGEST_RSS_MB} MB`,
      value: `${figures.largest.ingest.hwmMB} MB (${figures.largest.ingest.events} events); without node_name ${figures.withoutNode.hwmMB} MB`,
      pass: figures.largest.ingest.hwmMB <= INGEST_RSS_MB && figures.withoutNode.hwmMB <= INGEST_RSS_MB,
    },
  ];
}

export function scaleReport(figures: ScaleFigures): string {
  const { steps } = figures;
  const time = fitLine(steps.map((s) => ({ x: s.objects, y: s.sweep.convergedMedianMs })));
  const rss = fitLine(steps.map((s) => ({ x: s.objects, y: s.sweep.hwmMB })));
  const ingestRuns = [...steps.map((s) => s.ingest), figures.largest.ingest];
  return [
    '## Scale: the sweep and the ingest as the cluster grows',
    'Plot: [scale.svg](scale.svg). API requests by verb as the API server counts them.',
    '',
    '### Sweep (a fresh process per size; the first run repairs the statuses of the objects added since the last size)',
    table(
      [
        'objects',
        'setup s',
        'repair sweep: ms, writes, requests',
        'converged sweep: median ms (runs)',
        'µs per object',
        'sweep CPU µs per object',
        'writes',
        'requests by verb (one converged run)',
        'sweep CPU ms',
        'peak RSS MB',
      ],
      steps.map((s) => [
        s.objects,
        s.setupS,
        `${s.sweep.repair.durationMs}, ${s.sweep.repair.api.writes}, ${s.sweep.repair.api.total}`,
        `${s.sweep.convergedMedianMs} (${s.sweep.converged.map((run) => run.durationMs).join(', ')})`,
        ((s.sweep.convergedMedianMs / s.objects) * 1000).toFixed(1),
        (((s.sweep.converged[0]?.sweepCpuMs ?? Number.NaN) / s.objects) * 1000).toFixed(1),
        s.sweep.convergedMaxWrites,
        byVerb(s.sweep.converged[0]?.api),
        s.sweep.converged[0]?.sweepCpuMs ?? '?',
        s.sweep.hwmMB,
      ]),
    ),
    '',
    `Fitted: a converged sweep takes ${fitText(time, 'ms', 1000, 'per 1,000 objects')}; its peak RSS is ${fitText(rss, 'MB', 1000, 'per 1,000 objects')}. ${linearity(time, steps)}`,
    '',
    '### Ingest, identities resolved by node (a fresh instance per size; pod UID and node_name, no pod name)',
    ingestTable(ingestRuns),
    '',
    `Without node_name, ${figures.withoutNode.pods} pods in the cluster (the whole cluster listed, at most once per 30 s):`,
    '',
    ingestTable([figures.withoutNode]),
  ].join('\n');
}

function ingestTable(runs: readonly IngestAtSize[]): string {
  return table(
    [
      'pods in the cluster',
      'events',
      'events/s',
      'outcomes',
      'API requests per event by verb',
      'function ms/event',
      'peak RSS MB',
    ],
    runs.map((run) => [
      run.pods,
      run.events,
      run.eventsPerS,
      `${JSON.stringify(run.outcomes)}${run.failed > 0 ? `, ${run.failed} failed: ${run.firstError ?? ''}` : ''}`,
      byVerb(run.api, run.events),
      run.functionCpuMsPerEvent,
      run.hwmMB,
    ]),
  );
}

function byVerb(api: ApiTally | undefined, per = 1): string {
  if (api === undefined) return '?';
  return Object.entries(api.byKind)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([kind, count]) => `${kind}: ${per === 1 ? count : (count / per).toFixed(3)}`)
    .join(', ');
}

function fitText(fit: LinearFit, unit: string, per: number, perText: string): string {
  return `${fit.intercept.toFixed(1)} ${unit} + ${(fit.slope * per).toFixed(2)} ${unit} ${perText} (r² ${fit.r2.toFixed(3)})`;
}

function linearity(fit: LinearFit, steps: ScaleFigures['steps']): string {
  const last = steps.at(-1);
  if (last === undefined) return '';
  const predicted = fit.intercept + fit.slope * last.objects;
  const off = (last.sweep.convergedMedianMs - predicted) / predicted;
  return fit.r2 >= 0.98 && off <= 0.1
    ? 'The time grows linearly with the number of objects.'
    : `The time does not follow a straight line (r² ${fit.r2.toFixed(3)}, the largest size ${(off * 100).toFixed(0)}% off the line).`;
}

export function scalePlot(figures: ScaleFigures): string {
  const ingestRuns = [...figures.steps.map((s) => s.ingest), figures.largest.ingest];
  const perEvent = (run: IngestAtSize, verb: string) =>
    Object.entries(run.api.byKind)
      .filter(([kind]) => kind.startsWith(verb))
      .reduce((sum, [, count]) => sum + count, 0) / run.events;
  return chartsSvg([
    {
      title: 'Converged sweep: wall time',
      xLabel: 'objects',
      yLabel: 'seconds',
      series: [
        {
          name: 'median of 5',
          points: figures.steps.map((s) => ({ x: s.objects, y: s.sweep.convergedMedianMs / 1000 })),
        },
      ],
    },
    {
      title: 'Sweep: peak RSS',
      xLabel: 'objects',
      yLabel: 'MB',
      series: [{ name: 'VmHWM', points: figures.steps.map((s) => ({ x: s.objects, y: s.sweep.hwmMB })) }],
      limit: { y: SWEEP_RSS_MB, label: `target ${SWEEP_RSS_MB} MB` },
    },
    {
      title: 'Ingest by node: peak RSS',
      xLabel: 'pods in the cluster',
      yLabel: 'MB',
      series: [{ name: 'VmHWM', points: ingestRuns.map((run) => ({ x: run.pods, y: run.hwmMB })) }],
      limit: { y: INGEST_RSS_MB, label: `target ${INGEST_RSS_MB} MB` },
    },
    {
      title: 'Ingest by node: API requests per event',
      xLabel: 'pods in the cluster',
      yLabel: 'requests per event',
      series: ['APPLY', 'GET', 'LIST'].map((verb) => ({
        name: verb,
        points: ingestRuns.map((run) => ({ x: run.pods, y: perEvent(run, verb) })),
      })),
    },
  ]);
}
