import { netApiServerMs } from './idle.js';
import type { IngestFigures } from './ingest-phase.js';
import { apiCpuRatio, idleOf } from './ingest-targets.js';
import type { PhaseFigures } from './measure.js';
import { table } from './report.js';

/** The ingest phase as markdown: throughput and cost by level, where the cost goes, and the other figures. */
const lat = (figures: PhaseFigures) => `${figures.latencyMs.p50} / ${figures.latencyMs.p95} / ${figures.latencyMs.p99}`;
const ms = (value: number | undefined) => (value ?? Number.NaN).toFixed(2);

export function ingestReport(figures: IngestFigures): string {
  return [
    '## Ingest under load (new states: every event changes its object)',
    'Latencies p50 / p95 / p99 in ms. API requests counted by the API server (kernelwhispers, podbirthcertificates, pods, configmaps, events). CPU in ms per event (user + system); the machine has as many thousand ms per second as it has cores.',
    '',
    levelsTable(figures),
    '',
    '### API requests per state-changing event, by verb and resource',
    requestsByKind(figures),
    '',
    '### CPU per event (ms)',
    cpuTable(figures),
    '',
    '### Where the function’s extra API-server CPU comes from',
    extraCpu(figures),
    '',
    '### Other figures',
    table(['figure', 'value'], otherRows(figures)),
  ].join('\n');
}

function levelsTable(figures: IngestFigures): string {
  const idle = idleOf(figures);
  return table(
    [
      'concurrency',
      'ceiling events/s',
      'ceiling latency',
      'ingest events/s',
      'ingest latency',
      'throughput ratio',
      'API-server ms/event ceiling → ingest',
      'the same net of its idle rate',
      'function ms/event',
      'writes/event: all (objects + pod Events)',
      'redelivery events/s, API req/event, writes/event',
    ],
    figures.levels.map((l) => [
      l.concurrency,
      l.ceiling.eventsPerS,
      lat(l.ceiling),
      l.ingest.eventsPerS,
      lat(l.ingest),
      `${l.ratio}×`,
      `${ms(l.ceiling.cpuMsPerEvent.apiserver)} → ${ms(l.ingest.cpuMsPerEvent.apiserver)} (${apiCpuRatio(l).toFixed(3)}×)`,
      `${ms(netApiServerMs(l.ceiling, idle))} → ${ms(netApiServerMs(l.ingest, idle))} (${apiCpuRatio(l, idle).toFixed(3)}×)`,
      ms(l.ingest.cpuMsPerEvent.function),
      `${l.ingest.writesPerEvent} (${l.ingest.objectWritesPerEvent} + ${l.ingest.podEventWritesPerEvent})`,
      `${l.redelivery.eventsPerS}, ${l.redelivery.apiPerEvent}, ${l.redelivery.writesPerEvent}`,
    ]),
  );
}

function requestsByKind(figures: IngestFigures): string {
  const phases = [
    ...figures.levels.map((level) => ({ label: `c=${level.concurrency}`, figures: level.ingest })),
    { label: 'first states', figures: figures.firstStates as PhaseFigures },
  ];
  const kinds = [...new Set(phases.flatMap((phase) => Object.keys(phase.figures.api.byKind)))].sort();
  return table(
    ['request (verb resource code)', ...phases.map((phase) => phase.label)],
    kinds.map((kind) => [
      kind,
      ...phases.map((phase) => ((phase.figures.api.byKind[kind] ?? 0) / phase.figures.events).toFixed(3)),
    ]),
  );
}

function cpuTable(figures: IngestFigures): string {
  const names = ['apiserver', 'etcd', 'function', 'bench'];
  const rows = figures.levels.flatMap((level) =>
    (['ceiling', 'ingest'] as const).map((side) => {
      const cpu = level[side].cpuMsPerEvent;
      const counted = names.filter((name) => side === 'ingest' || name !== 'function');
      const total = counted.reduce((sum, name) => sum + (cpu[name] ?? 0), 0);
      return [
        `c=${level.concurrency} ${side}`,
        ...names.map((name) => (counted.includes(name) ? ms(cpu[name]) : '–')),
        total.toFixed(2),
      ];
    }),
  );
  return table(['phase', ...names, 'total'], rows);
}

/**
 * The difference in API-server CPU per event between the function and the
 * ceiling, beside what the function asks for that the ceiling does not (pod
 * reads, new connections) priced at what each costs the API server alone.
 */
function extraCpu(figures: IngestFigures): string {
  const podGet = figures.apiCosts.find((cost) => cost.probe.startsWith('GET pod (a quorum'))?.apiServerMsPerRequest;
  const idle = idleOf(figures);
  const rows = figures.levels.map((level) => {
    const extra = netApiServerMs(level.ingest, idle) - netApiServerMs(level.ceiling, idle);
    const podGets = (level.ingest.api.byKind['GET pods 200'] ?? 0) / level.ingest.events;
    return [
      `c=${level.concurrency}`,
      ms(extra),
      podGets.toFixed(3),
      ms(podGets * (podGet ?? Number.NaN)),
      level.ingest.apiConnectionsOpened ?? '?',
    ];
  });
  return [
    table(
      [
        'level',
        'API-server ms/event net of idle, ingest − ceiling',
        'pod GETs/event',
        'their cost at the probe’s ms/GET',
        'connections the function opened to the API server',
      ],
      rows,
    ),
    '',
    `The API server at rest: ${figures.idle.before.apiserverMsPerS} ms of CPU per second before the levels, ${figures.idle.after.apiserverMsPerS} after (etcd ${figures.idle.before.etcdMsPerS} / ${figures.idle.after.etcdMsPerS}); a phase's share of it is the idle rate ÷ its events per second.`,
    '',
    'What each kind of request costs the API server and etcd alone (ms of CPU per request, 4 at a time):',
    '',
    table(
      ['probe', 'requests', 'API server + etcd ms/request'],
      figures.apiCosts.map((cost) => [cost.probe, cost.requests, cost.apiServerMsPerRequest]),
    ),
  ].join('\n');
}

function otherRows(figures: IngestFigures): (string | number)[][] {
  const { bursts, halfRate, firstStates: many, memory } = figures;
  const heap = Object.entries(memory.heapAtEnd)
    .map(([name, mb]) => `${name.replace('nodejs_', '')} ${mb}`)
    .join(', ');
  return [
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
      `first states of ${many.objects} objects`,
      `${many.events} events at c=16: ${many.eventsPerS} events/s, ${lat(many)} ms, ${many.apiPerEvent} API req/event, ${many.writesPerEvent} writes/event (${many.objectWritesPerEvent} objects + ${many.podEventWritesPerEvent} pod Events); RSS ${many.rssBeforeMB} → ${many.rssAfterMB} MB (peak before this phase ${many.hwmBeforeMB} MB)`,
    ],
    [
      'ingest memory (MB)',
      `after start ${memory.idleMB}; peak RSS ${memory.hwmMB} (VmHWM) = anonymous ≤ ${memory.peakAnonMB} + file-backed ≤ ${memory.peakFileMB}; V8 at the end: ${heap}`,
    ],
  ];
}
