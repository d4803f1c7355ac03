import type { Transport } from '../../lib/k8s/transport.js';

/**
 * API requests as the API server itself counts them (`apiserver_request_total`
 * on its /metrics), so what a phase costs is measured where it is paid and
 * cannot be flattered by the client's own bookkeeping. Phases run one after
 * another and the bench makes no other requests meanwhile, so the difference
 * of two scrapes is what one phase issued.
 */
export type RequestCounts = ReadonlyMap<string, number>;

/**
 * Our resources, the pods the functions read, and what else they may write (the
 * monitored-pods ConfigMap, Kubernetes Events). Not counted: the API server's own
 * housekeeping (leases), which runs on its own clock.
 */
export const COUNTED_RESOURCES = [
  'kernelwhispers',
  'podbirthcertificates',
  'workloadwhispers',
  'pods',
  'configmaps',
  'events',
] as const;
const COUNTED = new Set<string>(COUNTED_RESOURCES);
/** Verbs that change (or try to change) stored state; SSA is counted as APPLY. */
const WRITE_VERBS = new Set(['APPLY', 'PATCH', 'POST', 'PUT', 'CREATE', 'UPDATE', 'DELETE', 'DELETECOLLECTION']);

const SAMPLE = /^apiserver_request_total\{([^}]*)\}\s+(\S+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

export async function readRequestCounts(transport: Transport): Promise<RequestCounts> {
  const response = await transport.request('metrics', 'GET', '/metrics');
  if (response.status !== 200 || typeof response.body !== 'string')
    throw new Error(`API server /metrics answered ${response.status}`);
  const counts = new Map<string, number>();
  for (const line of response.body.split('\n')) {
    const match = SAMPLE.exec(line);
    if (match === null) continue;
    const labels = Object.fromEntries([...(match[1] ?? '').matchAll(LABEL)].map((m) => [m[1] ?? '', m[2] ?? '']));
    const resource = labels.resource ?? '';
    if (!COUNTED.has(resource)) continue;
    const sub = labels.subresource ?? '';
    const key = `${labels.verb ?? '?'} ${resource}${sub === '' ? '' : `/${sub}`} ${labels.code ?? '?'}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(match[2]));
  }
  return counts;
}

/** Requests in one phase: total, writes, and by "VERB resource[/sub] code". */
export type ApiTally = {
  readonly total: number;
  readonly writes: number;
  readonly byKind: Readonly<Record<string, number>>;
};

export function tallyBetween(before: RequestCounts, after: RequestCounts): ApiTally {
  let total = 0;
  let writes = 0;
  const byKind: Record<string, number> = {};
  for (const [key, value] of after) {
    const added = value - (before.get(key) ?? 0);
    if (added <= 0) continue;
    total += added;
    if (WRITE_VERBS.has(key.split(' ')[0] ?? '')) writes += added;
    byKind[key] = added;
  }
  return { total, writes, byKind };
}

/** Writes on some resources only, e.g. our two kinds apart from Kubernetes Events. */
export function writesOn(tally: ApiTally, resources: readonly string[]): number {
  let writes = 0;
  for (const [kind, count] of Object.entries(tally.byKind)) {
    const [verb = '', target = ''] = kind.split(' ');
    if (WRITE_VERBS.has(verb) && resources.includes(target.split('/')[0] ?? '')) writes += count;
  }
  return writes;
}

export function sumTallies(tallies: readonly ApiTally[]): ApiTally {
  const byKind: Record<string, number> = {};
  for (const tally of tallies)
    for (const [kind, count] of Object.entries(tally.byKind)) byKind[kind] = (byKind[kind] ?? 0) + count;
  return {
    total: tallies.reduce((sum, t) => sum + t.total, 0),
    writes: tallies.reduce((sum, t) => sum + t.writes, 0),
    byKind,
  };
}

/** Runs a phase and returns its result with the API requests it issued. */
export async function counted<T>(transport: Transport, phase: () => Promise<T>): Promise<{ result: T; api: ApiTally }> {
  const before = await readRequestCounts(transport);
  const result = await phase();
  const after = await readRequestCounts(transport);
  return { result, api: tallyBetween(before, after) };
}
