import { EVENT_TYPE } from '../../lib/events/types.js';
import { binaryEvent, type HttpFixture } from '../fixtures/events.js';
import { type ApiTally, counted } from './api-counts.js';
import { cpuBetween, cpuTimes } from './cpu.js';
import { functionClient, sendEvent } from './http-client.js';
import { closedLoop } from './load.js';
import { sampleMemory } from './memory.js';
import type { Bench } from './phase.js';
import type { ScalePod } from './scale-cluster.js';
import { round } from './stats.js';
import { birthEvent, throttleEvent } from './workload.js';

/**
 * Ingest in a large cluster, the way a node's observer reports: by pod UID
 * and node name, no pod name, so every event goes through identity resolution
 * (a listing of the node's pods, then pointers). A fresh instance per size;
 * new states for 1,000 pods spread evenly over the nodes, a KernelWhisper and
 * a certificate each. Then, once, events without node_name: the whole
 * cluster is listed (at most once per 30 s).
 */
export type IngestAtSize = {
  readonly pods: number;
  readonly events: number;
  readonly concurrency: number;
  readonly seconds: number;
  readonly eventsPerS: number;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly failed: number;
  readonly firstError?: string;
  readonly api: ApiTally;
  readonly functionCpuMsPerEvent: number;
  readonly hwmMB: number;
};

const SAMPLED_PODS = 1_000;
const CONCURRENCY = 16;

export async function measureIngestAt(
  bench: Bench,
  clusterPods: number,
  candidates: readonly ScalePod[],
  options: { readonly withoutNode?: boolean; readonly sampled?: number } = {},
): Promise<IngestAtSize> {
  const sampled = spread(candidates, options.sampled ?? SAMPLED_PODS);
  const events = sampled.flatMap((pod, i) => identityEvents(bench, pod, i, options.withoutNode === true));
  const label = options.withoutNode === true ? 'without node_name' : 'by node';
  const fn = await bench.spawn('ingest', `ingest-${label.replace(/\W+/g, '-')}-${clusterPods}`);
  const client = functionClient(fn.port, CONCURRENCY);
  const memory = sampleMemory(fn.pid, 100);
  try {
    bench.progress(`ingest ${label} with ${clusterPods} pods in the cluster: ${events.length} events`);
    const outcomes: Record<string, number> = {};
    const cpuBefore = cpuTimes({ function: fn.pid });
    const { result, api } = await counted(bench.cluster.transport, () =>
      closedLoop(events, { concurrency: CONCURRENCY, maxMs: 10 * 60_000 }, async (event) => {
        const outcome = await sendEvent(client, event);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }),
    );
    const cpu = cpuBetween(cpuBefore, cpuTimes({ function: fn.pid }));
    return {
      pods: clusterPods,
      events: events.length,
      concurrency: CONCURRENCY,
      seconds: round(result.elapsedMs / 1000, 1),
      eventsPerS: result.eventsPerS,
      outcomes,
      failed: result.failed,
      ...(result.firstError === undefined ? {} : { firstError: result.firstError }),
      api,
      functionCpuMsPerEvent: round((cpu.function ?? Number.NaN) / events.length, 2),
      hwmMB: memory.stop().hwmMB,
    };
  } finally {
    client.close();
    await fn.stop();
  }
}

/** `count` pods taken at an even stride, so every node of the list gets its share. */
function spread(pods: readonly ScalePod[], count: number): ScalePod[] {
  const stride = Math.max(1, Math.floor(pods.length / count));
  return pods.filter((_, i) => i % stride === 0).slice(0, count);
}

/** A throttle report and a birth report naming the pod by UID (and node), as an observer that reads cgroups does. */
function identityEvents(bench: Bench, pod: ScalePod, variant: number, withoutNode: boolean): HttpFixture[] {
  const identity = { pod_uid: pod.uid, ...(withoutNode ? {} : { node_name: pod.node }) };
  return [throttleEvent, birthEvent].map((make, kind) => {
    const { type, id, data, timestamp } = make(pod.namespace, pod.name, bench.clock, variant, '');
    const { pod_name: _name, namespace: _namespace, ...rest } = data;
    const body = type === EVENT_TYPE.cpuThrottle ? { ...rest, container_name: 'app' } : rest;
    const fixture = binaryEvent(type, { ...body, ...identity }, `${id}scale-${pod.uid}-${kind}-${timestamp}`, {
      'ce-time': timestamp,
    });
    // An observer that reads cgroups does not know the pod's name, so it sends no subject either.
    const { 'ce-subject': _subject, ...headers } = fixture.headers;
    return { headers, body: fixture.body };
  });
}
