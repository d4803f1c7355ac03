import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';
import { parse, parseAllDocuments } from 'yaml';

/** Reads the deploy artefacts (`knative/**`, `func.yaml`) the way kubectl and kn read them. */

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const knativeDir = path.join(repoRoot, 'knative');
export const sweepDir = path.join(knativeDir, 'sweep');
export const funcYamlPath = path.join(repoRoot, 'func.yaml');
export const NAMESPACE = 'kernel-gossip';

const ObjectMetaSchema = v.looseObject({
  name: v.pipe(v.string(), v.nonEmpty()),
  namespace: v.optional(v.string()),
  labels: v.optional(v.record(v.string(), v.string())),
  annotations: v.optional(v.record(v.string(), v.string())),
});

export const KubeObjectSchema = v.looseObject({
  apiVersion: v.pipe(v.string(), v.nonEmpty()),
  kind: v.pipe(v.string(), v.nonEmpty()),
  metadata: ObjectMetaSchema,
});
export type KubeObject = v.InferOutput<typeof KubeObjectSchema>;

export interface Manifest {
  /** Path relative to the repository root, for failure messages. */
  readonly file: string;
  readonly object: KubeObject;
}

/** Kinds that have no namespace; everything else we ship must name `kernel-gossip`. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);

/** `.yaml`/`.yml` files of a folder, sorted like `kubectl apply -f <dir>` visits them. */
export function yamlFilesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

/** Every manifest file under `knative/`, sub-folders included. */
export function allManifestFiles(): string[] {
  return [...yamlFilesIn(knativeDir), ...yamlFilesIn(sweepDir)];
}

/** Non-empty YAML documents of a file; a syntax error fails loudly with the file name. */
export function documentsOf(file: string): unknown[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  return documents.flatMap((document) => {
    const error = document.errors[0];
    if (error !== undefined) throw new Error(`${file}: ${error.message}`, { cause: error });
    const value: unknown = document.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}

export function loadManifests(files: readonly string[] = allManifestFiles()): Manifest[] {
  return files.flatMap((file) =>
    documentsOf(file).map((document) => ({
      file: path.relative(repoRoot, file),
      object: parseAs(KubeObjectSchema, document, file),
    })),
  );
}

/** `v.parse` with the failing paths and the file in the message. */
export function parseAs<TSchema extends v.GenericSchema>(
  schema: TSchema,
  value: unknown,
  where: string,
): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  throw new Error(`${where}: ${v.summarize(result.issues)}`);
}

export function ofKind(manifests: readonly Manifest[], kind: string): Manifest[] {
  return manifests.filter((manifest) => manifest.object.kind === kind);
}

export function readFuncYaml(): unknown {
  return parse(readFileSync(funcYamlPath, 'utf8'));
}

const FuncIdentitySchema = v.looseObject({ name: v.string(), namespace: v.string() });

/**
 * The Knative Service `kn func deploy` creates from func.yaml: not a file in `knative/`,
 * but Triggers subscribe to it, so reference checks count it as shipped.
 */
export function functionService(): KubeObject {
  const { name, namespace } = parseAs(FuncIdentitySchema, readFuncYaml(), 'func.yaml');
  return { apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name, namespace } };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every value stored under `key` anywhere inside `value`, with its JSON path. */
export function findKey(value: unknown, key: string, at = '$'): Array<{ path: string; value: unknown }> {
  if (Array.isArray(value)) return value.flatMap((item, index) => findKey(item, key, `${at}[${index}]`));
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([name, child]) => [
    ...(name === key ? [{ path: `${at}.${name}`, value: child }] : []),
    ...findKey(child, key, `${at}.${name}`),
  ]);
}

const FuncEnvsSchema = v.looseObject({
  run: v.looseObject({ envs: v.array(v.strictObject({ name: v.string(), value: v.string() })) }),
});

/** `run.envs` of func.yaml: the ingest function's settings. */
export function funcEnvs(): Array<{ name: string; value: string }> {
  return parseAs(FuncEnvsSchema, readFuncYaml(), 'func.yaml').run.envs;
}
