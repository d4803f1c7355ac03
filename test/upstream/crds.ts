import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as v from 'valibot';
import { parseAllDocuments } from 'yaml';
import type { KnativeModuleDirs } from './modules.js';

/** Where each Knative module keeps its CRDs (one per file), as its release installs them. */
const CRD_FOLDERS = [
  { module: 'eventing', folder: 'config/core/resources' },
  { module: 'eventing', folder: 'config/channels/in-memory-channel/resources' },
  { module: 'serving', folder: 'config/core/300-resources' },
] as const;

const CrdSchema = v.object({
  kind: v.literal('CustomResourceDefinition'),
  metadata: v.object({ name: v.string() }),
  spec: v.object({ group: v.string(), names: v.object({ kind: v.string() }) }),
});

export type KnativeCrd = {
  readonly file: string;
  readonly name: string;
  readonly group: string;
  readonly kind: string;
};

/** Every CRD the pinned Knative modules ship. */
export function knativeCrds(dirs: KnativeModuleDirs): KnativeCrd[] {
  return CRD_FOLDERS.flatMap(({ module, folder }) => {
    const dir = path.join(dirs[module], folder);
    return readdirSync(dir)
      .filter((name) => name.endsWith('.yaml'))
      .sort()
      .flatMap((name) => crdsIn(path.join(dir, name)));
  });
}

function crdsIn(file: string): KnativeCrd[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((document) => v.safeParse(CrdSchema, document.toJS()))
    .filter((parsed) => parsed.success)
    .map(({ output }) => ({
      file,
      name: output.metadata.name,
      group: output.spec.group,
      kind: output.spec.names.kind,
    }));
}

/** The CRDs that define these `apiVersion`/`kind` pairs; throws naming any the modules lack. */
export function crdsFor(
  dirs: KnativeModuleDirs,
  objects: readonly { apiVersion: string; kind: string }[],
): KnativeCrd[] {
  const all = knativeCrds(dirs);
  const wanted = new Map<string, KnativeCrd>();
  for (const { apiVersion, kind } of objects) {
    const group = apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
    if (!group.endsWith('knative.dev')) continue;
    const crd = all.find((candidate) => candidate.group === group && candidate.kind === kind);
    if (crd === undefined) throw new Error(`No CRD for ${kind}.${group} in the pinned Knative modules`);
    wanted.set(crd.name, crd);
  }
  return [...wanted.values()];
}
