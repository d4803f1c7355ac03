import { MAX_TIMELINE_PER_REPORT } from '../../lib/events/pod-creation.js';
import { EVENT_TYPE } from '../../lib/events/types.js';
import { type Delivery, deliverAll, isRetried } from '../faults/support/broker-sender.js';
import { binaryEvent, type HttpFixture } from '../fixtures/events.js';
import { type ApiTally, counted } from './api-counts.js';
import { createNamespace, createPods, podNames } from './cluster.js';
import { cpuBetween, cpuTimes } from './cpu.js';
import type { FunctionProcess } from './function-process.js';
import { functionClient } from './http-client.js';
import { sampleMemory } from './memory.js';
import type { Bench, Phase } from './phase.js';
import { table } from './report.js';
import { round } from './stats.js';

/**
 * A stream of the largest birth reports the schema accepts (500 timeline
 * entries of 256 characters, ~160 KB each) to a fresh ingest instance: the
 * issue's reproduction (600 pods, one report each, 8 at a time, which killed
 * the instance after ~300), then a second report per pod 32 at a time, which
 * takes every certificate to 1,000 entries (~320 KB stored). Delivered as the
 * Triggers do, retrying 503 and the other retried answers with backoff.
 */
type Round = {
  readonly concurrency: number;
  readonly reports: number;
  readonly bodyBytes: number;
  readonly applied: number;
  readonly answers: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly api: ApiTally;
  readonly functionCpuMsPerReport: number;
  readonly peakRssMB: number;
};
export type BigBirthsFigures = {
  readonly pods: number;
  readonly rounds: readonly Round[];
  readonly hwmMB: number;
  readonly alive: boolean;
};

const NAMESPACE = 'bench-big-births';
const TRIGGER_RETRIES = 10;
const TRIGGER_BACKOFF_MS = 500;
const PODS = 600;
const ROUNDS = [
  { concurrency: 8, container: 'app' },
  { concurrency: 32, container: 'sidecar' },
] as const;

export const bigBirthsPhase: Phase = {
  name: 'big-births',
  async run(bench) {
    const figures = await measureBigBirths(bench);
    const delivered = figures.rounds.reduce((sum, round) => sum + round.applied, 0);
    const sent = figures.rounds.reduce((sum, round) => sum + round.reports, 0);
    return {
      figures,
      targets: [
        {
          target: 'Maximum-size birth reports: every one applied, the instance alive',
          goal: `${sent} of ${sent}, alive`,
          value: `${delivered} of ${sent}, ${figures.alive ? 'alive' : 'DEAD'}`,
          pass: delivered === sent && figures.alive,
        },
        {
          target: 'Peak RSS of ingest under maximum-size birth reports (VmHWM)',
          goal: '≤ 100 MB',
          value: `${figures.hwmMB} MB`,
          pass: figures.hwmMB <= 100,
        },
      ],
      report: report(figures),
    };
  },
};

async function measureBigBirths(bench: Bench): Promise<BigBirthsFigures> {
  const pods = podNames('big', PODS);
  await createNamespace(bench.cluster.api, NAMESPACE);
  // Each round reports on its own container, which the pods must have (a report on another is refused, 422).
  await createPods(bench.cluster.api, NAMESPACE, pods, { containers: ROUNDS.map(({ container }) => container) });
  const fn = await bench.spawn('ingest', 'big-births');
  const memory = sampleMemory(fn.pid, 100);
  const rounds: Round[] = [];
  let alive = false;
  try {
    for (const { concurrency, container } of ROUNDS) {
      bench.progress(`${PODS} birth reports of ~160 KB, ${concurrency} at a time`);
      const reports = pods.map((pod, i) => birthReport(pod, container, i, bench.clock.next()));
      rounds.push(await deliverRound(bench, fn, reports, concurrency));
    }
  } finally {
    alive = fn.child.exitCode === null && fn.child.signalCode === null;
    await fn.stop();
  }
  // A process that died has no VmHWM left to read; the samples hold its peak.
  return { pods: PODS, rounds, hwmMB: memory.stop().hwmMB, alive };
}

