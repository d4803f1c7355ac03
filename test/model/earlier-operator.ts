import { randomUUID } from 'node:crypto';
import { checkObjects, ModelMismatch } from './check.js';
import type { ModelCommand } from './cluster-commands.js';
import { POD_NAMES } from './requests.js';
import type { System } from './system.js';
import { bumpRv, objectKey, type World } from './world.js';

/** An object the earlier Rust operator stored (`<pod>-kw`, `<pod>-pbc`), which fails today's schema. */
export class StoreLegacy implements ModelCommand {
  constructor(
    readonly pod: number,
    readonly resource: 'KernelWhisper' | 'PodBirthCertificate',
  ) {}
  private name = () => `${POD_NAMES[this.pod]}-${this.resource === 'KernelWhisper' ? 'kw' : 'pbc'}`;
  check = (world: Readonly<World>) =>
    world.canStoreLegacy && !world.objects.has(objectKey('Legacy', `${this.resource}/${this.name()}`));
  async run(world: World, system: System): Promise<void> {
    const store = system.cluster.storeInEtcd;
    if (store === undefined) throw new ModelMismatch('etcd is out of reach');
    const plural = this.resource === 'KernelWhisper' ? 'kernelwhispers' : 'podbirthcertificates';
    await store(`/registry/kernel.gossip.io/${plural}/${system.namespace}/${this.name()}`, this.object(system));
    world.objects.set(objectKey('Legacy', `${this.resource}/${this.name()}`), {
      kind: 'Legacy',
      resource: this.resource,
      name: this.name(),
      pod: POD_NAMES[this.pod] ?? '',
      rv: bumpRv(world),
    });
    await checkObjects(world, system);
  }
  private object(system: System): Record<string, unknown> {
    const pod = POD_NAMES[this.pod] ?? '';
    const metadata = {
      name: this.name(),
      namespace: system.namespace,
      uid: randomUUID(),
      creationTimestamp: '2024-01-01T00:00:00Z',
      generation: 1,
    };
    const spec =
      this.resource === 'KernelWhisper'
        ? {
            pod_name: pod,
            namespace: system.namespace,
            detected_at: '2024-01-01T00:00:00Z',
            kernel_truth: { throttled_percent: 85.5, actual_cpu_cores: 0.8 },
            metrics_lie: { cpu_percent: 50, reported_status: 'underreported' },
            severity: 'critical',
          }
        : {
            pod_name: pod,
            namespace: system.namespace,
            timeline: [{ timestamp_ms: 1_704_067_200_000, actor: 'runtime', action: 'clone(CLONE_NEWNET)' }],
            kernel_stats: { total_syscalls: 4521, namespaces_created: 6, cgroup_writes: 12, total_duration_ms: 123 },
          };
    const status = { insight: 'written by the earlier operator' };
    return { apiVersion: 'kernel.gossip.io/v1alpha1', kind: this.resource, metadata, spec, status };
  }
  toString = () => `storeEarlierOperatorObject(${this.resource}/${this.name()})`;
}
