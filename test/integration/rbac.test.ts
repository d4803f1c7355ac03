import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { CONFIG_MAP, POD, type ResourceType } from '../../lib/api/group.js';
import { KubeApiError } from '../../lib/errors.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import type { KubeConnection } from '../../lib/k8s/client.js';
import { adminApi, freshNamespace, kubectl, kubectlWithInput } from './support/cluster.js';
import { serviceAccountApi } from './support/identity.js';
import { type Rule, recordingForbidden, refusalOf, untilAuthorized } from './support/rbac-access.js';
import { ingestFlow, sweepFlow } from './support/rbac-flows.js';

/**
 * The shipped ServiceAccounts and roles, for real: tokens from the TokenRequest
 * API, the ingest and sweep flows run with them, forbidden things refused with
 * 403 — and every single verb of the shipped rules is needed (the flow fails
 * without it).
 */
const SECRET: ResourceType = { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true };
const RBAC_FILES = ['knative/00-namespace.yaml', 'knative/10-rbac-ingest.yaml', 'knative/11-rbac-sweep.yaml'];
type RoleDocument = { kind: string; metadata: { name: string; namespace?: string }; rules: Rule[] };

let admin: KubeApi & { close(): void };
let namespace: string;
let ingest: KubeConnection;
let sweep: KubeConnection;
/** The 403s each identity met since the last test cleared them. */
const forbidden: Record<'ingest' | 'sweep', string[]> = { ingest: [], sweep: [] };
let iteration = 0;

beforeAll(async () => {
  admin = await adminApi();
  for (const file of RBAC_FILES) await kubectl(['apply', '--server-side', '--force-conflicts', '-f', file]);
  namespace = await freshNamespace(admin, 'rbac');
  const ingestRecorded = recordingForbidden(await serviceAccountApi('kernel-gossip', 'kernel-gossip-ingest'));
  const sweepRecorded = recordingForbidden(await serviceAccountApi('kernel-gossip', 'kernel-gossip-sweep'));
  [ingest, sweep] = [ingestRecorded.api, sweepRecorded.api];
  [forbidden.ingest, forbidden.sweep] = [ingestRecorded.forbidden, sweepRecorded.forbidden];
  for (const file of RBAC_FILES.slice(1))
    for (const entry of verbsOf(file)) await untilAuthorized(subjectOf(entry.role), scopeOf(entry), true);
});
afterAll(async () => {
  for (const file of RBAC_FILES.slice(1)) await kubectl(['apply', '--server-side', '--force-conflicts', '-f', file]);
  admin.close();
  ingest.close();
  sweep.close();
});

function shippedRoles(file: string): RoleDocument[] {
  return parseAllDocuments(readFileSync(path.resolve(file), 'utf8'))
    .map((document) => document.toJSON() as RoleDocument)
    .filter((document) => document.kind === 'ClusterRole' || document.kind === 'Role');
}

/** Every (role, rule, verb) of a file: removing any one of them must break the flow. */
function verbsOf(file: string): { role: RoleDocument; rule: number; verb: string }[] {
  return shippedRoles(file).flatMap((role) =>
    role.rules.flatMap((rule, index) => rule.verbs.map((verb) => ({ role, rule: index, verb }))),
  );
}

/** The shipped roles are bound to the ServiceAccount of the same name (Role or ClusterRole). */
function subjectOf(role: RoleDocument): { namespace: string; serviceAccount: string } {
  const serviceAccount = role.metadata.name.startsWith('kernel-gossip-ingest')
    ? 'kernel-gossip-ingest'
    : 'kernel-gossip-sweep';
  return { namespace: 'kernel-gossip', serviceAccount };
}

function scopeOf(entry: { role: RoleDocument; rule: number; verb: string }) {
  const rule = entry.role.rules[entry.rule];
  if (rule === undefined) throw new Error(`${entry.role.metadata.name} has no rule ${entry.rule}`);
  return { rule, verb: entry.verb, namespace: entry.role.metadata.namespace ?? namespace };
}

async function applyRole(role: RoleDocument): Promise<void> {
  await kubectlWithInput(['apply', '--server-side', '--force-conflicts', '-f', '-'], stringify(role));
}

function without(role: RoleDocument, rule: number, verb: string): RoleDocument {
  const rules = role.rules
    .map((each, index) => (index === rule ? { ...each, verbs: each.verbs.filter((v) => v !== verb) } : each))
    .filter((each) => each.verbs.length > 0);
  return { ...role, rules };
}

