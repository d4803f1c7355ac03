import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeApi } from '../../lib/k8s/api.js';
import { createViewerApp } from '../../lib/viewer/app.js';
import { startViewer } from '../../lib/viewer/serve.js';
import { adminApi, freshNamespace, kubectlRun, kubectlWithInput } from './support/cluster.js';
import { serviceAccountApi } from './support/identity.js';
import { seedCertificate } from './sweep-support.js';

/**
 * The viewer shows exactly what the person's credentials may read: a reader
 * bound to one namespace sees that namespace's certificates, the API server's
 * refusal for everything else, and the viewer listens on loopback only.
 */
let admin: KubeApi & { close(): void };
let reader: KubeApi & { close(): void };
let mine: string;
let theirs: string;
const LOCAL = { headers: { host: '127.0.0.1:8090' } };

beforeAll(async () => {
  admin = await adminApi();
  [mine, theirs] = [await freshNamespace(admin, 'viewer-mine'), await freshNamespace(admin, 'viewer-theirs')];
  await seedCertificate(admin, mine, 'visible-pod');
  await seedCertificate(admin, theirs, 'hidden-pod');
  await kubectlWithInput(['apply', '-f', '-'], readerRbac(mine));
  await until(async () => (await kubectlRun(canI(mine))).stdout.trim() === 'yes');
  reader = await serviceAccountApi(mine, 'reader');
});
afterAll(() => {
  admin?.close();
  reader?.close();
});

describe('the viewer with a namespace-bound reader', () => {
  it('lists its namespace, and says what the API server refused elsewhere', async () => {
    const app = createViewerApp(reader);
    const own = await (await app.request(`/?namespace=${mine}`, LOCAL)).text();
    expect(own).toContain(`href="/birth/${mine}/visible-pod"`);
    const everywhere = await (await app.request('/', LOCAL)).text();
    expect(everywhere).not.toContain('hidden-pod');
    expect(everywhere).toMatch(/Could not list podbirthcertificates: .*403.*forbidden/);
    const other = await app.request(`/birth/${theirs}/hidden-pod`, LOCAL);
    expect(other.status).toBe(403);
    expect(await other.text()).not.toContain('4521');
    expect((await app.request(`/birth/${mine}/visible-pod`, LOCAL)).status).toBe(200);
  });

  it('listens on 127.0.0.1 only', async () => {
    const viewer = await startViewer(reader, 0);
    try {
      expect(viewer.address).toBe('127.0.0.1');
      const response = await fetch(`${viewer.url}?namespace=${mine}`);
      expect(response.status).toBe(200);
    } finally {
      await viewer.close();
    }
  });
});

function readerRbac(namespace: string): string {
  return `
apiVersion: v1
kind: ServiceAccount
metadata: { name: reader, namespace: ${namespace} }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: kernel-gossip-reader, namespace: ${namespace} }
rules:
  - apiGroups: [kernel.gossip.io]
    resources: [podbirthcertificates, kernelwhispers]
    verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: kernel-gossip-reader, namespace: ${namespace} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: kernel-gossip-reader }
subjects: [{ kind: ServiceAccount, name: reader, namespace: ${namespace} }]
`;
}

function canI(namespace: string): string[] {
  return [
    'auth',
    'can-i',
    'list',
    'podbirthcertificates.kernel.gossip.io',
    '-n',
    namespace,
    `--as=system:serviceaccount:${namespace}:reader`,
  ];
}

/** The RBAC authorizer learns of new bindings through an informer: wait until it answers yes (at most 10 s). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the RBAC binding never took effect');
}
