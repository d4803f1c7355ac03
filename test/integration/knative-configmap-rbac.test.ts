import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentsOf, isRecord, knativeDir } from '../unit/packaging/manifests.js';
import { kubectlRun, type Run } from './support/cluster.js';

/**
 * The sweep's Role binds create, not only get/patch, to the name ebpf-monitored-pods. RBAC
 * cannot name-bind a plain POST (its URL has no name), but the sweep writes with server-side
 * apply, a PATCH to .../configmaps/ebpf-monitored-pods, and the API server authorizes the
 * create half of that apply with the name. This proves it with the shipped Role, copied
 * into a namespace of its own so the real ConfigMap other tests use is never touched, and
 * the sweep's identity by impersonation. (The full RBAC test runs the functions with tokens.)
 */

const SWEEP_USER = 'system:serviceaccount:kernel-gossip:kernel-gossip-sweep';
const CONFIG_MAP = 'ebpf-monitored-pods';
const suffix = randomBytes(4).toString('hex');
// Namespaces are never finalized here (no controller-manager), so each run uses new ones.
const home = `kg-cm-rbac-${suffix}`;
const elsewhere = `kg-cm-other-${suffix}`;

const kubectl = kubectlRun;

/** The sweep's server-side apply of the ConfigMap, as the sweep. */
const applyAsSweep = (namespace: string, name = CONFIG_MAP, count = '1'): Promise<Run> =>
  kubectl(
    ['apply', '--server-side', '--field-manager=kernel-gossip-sweep', `--as=${SWEEP_USER}`, '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { count } }),
  );

const forbidden = (result: Run): boolean => result.code !== 0 && result.stderr.includes('(Forbidden)');

beforeAll(async () => {
  const shipped = documentsOf(path.join(knativeDir, '11-rbac-sweep.yaml')).filter(
    (doc) => isRecord(doc) && (doc.kind === 'Role' || doc.kind === 'RoleBinding'),
  );
  expect(shipped).toHaveLength(2);
  const moved = shipped.map((doc) =>
    isRecord(doc) && isRecord(doc.metadata) ? { ...doc, metadata: { ...doc.metadata, namespace: home } } : doc,
  );
  for (const namespace of [home, elsewhere]) {
    expect((await kubectl(['create', 'namespace', namespace])).code).toBe(0);
  }
  const applied = await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: moved }));
  expect(applied.code, applied.stderr).toBe(0);
});

describe('the sweep Role on the monitored-pods ConfigMap', () => {
  it('lets the sweep create it by server-side apply, update it and read it', async () => {
    expect(await applyAsSweep(home, CONFIG_MAP, '1')).toMatchObject({ code: 0 });
    expect(await applyAsSweep(home, CONFIG_MAP, '2')).toMatchObject({ code: 0 });
    const read = await kubectl([
      '-n',
      home,
      'get',
      'configmap',
      CONFIG_MAP,
      `--as=${SWEEP_USER}`,
      '-o',
      'jsonpath={.data.count}',
    ]);
    expect(read).toMatchObject({ code: 0, stdout: '2' });
  });

  it('refuses a plain create (POST) of it, so the sweep must use server-side apply', async () => {
    const result = await kubectl(
      ['create', `--as=${SWEEP_USER}`, '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: CONFIG_MAP, namespace: home } }),
    );
    expect(forbidden(result), result.stderr).toBe(true);
  });

  it('refuses any other ConfigMap in its namespace', async () => {
    const result = await applyAsSweep(home, 'some-other-config');
    expect(forbidden(result), result.stderr).toBe(true);
  });

  it('refuses the same ConfigMap in another namespace', async () => {
    const result = await applyAsSweep(elsewhere);
    expect(forbidden(result), result.stderr).toBe(true);
  });
});
