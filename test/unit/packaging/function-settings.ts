import { KnativeServiceSchema } from './knative-schemas.js';
import { funcEnvs, loadManifests, ofKind, parseAs } from './manifests.js';

/**
 * Each function's settings as shipped, by its Knative Service's name: func.yaml's `run.envs`
 * for the ingest (`kn func deploy` creates that Service), the container environment of
 * knative/sweep/ for the sweep.
 */
export type FunctionService = 'kernel-gossip-ingest' | 'kernel-gossip-sweep';

export function shippedSettings(service: FunctionService): ReadonlyMap<string, string> {
  if (service === 'kernel-gossip-ingest') return new Map(funcEnvs().map(({ name, value }) => [name, value]));
  const sweep = ofKind(loadManifests(), 'Service')
    .map((manifest) => parseAs(KnativeServiceSchema, manifest.object, manifest.file))
    .find((candidate) => candidate.metadata.name === service);
  if (sweep === undefined) throw new Error(`knative/ ships no Knative Service ${service}`);
  return new Map((sweep.spec.template.spec.containers[0].env ?? []).map(({ name, value }) => [name, value]));
}
