import { KERNEL_WHISPER, POD } from '../../lib/api/group.js';
import { kernelWhisperName } from '../../lib/api/names.js';
import { connectKubeApi } from '../../lib/k8s/client.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import { objectPath, writeQuery } from '../../lib/k8s/paths.js';
import type { HttpResult } from '../../lib/k8s/transport.js';
import { mapBounded } from '../../lib/map-bounded.js';
import { CeilingWriter } from './ceiling.js';
import { createNamespace, createPods, podNames } from './cluster.js';
import { cpuBetween, cpuTimes } from './cpu.js';
import type { IngestContext } from './ingest-context.js';
import { round } from './stats.js';
import { newStates } from './workload.js';

/**
 * What each kind of request costs the API server and etcd, measured alone:
 * the candidates for the function's extra API-server CPU per event over the
 * ceiling. Each probe sends its requests at the same concurrency; the CPU of
 * kube-apiserver + etcd over the probe, per request.
 *
 * - pod reads as the function makes them (a quorum read through etcd), and
 *   from the watch cache (`resourceVersion=0`);
 * - connection churn: the ceiling's writes over a new TLS connection per event
 *   against the same writes over kept-alive connections;
 * - content type and request shape: a status as a server-side apply
 *   (`application/apply-patch+yaml`, which the API server reads as YAML) against
 *   the same status as a JSON merge patch.
 */
export type ApiCost = { readonly probe: string; readonly requests: number; readonly apiServerMsPerRequest: number };

const NAMESPACE = 'bench-costs';
const PODS = 100;
const CONCURRENCY = 4;

export async function measureApiCosts(context: IngestContext): Promise<ApiCost[]> {
  const { cluster } = context;
  await createNamespace(cluster.api, NAMESPACE);
  const pods = podNames('cost', PODS);
  const created = await createPods(cluster.api, NAMESPACE, pods);
  const costs: ApiCost[] = [];
  const probe = async (name: string, perItem: number, items: number, work: (i: number) => Promise<unknown>) => {
    const before = cpuTimes(context.probes.pids);
    await mapBounded(
      Array.from({ length: items }, (_, i) => i),
      CONCURRENCY,
      work,
    );
    const cpu = cpuBetween(before, cpuTimes(context.probes.pids));
    const ms = (cpu.apiserver ?? Number.NaN) + (cpu.etcd ?? 0);
    costs.push({ probe: name, requests: items * perItem, apiServerMsPerRequest: round(ms / (items * perItem), 3) });
  };
  const pod = (i: number) => pods[i % PODS] ?? 'cost-00000';
  await probe('GET pod (a quorum read, as the function reads pods)', 1, 4 * PODS, (i) =>
    cluster.api.get(POD, { namespace: NAMESPACE, name: pod(i) }),
  );
  await probe('GET pod ?resourceVersion=0 (from the watch cache)', 1, 4 * PODS, async (i) =>
    ok(await cluster.transport.request('get', 'GET', `${objectPath(POD, NAMESPACE, pod(i))}?resourceVersion=0`)),
  );
  const ceiling = new CeilingWriter(
    cluster.api,
    new Map([...created].map(([name, pod]) => [`${NAMESPACE}/${name}`, pod])),
  );
  // Three rounds of new states: one creates the objects, one per probe below.
  const [create, kept, churned] = [0, 1, 2].map((round) => newStates(NAMESPACE, pods, context.clock, round, 1));
  await mapBounded(create ?? [], CONCURRENCY, (event) => ceiling.write(event));
  await probe('ceiling event (spec + status apply) over kept-alive connections', 2, kept?.length ?? 0, (i) =>
    ceiling.write(kept?.[i] ?? missing()),
  );
  await probe(
    'ceiling event (spec + status apply) over a new TLS connection each',
    2,
    churned?.length ?? 0,
    async (i) => {
      const fresh = await connectKubeApi({ kubeconfigPath: cluster.controlPlane.kubeconfigPath });
      try {
        await ceiling.write(churned?.[i] ?? missing(), fresh);
      } finally {
        fresh.close();
      }
    },
  );
  const stored = await mapBounded(pods, CONCURRENCY, (name) =>
    cluster.api.get<KubeObject & { status?: Record<string, unknown> }>(KERNEL_WHISPER, {
      namespace: NAMESPACE,
      name: kernelWhisperName(name, 'app'),
    }),
  );
  const statusBody = (i: number, apply: boolean) => {
    const object = stored[i % PODS];
    const status = { ...object?.status, insight: `probe ${i}` };
    const metadata = { name: object?.metadata.name, namespace: NAMESPACE };
    return apply ? { apiVersion: object?.apiVersion, kind: object?.kind, metadata, status } : { status };
  };
  const statusPath = (i: number) =>
    objectPath(KERNEL_WHISPER, NAMESPACE, stored[i % PODS]?.metadata.name ?? '', 'status');
  await probe('status as server-side apply (application/apply-patch+yaml)', 1, 4 * PODS, async (i) =>
    ok(
      await cluster.transport.request('apply', 'PATCH', statusPath(i) + writeQuery('bench-probe', true), {
        contentType: 'application/apply-patch+yaml',
        json: statusBody(i, true),
      }),
    ),
  );
  await probe('the same status as a JSON merge patch (application/merge-patch+json)', 1, 4 * PODS, async (i) =>
    ok(
      await cluster.transport.request('patch', 'PATCH', statusPath(i) + writeQuery('bench-probe', false), {
        contentType: 'application/merge-patch+json',
        json: statusBody(i + 1, false),
      }),
    ),
  );
  return costs;
}

function ok(result: HttpResult): void {
  if (result.status >= 300) throw new Error(`api-costs: the API server answered ${result.status}`);
}

function missing(): never {
  throw new Error('api-costs: ran out of events');
}
