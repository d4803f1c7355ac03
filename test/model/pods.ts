import { POD } from '../../lib/api/group.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import type { ContainerGen, PodGen } from './arbitraries.js';
import { STATEFULSET_NAME } from './rules.js';
import type { System } from './system.js';
import type { ModelContainer, ModelPod } from './world.js';

/**
 * Pods as people make them: created (no node, so the API server deletes them at
 * once), deleted, recreated under the same name as a StatefulSet does, and
 * resized in place through the resize subresource. The model takes each pod as
 * the API server returned it (defaulting included: a CPU limit alone implies an
 * equal request).
 */
type PodSpec = {
  containers: { name: string; resources?: { requests?: { cpu?: string }; limits?: { cpu?: string } } }[];
};
type RealPod = KubeObject<PodSpec> & { metadata: { uid: string; creationTimestamp: string } };

/** The StatefulSet the generated pods may belong to; nothing checks that it exists. */
const OWNER_UID = '5f0c1e2d-0000-4000-8000-000000000001';

export async function createPod(system: System, name: string, gen: PodGen): Promise<ModelPod> {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: system.namespace,
      annotations: (gen.annotated ? { 'kernel-gossip.io/monitor': 'true' } : { team: 'model' }) as Record<
        string,
        string
      >,
      ...(gen.owner === 'statefulset'
        ? {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'StatefulSet', name: STATEFULSET_NAME, uid: OWNER_UID, controller: true },
            ],
          }
        : {}),
    },
    spec: { containers: gen.containers.map(containerSpec) },
  };
  const created = (await system.cluster.api.create<KubeObject>(POD, pod, { fieldManager: 'model' })) as RealPod;
  return modelPod(created, gen);
}

function containerSpec(gen: ContainerGen) {
  const requests = gen.request === 'tiny' ? '1m' : gen.request === 'equal' ? gen.limit : undefined;
  const resources = {
    ...(requests === undefined ? {} : { requests: { cpu: requests } }),
    ...(gen.limit === undefined ? {} : { limits: { cpu: gen.limit } }),
  };
  return { name: gen.name, image: 'registry.invalid/app:1', resources };
}

function modelPod(real: RealPod, gen: PodGen): ModelPod {
  const containers: ModelContainer[] = (real.spec?.containers ?? []).map((container) => ({
    name: container.name,
    ...(container.resources?.requests?.cpu === undefined ? {} : { request: container.resources.requests.cpu }),
    ...(container.resources?.limits?.cpu === undefined ? {} : { limit: container.resources.limits.cpu }),
  }));
  return {
    name: real.metadata.name,
    uid: real.metadata.uid,
    createdAtMs: Date.parse(real.metadata.creationTimestamp),
    annotated: gen.annotated,
    owner: gen.owner,
    containers,
  };
}

export async function deletePod(system: System, name: string): Promise<void> {
  const deleted = await system.cluster.api.delete(POD, { namespace: system.namespace, name });
  if (!deleted) throw new Error(`pod ${name} was already gone`);
}

/** An in-place resize of one container's CPU limit (pods/resize, Kubernetes 1.33+). */
export async function resizePod(system: System, pod: ModelPod, container: string, limit: string): Promise<ModelPod> {
  const path = `/api/v1/namespaces/${system.namespace}/pods/${pod.name}/resize`;
  const patch = { spec: { containers: [{ name: container, resources: { limits: { cpu: limit } } }] } };
  const result = await system.cluster.request('PATCH', path, {
    contentType: 'application/strategic-merge-patch+json',
    json: patch,
  });
  if (result.status !== 200)
    throw new Error(`resize of ${pod.name}/${container} failed: ${JSON.stringify(result.body)}`);
  const resized = modelPod(result.body as RealPod, { annotated: pod.annotated, owner: pod.owner, containers: [] });
  return { ...resized, annotated: pod.annotated, owner: pod.owner };
}