describe('least privilege with real ServiceAccount tokens', () => {
  it('lets the ingest flow do everything it needs', async () => {
    expect(await ingestFlow(admin, ingest, namespace, ++iteration)).toEqual([]);
  });

  it('lets the sweep flow do everything it needs', async () => {
    expect(await sweepFlow(admin, sweep, namespace, ++iteration)).toEqual([]);
  });

  it.each([
    ['ingest', () => ingest],
    ['sweep', () => sweep],
  ])('refuses the %s identity Secrets, Pod writes and ConfigMaps elsewhere', async (_name, api) => {
    await expect(
      api().get(SECRET, { namespace: 'kernel-gossip', name: 'kernel-gossip-webhook' }),
    ).rejects.toMatchObject({ statusCode: 403 });
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace, name: 'intruder' },
      spec: { containers: [{ name: 'x', image: 'x' }] },
    };
    await expect(api().create(POD, pod, { fieldManager: 'test' })).rejects.toMatchObject({ statusCode: 403 });
    const configMap = (ns: string, name: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { namespace: ns, name },
      data: { pods: '' },
    });
    await expect(
      api().apply(CONFIG_MAP, configMap(namespace, 'ebpf-monitored-pods'), { fieldManager: 'test' }),
    ).rejects.toMatchObject({ statusCode: 403 });
    await expect(
      api().apply(CONFIG_MAP, configMap('kernel-gossip', 'something-else'), { fieldManager: 'test' }),
    ).rejects.toMatchObject({ statusCode: 403 });
  });

  describe.each([
    ['ingest', 'knative/10-rbac-ingest.yaml', () => ingestFlow(admin, ingest, namespace, ++iteration)],
    ['sweep', 'knative/11-rbac-sweep.yaml', () => sweepFlow(admin, sweep, namespace, ++iteration)],
  ] as const)('every verb the %s role grants is needed', (name, file, flow) => {
    it.each(
      verbsOf(file).map((entry) => [`${entry.role.metadata.name} rule ${entry.rule} ${entry.verb}`, entry] as const),
    )('without %s the flow fails on that 403', async (_label, entry) => {
      const scope = scopeOf(entry);
      await applyRole(without(entry.role, entry.rule, entry.verb));
      try {
        await untilAuthorized(subjectOf(entry.role), scope, false);
        forbidden[name].length = 0;
        expect(await flow()).not.toEqual([]);
        const refusals = refusalOf(scope.rule, entry.verb);
        expect(
          forbidden[name].some((message) => refusals.some((refusal) => refusal.test(message))),
          `no 403 for ${entry.verb} among: ${forbidden[name].join(' | ') || 'none'}`,
        ).toBe(true);
      } finally {
        await applyRole(entry.role);
        await untilAuthorized(subjectOf(entry.role), scope, true);
      }
    });
  });
});

describe('reading the token issuer', () => {
  const DEFAULT = 'system:service-account-issuer-discovery';

  /** The authorizer reads bindings from an informer: asks until the key set is (not) served, 10 s at most. */
  async function untilKeySet(api: KubeConnection, served: boolean): Promise<void> {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(50)) {
      const answer = await api.issuer.keySet().then(
        () => true,
        (error: unknown) => {
          if (error instanceof KubeApiError && error.statusCode === 403) return false;
          throw error;
        },
      );
      if (answer === served) return;
    }
    throw new Error(`the key set was ${served ? 'still refused' : 'still served'} after 10 s`);
  }

  it.each([
    ['ingest', () => ingest],
    ['sweep', () => sweep],
  ] as const)('lets %s read it through the binding the manifests ship', async (name, api) => {
    // Kubernetes binds the role to all ServiceAccounts; some clusters remove that, which ours survives.
    const ours = `kernel-gossip-${name}-issuer-discovery`;
    const saved = JSON.parse(await kubectl(['get', 'clusterrolebinding', DEFAULT, '-o', 'json'])) as {
      metadata: { name: string; labels?: unknown; annotations?: unknown };
    };
    try {
      await kubectl(['delete', 'clusterrolebinding', ours]);
      await kubectl(['delete', 'clusterrolebinding', DEFAULT]);
      await untilKeySet(api(), false);
      await kubectl([
        'apply',
        '--server-side',
        '--force-conflicts',
        '-f',
        `knative/1${name === 'ingest' ? 0 : 1}-rbac-${name}.yaml`,
      ]);
      await untilKeySet(api(), true);
      await expect(api().issuer.discovery()).resolves.toMatchObject({ issuer: expect.any(String) });
    } finally {
      const { name: bindingName, labels, annotations } = saved.metadata;
      const restored = { ...saved, metadata: { name: bindingName, labels, annotations } };
      await kubectlWithInput(['apply', '-f', '-'], JSON.stringify(restored));
      for (const file of RBAC_FILES.slice(1))
        await kubectl(['apply', '--server-side', '--force-conflicts', '-f', file]);
    }
  });
});
