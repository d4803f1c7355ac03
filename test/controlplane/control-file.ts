import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as v from 'valibot';

/**
 * The control file is the one record of how to run each component and which process
 * group runs it now. Test workers cannot share objects with the global setup that started
 * the control plane, so stop/start from a worker, exit clean-up in the owner and the
 * stale-dir sweep all read it from disk.
 */
export const ReadyProbeSchema = v.object({
  url: v.string(),
  caFile: v.optional(v.string()),
  certFile: v.optional(v.string()),
  keyFile: v.optional(v.string()),
});
export type ReadyProbe = v.InferOutput<typeof ReadyProbeSchema>;

export const ComponentSpecSchema = v.object({
  command: v.string(),
  args: v.array(v.string()),
  logFile: v.string(),
  ready: ReadyProbeSchema,
  /** How long SIGTERM may take before SIGKILL. */
  stopGraceMs: v.number(),
  /** Leader (and process group id) of the running component; null while stopped. */
  pid: v.nullable(v.number()),
});
export type ComponentSpec = v.InferOutput<typeof ComponentSpecSchema>;

export const componentNames = ['etcd', 'apiserver'] as const;
export type ComponentName = (typeof componentNames)[number];

export const ControlFileSchema = v.object({
  /** The process that owns the data dir; the sweep leaves the dir alone while it lives. */
  ownerPid: v.number(),
  dataDir: v.string(),
  external: v.boolean(),
  components: v.object({
    etcd: v.optional(ComponentSpecSchema),
    apiserver: v.optional(ComponentSpecSchema),
  }),
});
export type ControlFile = v.InferOutput<typeof ControlFileSchema>;

/** Sync because the process 'exit' handler and the sweep must not await. */
export function readControlFile(file: string): ControlFile {
  const parsed = v.safeParse(ControlFileSchema, JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(`${file} is not a control-plane control file: ${v.summarize(parsed.issues)}`);
  }
  return parsed.output;
}

/** Write-then-rename so a reader in another process never sees half a file. */
export function writeControlFile(file: string, content: ControlFile): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(content, null, 2)}\n`);
  renameSync(temp, file);
}

export function updateComponentPid(file: string, name: ComponentName, pid: number | null): void {
  const current = readControlFile(file);
  const spec = current.components[name];
  if (spec === undefined) throw new Error(`${file} records no ${name}`);
  const components = { ...current.components, [name]: { ...spec, pid } };
  writeControlFile(file, { ...current, components });
}

export function updateComponentArgs(file: string, name: ComponentName, args: readonly string[]): void {
  const current = readControlFile(file);
  const spec = current.components[name];
  if (spec === undefined) throw new Error(`${file} records no ${name}`);
  const components = { ...current.components, [name]: { ...spec, args: [...args] } };
  writeControlFile(file, { ...current, components });
}
