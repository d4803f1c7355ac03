import { isDeepStrictEqual } from 'node:util';
import { count } from './coverage.js';
import type { Answer } from './ingest.js';
import { canonical, FIELD_MANAGER } from './rules.js';
import { listObjects, type System, snapshot } from './system.js';
import { modelViews, type ObjectView, podEventKey, realViews } from './views.js';
import type { SentRequest, World } from './world.js';

/** Comparisons of the real cluster with the model; each failure says what differs. */
export class ModelMismatch extends Error {
  override readonly name = 'ModelMismatch';
}

export async function checkObjects(world: World, system: System): Promise<void> {
  compareViews(modelViews(world), realViews((await listObjects(system)) as never[]));
}

function compareViews(expected: readonly ObjectView[], actual: readonly ObjectView[]): void {
  if (isDeepStrictEqual(expected, actual)) return;
  const names = [...new Set([...expected, ...actual].map((view) => view.object))].sort();
  const lines = names.flatMap((name) => {
    const want = expected.find((view) => view.object === name);
    const got = actual.find((view) => view.object === name);
    if (isDeepStrictEqual(want, got)) return [];
    return [`${name}:`, `  model: ${describe(want)}`, `  real:  ${describe(got)}`];
  });
  throw new ModelMismatch(`objects differ from the model\n${lines.join('\n')}`);
}

function describe(view: ObjectView | undefined): string {
  return view === undefined ? '(absent)' : canonical(view);
}

/** Objects, pod Events, the monitored-pods ConfigMap and who owns which field, after a sequence. */
export async function checkAll(world: World, system: System): Promise<void> {
  const real = await snapshot(system);
  compareViews(modelViews(world), realViews(real.objects as never[]));
  const events = [...new Set(real.podEvents.map((event) => podEventKey(event as never)))].sort();
  const expected = [...world.podEvents].sort();
  if (!isDeepStrictEqual(events, expected))
    throw new ModelMismatch(`pod Events differ\n  model: ${expected.join(' ')}\n  real:  ${events.join(' ')}`);
  if (world.monitoredPods !== undefined && real.monitoredPods !== world.monitoredPods)
    throw new ModelMismatch(
      `ebpf-monitored-pods differ\n  model: ${world.monitoredPods}\n  real:  ${real.monitoredPods}`,
    );
  await checkOwnership(system);
}

type ManagedFields = { manager: string; subresource?: string; fieldsV1?: Record<string, unknown> }[];

/**
 * docs/design.md "Field ownership": kernel-gossip-ingest owns the spec and every
 * status field derived from it; kernel-gossip-sweep owns only its conditions
 * (PodGone, Invalid). The real server's managedFields say who owns what.
 */
async function checkOwnership(system: System): Promise<void> {
  for (const plural of ['kernelwhispers', 'podbirthcertificates']) {
    const path = `/apis/kernel.gossip.io/v1alpha1/namespaces/${system.namespace}/${plural}`;
    const result = await system.cluster.request('GET', path);
    const items = (result.body as { items?: { metadata: { name: string; managedFields?: ManagedFields } }[] }).items;
    for (const item of items ?? []) {
      const problem = ownershipProblem(item.metadata.managedFields ?? []);
      if (problem !== undefined) throw new ModelMismatch(`${plural}/${item.metadata.name}: ${problem}`);
    }
  }
}

const SWEEP_CONDITIONS = ['k:{"type":"PodGone"}', 'k:{"type":"Invalid"}'];

export function ownershipProblem(entries: ManagedFields): string | undefined {
  for (const entry of entries.filter((item) => item.subresource === 'status')) {
    const status = (entry.fieldsV1?.['f:status'] ?? {}) as Record<string, unknown>;
    const conditions = Object.keys((status['f:conditions'] ?? {}) as Record<string, unknown>).filter((k) => k !== '.');
    if (entry.manager === FIELD_MANAGER.sweep) {
      const other = Object.keys(status).filter((key) => key !== 'f:conditions' && key !== '.');
      const foreign = conditions.filter((key) => !SWEEP_CONDITIONS.includes(key));
      if (other.length + foreign.length > 0)
        return `${FIELD_MANAGER.sweep} owns status fields it does not compute: ${[...other, ...foreign].join(', ')}`;
    } else if (entry.manager === FIELD_MANAGER.ingest) {
      const foreign = conditions.filter((key) => SWEEP_CONDITIONS.includes(key));
      if (foreign.length > 0) return `${FIELD_MANAGER.ingest} owns the sweep's ${foreign.join(', ')}`;
    } else if (entry.manager !== 'before-first-apply') {
      return `an unexpected manager ${entry.manager} owns status fields`;
    }
  }
  return undefined;
}

/** The HTTP answer the model gives, against the real one. */
export async function checkAnswer(
  expected: readonly Answer[],
  response: Response,
  request: SentRequest,
  what: string,
): Promise<void> {
  const actual = await answerOf(response.clone(), request);
  const body = actual.status === 202 ? {} : ((await response.json().catch(() => ({}))) as { error?: string });
  const why = (response.headers.get('kernel-gossip-reason') ?? '')
    .replace(/model-[0-9a-f]+\/p\d|UID [0-9a-f-]+|\(UID [^)]*\)/g, '')
    .slice(0, 40);
  const reason =
    actual.status === 202 ? `${actual.result} ${actual.result === 'skipped' ? why : ''}` : (body.error ?? 'webhook');
  count(`answer ${actual.status} ${reason}`);
  const matches = expected.some((answer) => isDeepStrictEqual(answer, actual));
  if (!matches)
    throw new ModelMismatch(
      `${what}: answered ${canonical(actual)}, the model says ${expected.map((answer) => canonical(answer)).join(' or ')}`,
    );
}

async function answerOf(response: Response, request: SentRequest): Promise<Answer> {
  if (request.path.startsWith('/webhook/')) {
    if (response.status !== 200) return { status: response.status } as Answer;
    const body = (await response.json()) as { status?: string; message?: string };
    // The webhook says accepted for applied, unchanged and stale alike; its message names which.
    const result = body.status === 'skipped' ? 'skipped' : resultFromMessage(body.message ?? '');
    return { status: 202, result };
  }
  if (response.status !== 202) return { status: response.status } as Answer;
  return { status: 202, result: (response.headers.get('kernel-gossip-outcome') ?? '') as 'applied' };
}

function resultFromMessage(message: string): 'applied' | 'unchanged' | 'stale' {
  if (message === 'applied') return 'applied';
  return message.startsWith('already up to date') ? 'unchanged' : 'stale';
}
