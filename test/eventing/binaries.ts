import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../controlplane/binaries.js';
import { allExecutable, goIsInstalled, runToolsBuild } from '../controlplane/tools-build.js';
import { KNATIVE_MODULES } from '../upstream/modules.js';

const toolsDir = fileURLToPath(new URL('./tools/', import.meta.url));

/** The commands build.sh builds, named after their packages' last element. */
export const EVENTING_COMMANDS = [
  'controller',
  'mtchannel_broker',
  'ingress',
  'filter',
  'channel_controller',
  'channel_dispatcher',
  'mtping',
] as const;
export type EventingCommand = (typeof EVENTING_COMMANDS)[number];

/**
 * Builds (first run only: minutes on 2 cores, see docs/local-demo.md) or reuses the
 * unmodified Knative Eventing commands of the pinned release, in `.cache/eventing/<version>/bin`.
 */
export async function ensureEventingBinaries(): Promise<{ binDir: string; version: string }> {
  const { version } = KNATIVE_MODULES.eventing;
  await checkToolsPin(version);
  const cacheDir = path.join(repoRoot, '.cache', 'eventing', version);
  const binDir = path.join(cacheDir, 'bin');
  if (await allExecutable(binDir, EVENTING_COMMANDS)) return { binDir, version };
  if (!(await goIsInstalled())) {
    throw new Error(
      `Go is not installed; Knative Eventing ${version} is built from Go modules on the first run ` +
        '(install Go, version in test/eventing/tools/go.mod)',
    );
  }
  await runToolsBuild(path.join(toolsDir, 'build.sh'), cacheDir, `Knative Eventing ${version}`);
  return { binDir, version };
}

/** The tools module must build the release the CRDs and config maps come from. */
async function checkToolsPin(version: string): Promise<void> {
  const goMod = await readFile(path.join(toolsDir, 'go.mod'), 'utf8');
  const required = /^(?:require\s+|\s+)knative\.dev\/eventing\s+(v\S+)/m.exec(goMod)?.[1];
  if (required !== version) {
    throw new Error(
      `test/eventing/tools/go.mod requires knative.dev/eventing ${required ?? '(nothing)'} but ` +
        `test/upstream/modules.ts pins ${version}: run test/eventing/tools/gen-go-mod.sh ${version}`,
    );
  }
}
