import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as v from 'valibot';
import { parseAllDocuments } from 'yaml';
import { type KubectlTarget, runKubectl } from '../controlplane/kubectl.js';
import { knativeCrds } from '../upstream/crds.js';
import type { KnativeModuleDirs } from '../upstream/modules.js';

/**
 * What Knative Eventing's release would install, minus its webhook, from the files of the
 * pinned module, into an API server that runs no kube-controller-manager. The differences
 * (each one a fact of this control plane, not of Knative; docs/design.md lists them):
 * - no eventing webhook: conversion webhooks become `None`, no webhook configurations, and
 *   what it would default is set by whoever creates the objects (local-manifests.ts);
 * - no Deployment controller: the Deployments the reconcilers look at are marked Available
 *   through their status subresource, and the Endpoints of their Services get an address
 *   (a 10.x one: loopback is refused by validation; nothing ever dials it).
 */
export const SYSTEM_NAMESPACE = 'knative-eventing';

const ManifestSchema = v.looseObject({
  apiVersion: v.string(),
  kind: v.string(),
  metadata: v.looseObject({ name: v.string() }),
});
type Manifest = v.InferOutput<typeof ManifestSchema>;
const ConversionSchema = v.looseObject({ conversion: v.looseObject({ strategy: v.literal('Webhook') }) });

/** The Deployments whose availability a reconciler checks, and the Services in front of them. */
const DEPLOYMENT_FILES = [
  'config/channels/in-memory-channel/deployments/dispatcher.yaml',
  'config/channels/in-memory-channel/deployments/dispatcher-service.yaml',
  'config/brokers/mt-channel-broker/deployments/broker-ingress.yaml',
  'config/brokers/mt-channel-broker/deployments/broker-filter.yaml',
  'config/core/deployments/pingsource-mt-adapter.yaml',
] as const;
const ENDPOINTS = ['imc-dispatcher', 'broker-ingress', 'broker-filter'] as const;

export async function installEventing(
  target: KubectlTarget,
  dirs: KnativeModuleDirs,
  features: Readonly<Record<string, string>>,
): Promise<void> {
  const eventing = (file: string): string => path.join(dirs.eventing, file);
  const crds = knativeCrds(dirs).filter((crd) => crd.file.startsWith(dirs.eventing));
  const configMaps = ['config/core/configmaps/', 'config/channels/in-memory-channel/configmaps/'].flatMap((folder) =>
    yamlFiles(eventing(folder)).flatMap(manifestsIn),
  );
  const deployments = DEPLOYMENT_FILES.flatMap((file) => manifestsIn(eventing(file)));
  // One apply (kubectl starts once; the namespace comes first), then everything that waits, side by side.
  await apply(target, [
    ...manifestsIn(eventing('config/core/100-namespace.yaml')),
    ...[...new Set(crds.map((crd) => crd.file))].flatMap(manifestsIn).map(withoutConversionWebhook),
    ...configMaps.map((object) => withFeatures(object, features)),
    ...manifestsIn(eventing('config/channels/in-memory-channel/webhooks/secret.yaml')),
    // The identity the Broker ingress sends to its channel as, with sender identity on.
    ...manifestsIn(eventing('config/brokers/mt-channel-broker/roles/ingress-serviceaccount-oidc.yaml')),
    ...deployments,
    ...ENDPOINTS.map(endpoints),
  ]);
  const established = ['wait', '--for=condition=Established', '--timeout=60s'];
  await Promise.all([
    runKubectl(target, [...established, ...crds.map((crd) => `crd/${crd.name}`)]),
    ...deployments
      .filter((object) => object.kind === 'Deployment')
      .map((deployment) =>
        runKubectl(target, [
          ...['-n', SYSTEM_NAMESPACE, 'patch', 'deployment', deployment.metadata.name, '--subresource=status'],
          ...['--type=merge', '-p', JSON.stringify(AVAILABLE)],
        ]),
      ),
  ]);
}

const AVAILABLE = {
  status: {
    replicas: 1,
    readyReplicas: 1,
    availableReplicas: 1,
    updatedReplicas: 1,
    conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }],
  },
};

function apply(target: KubectlTarget, items: readonly unknown[]): Promise<string> {
  const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
  return runKubectl(target, ['apply', '--server-side', '--force-conflicts', '-f', '-'], list);
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => path.join(dir, name));
}

function manifestsIn(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).flatMap((document) => {
    const parsed = v.safeParse(ManifestSchema, document.toJS());
    return parsed.success ? [parsed.output] : [];
  });
}

function withoutConversionWebhook(object: Manifest): Manifest {
  const conversion = v.safeParse(ConversionSchema, object.spec);
  if (object.kind !== 'CustomResourceDefinition' || !conversion.success) return object;
  return { ...object, spec: { ...conversion.output, conversion: { strategy: 'None' } } };
}

function withFeatures(object: Manifest, features: Readonly<Record<string, string>>): Manifest {
  if (object.kind !== 'ConfigMap' || object.metadata.name !== 'config-features') return object;
  const data = v.parse(v.optional(v.record(v.string(), v.string()), {}), object.data);
  return { ...object, data: { ...data, ...features } };
}

function endpoints(name: string, index: number): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: SYSTEM_NAMESPACE },
    subsets: [{ addresses: [{ ip: `10.255.0.${index + 1}` }], ports: [{ name: 'http', port: 8080 }] }],
  };
}
