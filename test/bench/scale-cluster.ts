import { objectKeyOf, planSpec } from '../../lib/core/ingest-plan.js';
import type { Pod } from '../../lib/core/pod.js';
import { mapBounded } from '../../lib/map-bounded.js';
import { type BenchCluster, createNamespace, createPods, podNames } from './cluster.js';
import { observationOf } from './observations.js';
import { round } from './stats.js';
import { birthEvent, type ObservationClock, throttleEvent } from './workload.js';

/**
 * The cluster the scale phase grows: opted-in pods, 100 to a node as a
 * kubelet runs them, each with a KernelWhisper and a PodBirthCertificate
 * created straight through the API with their spec only (as if every status
 * write of the ingest path had failed, so the first sweep repairs them all);
 * then pods without objects, up to the cluster size the ingest is measured at.
 */
export type ScalePod = {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly node: string;
  /** As the API server answered its creation: the birth certificate's lifecycle is read from it. */
  readonly manifest: Pod;
};

export const SCALE_NAMESPACE = 'bench-scale';
const EXTRA_NAMESPACE = 'bench-scale-more';
const PODS_PER_NODE = 100;
const CONCURRENCY = 32;

export class ScaleCluster {
  /** Pods with objects, then pods without. */
  readonly pods: ScalePod[] = [];
  private withObjects = 0;
  private extra = 0;

  constructor(
    private readonly cluster: BenchCluster,
    private readonly clock: ObservationClock,
  ) {}

  get objects(): number {
    return this.withObjects * 2;
  }

  async create(): Promise<void> {
    await createNamespace(this.cluster.api, SCALE_NAMESPACE);
    await createNamespace(this.cluster.api, EXTRA_NAMESPACE);
  }

  /** Pods and their two objects until there are `objects` objects; answers the seconds it took. */
  async growObjectsTo(objects: number): Promise<number> {
    const started = performance.now();
    const names = podNames('scale', objects / 2).slice(this.withObjects);
    const pods = await this.addPods(SCALE_NAMESPACE, names, this.withObjects);
    const events = pods.flatMap((pod, i) => [
      throttleEvent(pod.namespace, pod.name, this.clock, i, `scale-t-${pod.name}`),
      birthEvent(pod.namespace, pod.name, this.clock, i, `scale-b-${pod.name}`),
    ]);
    const created = new Map(pods.map((pod) => [pod.name, pod]));
    await mapBounded(events, CONCURRENCY, async (event) => {
      const pod = created.get(event.pod);
      const observation = observationOf(event, pod?.uid ?? '', pod?.manifest);
      const plan = planSpec(undefined, [observation]);
      if (plan.action === 'stale' || plan.action === 'otherIncarnation')
        throw new Error('a new object cannot be stale');
      const type = objectKeyOf(observation).type;
      await this.cluster.api.apply(type, plan.desired, { fieldManager: 'kernel-gossip-ingest' });
    });
    this.withObjects += pods.length;
    return round((performance.now() - started) / 1000, 1);
  }

  /** Pods without objects until the cluster holds `total` of ours. */
  async growPodsTo(total: number): Promise<number> {
    const started = performance.now();
    const names = podNames('more', total - this.withObjects).slice(this.extra);
    const added = await this.addPods(EXTRA_NAMESPACE, names, this.pods.length);
    this.extra += added.length;
    return round((performance.now() - started) / 1000, 1);
  }

  private async addPods(namespace: string, names: readonly string[], firstIndex: number): Promise<ScalePod[]> {
    const node = (index: number) => `scale-node-${String(Math.floor(index / PODS_PER_NODE)).padStart(4, '0')}`;
    const created = await createPods(this.cluster.api, namespace, names, {
      nodeOf: (_name, i) => node(firstIndex + i),
    });
    const added = names.flatMap((name, i) => {
      const manifest = created.get(name);
      if (manifest === undefined) return [];
      return [{ namespace, name, uid: manifest.metadata.uid ?? '', node: node(firstIndex + i), manifest }];
    });
    this.pods.push(...added);
    return added;
  }
}
