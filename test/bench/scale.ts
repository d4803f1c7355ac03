import type { Phase } from './phase.js';
import { ScaleCluster } from './scale-cluster.js';
import { type IngestAtSize, measureIngestAt } from './scale-ingest.js';
import { scalePlot, scaleReport, scaleTargets } from './scale-report.js';
import { measureSweepAt, type SweepAtSize } from './scale-sweep.js';

/**
 * Scale curves: the cluster grows in steps to 5,000, 20,000 and 50,000
 * objects (half as many pods); at each step the sweep runs over all of them
 * and the ingest resolves identities by node among them; at last pods are
 * added up to 50,000 and the ingest runs once more, then once without
 * node_name. BENCH_SCALE_OBJECTS (e.g. `2000,8000`) and BENCH_SCALE_PODS
 * measure other sizes, for trying things out on a busy machine.
 */
export type ScaleFigures = {
  readonly steps: readonly {
    readonly objects: number;
    readonly setupS: number;
    readonly sweep: SweepAtSize;
    readonly ingest: IngestAtSize;
  }[];
  readonly largest: { readonly pods: number; readonly setupS: number; readonly ingest: IngestAtSize };
  readonly withoutNode: IngestAtSize;
};

const OBJECTS = sizes(process.env.BENCH_SCALE_OBJECTS, [5_000, 20_000, 50_000]);
const LARGEST_PODS = sizes(process.env.BENCH_SCALE_PODS, [50_000])[0] ?? 50_000;
/** Events without node_name: each may trigger the one listing of every pod a 30 s window allows. */
const WITHOUT_NODE_PODS = 50;

export const scalePhase: Phase = {
  name: 'scale',
  async run(bench) {
    const cluster = new ScaleCluster(bench.cluster, bench.clock);
    await cluster.create();
    const steps: ScaleFigures['steps'][number][] = [];
    for (const objects of OBJECTS) {
      bench.progress(`growing the cluster to ${objects} objects and ${objects / 2} pods`);
      const setupS = await cluster.growObjectsTo(objects);
      const sweep = await measureSweepAt(bench, objects);
      const ingest = await measureIngestAt(bench, cluster.pods.length, cluster.pods);
      steps.push({ objects, setupS, sweep, ingest });
    }
    bench.progress(`adding pods without objects up to ${LARGEST_PODS}`);
    const setupS = await cluster.growPodsTo(LARGEST_PODS);
    const withObjects = cluster.pods.slice(0, cluster.objects / 2);
    const ingest = await measureIngestAt(bench, cluster.pods.length, withObjects);
    const withoutNode = await measureIngestAt(bench, cluster.pods.length, withObjects, {
      withoutNode: true,
      sampled: WITHOUT_NODE_PODS,
    });
    const figures: ScaleFigures = { steps, largest: { pods: cluster.pods.length, setupS, ingest }, withoutNode };
    return {
      figures,
      targets: scaleTargets(figures),
      report: scaleReport(figures),
      files: [{ name: 'scale.svg', content: scalePlot(figures) }],
    };
  },
};

function sizes(text: string | undefined, fallback: number[]): number[] {
  if (text === undefined || text.trim() === '') return fallback;
  const parsed = text.split(',').map((item) => Number(item.trim()));
  if (parsed.some((size) => !Number.isInteger(size) || size <= 0 || size % 2 !== 0))
    throw new Error(`BENCH_SCALE_OBJECTS / BENCH_SCALE_PODS: even whole numbers, not ${text}`);
  return parsed;
}
