import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import * as v from 'valibot';
import { inject } from 'vitest';
import { GROUP, VERSION } from '../../../lib/api/group.js';
import { issueFromTestCa } from '../../controlplane/certs.js';
import { kubectl, kubectlRun, kubectlWithInput } from '../../integration/support/cluster.js';

/**
 * Makes the real API server answer 409 Conflict to the first `count` writes of
 * KernelWhispers in one namespace: a validating admission webhook of ours (served here,
 * with a certificate from the control plane's CA) denies them with code 409, which the API
 * server passes on to the client as it is. What the function sees is exactly what it sees
 * when another writer changed the object under it.
 */
const AdmissionReviewSchema = v.object({
  request: v.object({ uid: v.string(), kind: v.object({ kind: v.string() }), name: v.optional(v.string()) }),
});
/** The ConfigMap that only `untilActive` ever writes (dry-run): every other one, such as the sweep's, passes. */
const PROBE = 'conflict-webhook-probe';

export type ConflictWebhook = { readonly denied: () => number; remove(): Promise<void> };

export async function conflictOnFirstWrites(namespace: string, count: number): Promise<ConflictWebhook> {
  const pki = path.join(inject('controlPlaneDataDir'), 'pki');
  const { cert, key } = await issueFromTestCa(pki, `webhook-${namespace}`, '/CN=conflict-webhook', 'serverAuth');
  let denied = 0;
  const server = https.createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const { request: asked } = v.parse(AdmissionReviewSchema, JSON.parse(body));
      const probe = asked.kind.kind === 'ConfigMap';
      const deny = probe ? asked.name === PROBE : denied < count;
      if (deny && !probe) denied++;
      const uid = asked.uid;
      const status = { code: 409, reason: 'Conflict', message: 'the object has been modified (test webhook)' };
      const review = { uid, allowed: !deny, ...(deny ? { status } : {}) };
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: review }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const name = `conflict-${namespace}`;
  await kubectlWithInput(['apply', '-f', '-'], JSON.stringify(configuration(name, namespace, port, pki)));
  await untilActive(namespace);
  return {
    denied: () => denied,
    async remove() {
      await kubectl(['delete', 'validatingwebhookconfiguration', name]);
      // The API server may keep a connection to the webhook open; close() alone would wait for it.
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * The API server picks up webhook configurations asynchronously. A second webhook of the
 * same configuration refuses one ConfigMap name in the namespace; once a dry-run create of it
 * is refused, both are in force, and no KernelWhisper write has been spent on finding out.
 */
async function untilActive(namespace: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const result = await kubectlRun(['create', 'configmap', PROBE, '-n', namespace, '--dry-run=server']);
    if (result.code !== 0 && result.stderr.includes('test webhook')) return;
    if (Date.now() > deadline) throw new Error(`The conflict webhook did not take effect: ${result.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function configuration(name: string, namespace: string, port: number, pki: string): unknown {
  const common = {
    clientConfig: {
      url: `https://127.0.0.1:${port}/`,
      caBundle: readFileSync(path.join(pki, 'ca.crt')).toString('base64'),
    },
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    failurePolicy: 'Fail',
    timeoutSeconds: 5,
  };
  const rule = (apiGroup: string, version: string, resource: string) => ({
    apiGroups: [apiGroup],
    apiVersions: [version],
    operations: ['CREATE', 'UPDATE'],
    resources: [resource],
    scope: 'Namespaced',
  });
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name },
    webhooks: [
      { name: 'conflict.kernel-gossip.test', rules: [rule(GROUP, VERSION, 'kernelwhispers')], ...common },
      { name: 'probe.kernel-gossip.test', rules: [rule('', 'v1', 'configmaps')], ...common },
    ],
  };
}
