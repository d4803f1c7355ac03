import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentsOf, findKey, isRecord, readFuncYaml, repoRoot, sweepDir } from './manifests.js';

/**
 * `npm start` (scripts/start.sh) gives each function its own heap: flags on
 * node's command line win over NODE_OPTIONS, so a manifest could not raise the
 * sweep's heap past ingest's if both ran one command line.
 */
const probe = path.join(mkdtempSync(path.join(os.tmpdir(), 'start-sh-')), 'heap.mjs');
writeFileSync(
  probe,
  "import v8 from 'node:v8'; process.stdout.write(JSON.stringify({ pid: process.pid, limit: v8.getHeapStatistics().heap_size_limit }));",
);

/** Runs start.sh on a probe script; answers the heap limit node got, and whether node took the shell's pid. */
function started(env: Record<string, string>): Promise<{ limitMB: number; samePid: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [path.join(repoRoot, 'scripts', 'start.sh'), probe], {
      env: { PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`, ...env },
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.once('error', reject);
    child.once('close', () => {
      const { pid, limit } = JSON.parse(out) as { pid: number; limit: number };
      resolve({ limitMB: limit / 2 ** 20, samePid: pid === child.pid });
    });
  });
}

describe('npm start', () => {
  it('caps the ingest heap, by default and when asked for ingest', async () => {
    expect((await started({})).limitMB).toBeLessThan(100);
    expect((await started({ KERNEL_GOSSIP_FUNCTION: 'ingest' })).limitMB).toBeLessThan(100);
  });

  it('gives the sweep a heap of its own, larger than ingest’s', async () => {
    const [sweep, ingest] = await Promise.all([started({ KERNEL_GOSSIP_FUNCTION: 'sweep' }), started({})]);
    expect(sweep.limitMB).toBeGreaterThan(ingest.limitMB * 2);
  });

  it('keeps its flags over NODE_OPTIONS, which is why they are chosen here', async () => {
    const asked = await started({ KERNEL_GOSSIP_FUNCTION: 'ingest', NODE_OPTIONS: '--max-old-space-size=1024' });
    expect(asked.limitMB).toBeLessThan(100);
  });

  it('leaves each Knative memory limit room above the heap V8 may grow to, so V8 stops first, not the kernel', async () => {
    // node's own pages (46 MB in the bench), compiled code and malloc arenas come on top of the heap.
    const OUTSIDE_THE_HEAP_MIB = 80;
    const limitOf = (manifest: unknown) => {
      const memory = findKey(manifest, 'limits').map(({ value }) => (isRecord(value) ? value.memory : undefined))[0];
      return Number(/^(\d+)Mi$/.exec(String(memory))?.[1]);
    };
    const [sweepManifest] = documentsOf(path.join(sweepDir, 'kernel-gossip-sweep.yaml'));
    const [ingest, sweep] = await Promise.all([started({}), started({ KERNEL_GOSSIP_FUNCTION: 'sweep' })]);
    expect(limitOf(readFuncYaml())).toBeGreaterThanOrEqual(ingest.limitMB + OUTSIDE_THE_HEAP_MIB);
    expect(limitOf(sweepManifest)).toBeGreaterThanOrEqual(sweep.limitMB + OUTSIDE_THE_HEAP_MIB);
  });

  it('execs node, so the server itself gets the SIGTERM Knative sends the container', async () => {
    expect((await started({})).samePid).toBe(true);
  });
});
