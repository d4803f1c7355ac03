import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POD_BIRTH_CERTIFICATE } from '../../lib/api/group.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import { adminApi, freshNamespace, kubectlWithInput } from './support/cluster.js';
import { runSweep, sweepApp } from './sweep-support.js';

/**
 * Certificates the earlier Rust operator wrote (`<pod>-birth`, no reports, no
 * pod UID, iptables_rules always set) still validate against the CRD with the
 * fused timeline, can still be changed, and the sweep reads them.
 */
let api: KubeApi & { close(): void };
let ns: string;

const legacy = (timeline: object[]) => `
apiVersion: kernel.gossip.io/v1alpha1
kind: PodBirthCertificate
metadata: { name: web-1-birth, namespace: ${ns} }
spec:
  pod_name: web-1
  namespace: ${ns}
  timeline: ${JSON.stringify(timeline)}
  kernel_stats: { total_syscalls: 4521, namespaces_created: 6, cgroup_writes: 12, iptables_rules: 0, total_duration_ms: 123 }
`;
const entries = [
  { timestamp_ms: 1000, actor: 'scheduler', action: 'pod scheduled' },
  { timestamp_ms: 1005, actor: 'kernel', action: 'clone(CLONE_NEWNET)' },
];

beforeAll(async () => {
  api = await adminApi();
  ns = await freshNamespace(api, 'birth-legacy');
});
afterAll(() => api.close());

describe("the earlier operator's certificates", () => {
  it('are accepted as they were written, and when they change', async () => {
    const apply = (timeline: object[]) =>
      kubectlWithInput(
        ['apply', '--server-side', '--field-manager=kernel-gossip-operator', '-f', '-'],
        legacy(timeline),
      );
    await apply(entries);
    await apply([...entries, { timestamp_ms: 1010, actor: 'runtime', action: 'cgroup write' }]);
    const stored = await api.get(POD_BIRTH_CERTIFICATE, { namespace: ns, name: 'web-1-birth' });
    expect((stored?.spec as { timeline?: unknown[] } | undefined)?.timeline).toHaveLength(3);
  });

  it('get a status from the sweep, without phases or a lifecycle refresh', async () => {
    const summary = await runSweep(sweepApp(api, ns));
    expect(summary.failures).toEqual([]);
    expect(summary.actions).toMatchObject({ lifecycleRefreshed: 0, markedPodGone: 1 });
    const stored = await api.get(POD_BIRTH_CERTIFICATE, { namespace: ns, name: 'web-1-birth' });
    expect(stored?.status).toMatchObject({ report_count: 0, insight: expect.stringContaining('123 ms') });
    expect(stored?.status).not.toHaveProperty('phases');
  });
});
