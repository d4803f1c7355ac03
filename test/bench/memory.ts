import { readFileSync } from 'node:fs';
import type { FunctionClient } from './http-client.js';
import { round } from './stats.js';

/**
 * Resident memory in MB (10^6 bytes, as the target is written), from the
 * kernel's view of the process: total and high-water mark, and the split into
 * anonymous memory (heaps, buffers) and file-backed pages (mostly the node
 * binary's own code), which no change to the function can shrink.
 */
export type Memory = { readonly rss: number; readonly hwm: number; readonly anon: number; readonly file: number };

export function memoryMB(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  // /proc says "kB" and means KiB.
  const field = (name: string) =>
    (Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024) / 1e6;
  return { rss: field('VmRSS'), hwm: field('VmHWM'), anon: field('RssAnon'), file: field('RssFile') };
}

export type MemoryPeaks = {
  readonly hwmMB: number;
  readonly peakRssMB: number;
  readonly peakAnonMB: number;
  readonly peakFileMB: number;
  readonly samples: number;
};

/**
 * Samples every `everyMs` until stopped; VmHWM also catches a peak between
 * samples. A process that exits keeps the peaks sampled before it did.
 */
export function sampleMemory(pid: number, everyMs: number): { stop(): MemoryPeaks } {
  const peak = { rss: 0, anon: 0, file: 0, hwm: 0 };
  let samples = 0;
  const sample = (): void => {
    let now: Memory;
    try {
      now = memoryMB(pid);
    } catch {
      return;
    }
    // An exited process not yet reaped keeps its /proc entry, without the memory lines.
    if (Number.isNaN(now.hwm)) return;
    peak.rss = Math.max(peak.rss, now.rss);
    peak.anon = Math.max(peak.anon, now.anon);
    peak.file = Math.max(peak.file, now.file);
    peak.hwm = Math.max(peak.hwm, now.hwm);
    samples++;
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      const r = (mb: number) => round(mb, 1);
      return {
        hwmMB: r(peak.hwm),
        peakRssMB: r(peak.rss),
        peakAnonMB: r(peak.anon),
        peakFileMB: r(peak.file),
        samples,
      };
    },
  };
}

/** V8's own account at the end of the load phases (prom-client's default metrics), to tell heap from the rest of the RSS. */
export type HeapFigures = Readonly<Record<string, number>>;

const HEAP_METRICS =
  /^(nodejs_heap_size_total_bytes|nodejs_heap_size_used_bytes|nodejs_external_memory_bytes|nodejs_heap_space_size_total_bytes\{space="(?:new|old|code|large_object)"\})\s+(\S+)/;

export async function heapOf(client: FunctionClient): Promise<HeapFigures> {
  const answer = await client.get('/metrics');
  const heap: Record<string, number> = {};
  for (const line of answer.body.split('\n')) {
    const match = HEAP_METRICS.exec(line);
    if (match?.[1] !== undefined) heap[match[1].replace('_bytes', '_MB')] = round(Number(match[2]) / 1e6, 1);
  }
  return heap;
}
