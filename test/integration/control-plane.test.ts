import { randomBytes } from 'node:crypto';
import https from 'node:https';
import { AuthenticationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { beforeAll, describe, expect, inject, it } from 'vitest';

// These tests check the harness itself: that the apiserver is real and secured the way a
// cluster is, so that later integration tests prove something. They use client-node
// directly because the project's own client door is what those later tests exercise.

let admin: KubeConfig;

beforeAll(() => {
  admin = new KubeConfig();
  admin.loadFromFile(inject('kubeconfig'));
});

function currentCluster(kubeConfig: KubeConfig) {
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null) throw new Error('The provided kubeconfig has no current cluster');
  return cluster;
}

/** Status of a GET with the cluster CA trusted and no credentials at all. */
function anonymousStatus(url: string, caPem: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const request = https.get(url, { ca: caPem, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.once('error', reject);
  });
}

// Names are unique per run: the cluster is shared by every test file, and a namespace
// once created is never gone (no kube-controller-manager here to finalize its deletion).
const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

describe('the control plane started for the run', () => {
  it('refuses a request without credentials', async () => {
    const cluster = currentCluster(admin);
    const caPem = Buffer.from(cluster.caData ?? '', 'base64').toString('utf8');

    const status = await anonymousStatus(`${cluster.server}/api`, caPem);

    expect([401, 403]).toContain(status);
  });

  it('serves the admin kubeconfig', async () => {
    const core = admin.makeApiClient(CoreV1Api);
    const name = uniqueName('cp-list');
    await core.createNamespace({ body: { metadata: { name } } });

    const namespaces = await core.listNamespace();

    expect(namespaces.items.map((namespace) => namespace.metadata?.name)).toContain(name);
  });

  it('authenticates a TokenRequest token as its ServiceAccount', async () => {
    const core = admin.makeApiClient(CoreV1Api);
    const namespace = uniqueName('cp-token');
    const name = 'probe';
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
    const tokenRequest = await core.createNamespacedServiceAccountToken({
      name,
      namespace,
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const token = tokenRequest.status?.token;
    expect(token).toBeTypeOf('string');
    const asServiceAccount = new KubeConfig();
    asServiceAccount.loadFromClusterAndUser(currentCluster(admin), { name, token });

    const authentication = asServiceAccount.makeApiClient(AuthenticationV1Api);
    const review = await authentication.createSelfSubjectReview({
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });

    expect(review.status?.userInfo?.username).toBe(`system:serviceaccount:${namespace}:${name}`);
  });
});
