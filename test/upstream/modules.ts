import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import * as v from 'valibot';

const execFileAsync = promisify(execFile);

/**
 * The Knative releases whose published files the tests read: CRDs, config maps and the
 * func.yaml schema, and the Eventing commands the harness builds. Pinned here and nowhere
 * else (test/eventing/tools/go.mod must require the same eventing version; the harness
 * checks). Go module versions: eventing v0.49 is Knative 1.22, serving and func v0.50 are 1.23.
 */
export const KNATIVE_MODULES = {
  eventing: { path: 'knative.dev/eventing', version: 'v0.49.2' },
  serving: { path: 'knative.dev/serving', version: 'v0.50.0' },
  func: { path: 'knative.dev/func', version: 'v0.50.1' },
} as const;

export type KnativeModule = keyof typeof KNATIVE_MODULES;
/** Where each module's files are, read-only, in the Go module cache. */
export type KnativeModuleDirs = Readonly<Record<KnativeModule, string>>;

const DownloadSchema = v.object({
  Path: v.string(),
  Version: v.string(),
  Dir: v.optional(v.string()),
  Error: v.optional(v.string()),
});

/**
 * Fetches the pinned modules through the Go module proxy into the module cache (network on
 * the first run only; afterwards `go mod download` answers from the cache in milliseconds)
 * and returns their directories. Only these three: a bare `go mod download` of everything
 * would also ask for knative.dev/reconciler-test, which the proxy refuses.
 */
export async function ensureKnativeModules(): Promise<KnativeModuleDirs> {
  const entries = Object.entries(KNATIVE_MODULES) as [KnativeModule, { path: string; version: string }][];
  const wanted = entries.map(([, module]) => `${module.path}@${module.version}`);
  const output = await goModDownload(wanted);
  const found = new Map(output.map((download) => [`${download.Path}@${download.Version}`, download]));
  const dirs: Partial<Record<KnativeModule, string>> = {};
  for (const [name, module] of entries) {
    const download = found.get(`${module.path}@${module.version}`);
    if (download?.Dir === undefined) {
      const why = download?.Error ?? 'go mod download named no directory';
      throw new Error(`Could not fetch ${module.path}@${module.version} through the Go module proxy: ${why}`);
    }
    dirs[name] = download.Dir;
  }
  return dirs as KnativeModuleDirs;
}

async function goModDownload(modules: readonly string[]): Promise<v.InferOutput<typeof DownloadSchema>[]> {
  // Outside any module (the temp dir), so no go.mod of ours takes part; -json prints one object per module.
  const options = { cwd: os.tmpdir(), maxBuffer: 1 << 20 };
  let stdout: string;
  try {
    stdout = (await execFileAsync('go', ['mod', 'download', '-json', ...modules], options)).stdout;
  } catch (cause) {
    if (isMissingCommand(cause)) {
      throw new Error(`Go is not installed; Knative's CRDs and schemas come from Go modules (${modules.join(', ')})`, {
        cause,
      });
    }
    // A module that cannot be fetched makes go exit 1 but still print its object with Error.
    stdout = typeof cause === 'object' && cause !== null && 'stdout' in cause ? String(cause.stdout) : '';
    if (stdout.trim() === '') throw new Error(`go mod download ${modules.join(' ')} failed`, { cause });
  }
  return splitJsonObjects(stdout).map((object) => v.parse(DownloadSchema, object));
}

/** `go mod download -json` prints concatenated objects, not a JSON array. */
function splitJsonObjects(text: string): unknown[] {
  return text
    .split(/\n(?=\{)/)
    .filter((chunk) => chunk.trim() !== '')
    .map((chunk) => JSON.parse(chunk));
}

function isMissingCommand(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}
