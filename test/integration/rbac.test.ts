import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { CONFIG_MAP, POD, type ResourceType } from '../../lib/api/group.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import type { KubeConnection } from '../../lib/k8s/client.js';
import { adminApi, freshNamespace, kubectl, kubectlWithInput } from './support/cluster.js';
import { serviceAccountApi } from './support/identity.js';
import { ingestFlow, sweepFlow } from './support/rbac-flows.js';

/**
 * The shipped ServiceAccounts and roles, for real: tokens from the TokenRequest
 * API, the ingest and sweep flows run with them, forbidden things refused with
 * 403 — and every single verb of the shipped rules is needed (the flow fails
 * without it).
 */
const SECRET: ResourceType = { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true };
const RBAC_FILES = ['knative/00-namespace.yaml', 'knative/10-rbac-ingest.yaml', 'knative/11-rbac-sweep.yaml'];
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
type RoleDocument = { kind: string; metadata: { name: string; namespace?: string }; rules: Rule[] };

let admin: KubeApi & { close(): void };
let namespace: string;
let ingest: KubeConnection;
let sweep: KubeConnection;
let iteration = 0;

beforeAll(async () => {
  admin = await adminApi();
  for (const file of RBAC_FILES) await kubectl(['apply', '--server-side', '--force-conflicts', '-f', file]);
  namespace = await freshNamespace(admin, 'rbac');
  ingest = await serviceAccountApi('kernel-gossip', 'kernel-gossip-ingest');
  sweep = await serviceAccountApi('kernel-gossip', 'kernel-gossip-sweep');
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

async function applyRole(role: RoleDocument): Promise<void> {
  await kubectlWithInput(['apply', '--server-side', '--force-conflicts', '-f', '-'], stringify(role));
  // The RBAC authorizer reads roles from an informer: give it a moment to see the change.
  await new Promise((resolve) => setTimeout(resolve, 500));
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
  ] as const)('every verb the %s role grants is needed', (_name, file, flow) => {
    it.each(
      verbsOf(file).map((entry) => [`${entry.role.metadata.name} rule ${entry.rule} ${entry.verb}`, entry] as const),
    )('without %s the flow fails', async (_label, entry) => {
      await applyRole(without(entry.role, entry.rule, entry.verb));
      try {
        expect(await flow()).not.toEqual([]);
      } finally {
        await applyRole(entry.role);
      }
    });
  });
});

describe('reading the token issuer, with the default binding gone', () => {
  const DEFAULT = 'system:service-account-issuer-discovery';
  const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

  it.each([
    ['ingest', () => ingest],
    ['sweep', () => sweep],
  ] as const)('needs the %s binding the manifests ship', async (name, api) => {
    // Kubernetes binds the role to all ServiceAccounts; some clusters remove that, which ours survives.
    const saved = JSON.parse(await kubectl(['get', 'clusterrolebinding', DEFAULT, '-o', 'json'])) as {
      metadata: { name: string; labels?: unknown; annotations?: unknown };
    };
    await kubectl(['delete', 'clusterrolebinding', DEFAULT]);
    try {
      await settle();
      await expect(api().issuer.discovery()).resolves.toMatchObject({ issuer: expect.any(String) });
      await expect(api().issuer.keySet()).resolves.toMatchObject({ keys: [expect.anything()] });
      await kubectl(['delete', 'clusterrolebinding', `kernel-gossip-${name}-issuer-discovery`]);
      await settle();
      await expect(api().issuer.keySet()).rejects.toMatchObject({ statusCode: 403 });
    } finally {
      const { name: bindingName, labels, annotations } = saved.metadata;
      const restored = { ...saved, metadata: { name: bindingName, labels, annotations } };
      await kubectlWithInput(['apply', '-f', '-'], JSON.stringify(restored));
      for (const file of RBAC_FILES.slice(1))
        await kubectl(['apply', '--server-side', '--force-conflicts', '-f', file]);
    }
  });
});
