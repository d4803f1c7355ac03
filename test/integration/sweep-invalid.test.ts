import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../lib/k8s/objects.js';
import type { System } from '../model/system.js';
import { certificate, functionsOn, runSweep, useFunctionsCluster, whisper } from './support/functions.js';

/**
 * Objects the earlier Rust operator stored under the same group, version and
 * kind, written straight into etcd as that CRD left them. Its `<pod>-kw` (no
 * container name) fails today's schema: the sweep marks it Invalid, saying what
 * to do, and deletes it once the retention has passed since the mark. Its
 * `<pod>-pbc` (no reports) validates and is swept like any certificate of a pod
 * known by name only: gone with its pod, deleted after the certificates' retention.
 */
const connected = useFunctionsCluster();

async function storeEarlier(system: System, plural: string, name: string, kind: string, spec: object): Promise<void> {
  const store = connected().storeInEtcd;
  if (store === undefined) throw new Error('etcd is out of reach');
  const metadata = { name, namespace: system.namespace, uid: randomUUID(), creationTimestamp: '2024-01-01T00:00:00Z' };
  await store(`/registry/kernel.gossip.io/${plural}/${system.namespace}/${name}`, {
    apiVersion: 'kernel.gossip.io/v1alpha1',
    kind,
    metadata: { ...metadata, generation: 1 },
    spec,
    status: { insight: 'written by the earlier operator' },
  });
}

const invalidOf = (object: KubeObject | undefined) =>
  ((object?.status as { conditions?: Record<string, string>[] } | undefined)?.conditions ?? []).find(
    (condition) => condition.type === 'Invalid',
  );

describe('objects of the earlier operator, swept against the real API server', () => {
  it.skipIf(process.env.KERNEL_GOSSIP_KUBECONFIG !== undefined)(
    'marks the finding Invalid with what to do; deletes it, and the certificate of a gone pod, after retention',
    async () => {
      const system = await functionsOn(connected());
      const t0 = system.clock.nowMs;
      await storeEarlier(system, 'kernelwhispers', 'web-kw', 'KernelWhisper', {
        pod_name: 'web',
        namespace: system.namespace,
        detected_at: '2024-01-01T00:00:00Z',
        kernel_truth: { throttled_percent: 85, actual_cpu_cores: 0.8 },
        metrics_lie: { cpu_percent: 50, reported_status: 'underreported' },
        severity: 'critical',
      });
      await storeEarlier(system, 'podbirthcertificates', 'web-pbc', 'PodBirthCertificate', {
        pod_name: 'web',
        namespace: system.namespace,
        timeline: [{ timestamp_ms: 1, actor: 'runtime', action: 'clone' }],
        kernel_stats: { total_syscalls: 1, namespaces_created: 2, cgroup_writes: 3, total_duration_ms: 4 },
      });

      const first = await runSweep(system);

      expect(first).toMatchObject({ actions: { markedInvalid: 1, markedPodGone: 1 }, failures: [] });
      const marked = invalidOf(await whisper(system, 'web-kw'));
      expect(marked).toMatchObject({
        status: 'True',
        reason: 'SpecInvalid',
        lastTransitionTime: new Date(t0).toISOString(),
      });
      expect(marked?.message).toContain('container_name');
      expect(marked?.message).toContain(`kubectl delete kernelwhispers web-kw -n ${system.namespace}`);
      expect(marked?.message).toContain(new Date(t0 + 86_400_000).toISOString());
      expect((await runSweep(system)).writes).toBe(0);

      system.clock.nowMs = t0 + 3_600_000;
      expect(await runSweep(system)).toMatchObject({ actions: { deleted: 1 } });
      expect(await certificate(system, 'web-pbc')).toBeUndefined();
      expect(await whisper(system, 'web-kw')).toBeDefined();
      system.clock.nowMs = t0 + 86_400_000;
      expect(await runSweep(system)).toMatchObject({ actions: { deleted: 1 } });
      expect(await whisper(system, 'web-kw')).toBeUndefined();
    },
  );
});