async function deliverRound(
  bench: Bench,
  fn: FunctionProcess,
  reports: readonly HttpFixture[],
  concurrency: number,
): Promise<Round> {
  const client = functionClient(fn.port, concurrency, 60_000);
  const peak = sampleMemory(fn.pid, 100);
  const cpuBefore = cpuTimes({ function: fn.pid });
  const started = performance.now();
  const { result, api } = await counted(bench.cluster.transport, () =>
    deliverAll(reports, concurrency, (report, i) =>
      deliverAsTrigger(async (fixture) => (await client.post('/', fixture)).status, String(i), report),
    ),
  );
  const seconds = round((performance.now() - started) / 1000, 1);
  const cpu = cpuBetween(cpuBefore, cpuTimes({ function: fn.pid }));
  client.close();
  const answers: Record<string, number> = {};
  for (const status of result.flatMap((delivery) => delivery.answers)) answers[status] = (answers[status] ?? 0) + 1;
  return {
    concurrency,
    reports: reports.length,
    bodyBytes: Buffer.byteLength(reports[0]?.body ?? ''),
    applied: result.filter((delivery) => delivery.delivered).length,
    answers,
    seconds,
    api,
    functionCpuMsPerReport: round((cpu.function ?? Number.NaN) / reports.length, 2),
    peakRssMB: peak.stop().peakRssMB,
  };
}

/**
 * As the ingest Triggers deliver (knative/30-triggers-ingest.yaml): 10 retries,
 * exponential backoff from 0.5 s (0.5, 1, 2, … 256 s), the retried statuses of
 * the Knative data plane; then the dead-letter sink.
 */
async function deliverAsTrigger(
  post: (fixture: HttpFixture) => Promise<number>,
  id: string,
  fixture: HttpFixture,
): Promise<Delivery> {
  const answers: number[] = [];
  for (let attempt = 0; attempt <= TRIGGER_RETRIES; attempt++) {
    const status = await post(fixture).catch(() => 599);
    answers.push(status);
    if (status >= 200 && status < 300) return { id, answers, delivered: true };
    if (!isRetried(status) || attempt === TRIGGER_RETRIES) break;
    await new Promise((resolve) => setTimeout(resolve, TRIGGER_BACKOFF_MS * 2 ** attempt));
  }
  return { id, answers, delivered: false };
}

/** A valid report at the schema's limits: 500 timeline entries with 256-character actions. */
function birthReport(pod: string, container: string, variant: number, timestamp: string): HttpFixture {
  const start = Date.parse(timestamp) - 60_000;
  const timeline = Array.from({ length: MAX_TIMELINE_PER_REPORT }, (_, k) => ({
    timestamp_ms: start + k,
    action: `${container} ${k} ${pod} `.padEnd(256, 'x'),
    actor: 'runtime',
  }));
  const data = {
    pod_name: pod,
    namespace: NAMESPACE,
    container_name: container,
    total_syscalls: 4000 + variant,
    namespace_ops: 6,
    cgroup_writes: 12,
    iptables_rules: 3,
    duration_ns: 100_000_000 + variant,
    timeline,
    ebpf_detection: true,
    timestamp,
  };
  return binaryEvent(EVENT_TYPE.podCreation, data, `big-${container}-${pod}`, {
    'ce-subject': `${NAMESPACE}/${pod}`,
    'ce-time': timestamp,
  });
}

function report(figures: BigBirthsFigures): string {
  return [
    '## A stream of maximum-size birth reports',
    `${figures.pods} pods, one report each per round (500 timeline entries of 256 characters), delivered as the Triggers deliver (10 retries, exponential backoff from 0.5 s). A fresh ingest instance; peak RSS over the phase ${figures.hwmMB} MB; ${figures.alive ? 'alive at the end' : '**the instance died**'}.`,
    '',
    table(
      [
        'concurrency',
        'body',
        'applied',
        'answers (status: count, retries included)',
        'seconds',
        'API requests (verb resource code: count)',
        'function ms/report',
        'peak RSS MB',
      ],
      figures.rounds.map((r) => [
        r.concurrency,
        `${round(r.bodyBytes / 1000, 1)} KB`,
        `${r.applied} / ${r.reports}`,
        JSON.stringify(r.answers),
        r.seconds,
        Object.entries(r.api.byKind)
          .map(([kind, count]) => `${kind}: ${count}`)
          .join(', '),
        r.functionCpuMsPerReport,
        r.peakRssMB,
      ]),
    ),
  ].join('\n');
}
