import { describe, expect, it } from 'vitest';
import type { Pod } from '../../../lib/core/pod.js';
import type { ConfigMap } from '../../../lib/core/sweep-monitored-pods.js';
import { planSweep, type SweepPolicy } from '../../../lib/core/sweep-plan.js';
import { deepFreeze } from '../support/freeze.js';
import { monitoredPods, POLICY, pod, T0 } from './fixtures.js';

const NOW = T0 + 61_500;
const NOW_TEXT = '2024-01-01T00:01:01Z';
const LABELS = { 'app.kubernetes.io/managed-by': 'kernel-gossip' };

const web = pod('web', 'u-web');
const api = pod('api', 'u-api', { namespace: 'shop' });
const quiet = pod('quiet', 'u-quiet', { annotated: false });
const system = pod('proxy', 'u-proxy', { namespace: 'kube-system' });
const finished = pod('job', 'u-job', { phase: 'Succeeded' });
const webInShop = pod('web', 'u-web-2', { namespace: 'shop' });

const twoPods = { pods: 'api:u-api,web:u-web', 'pods.namespaced': 'production/web:u-web,shop/api:u-api', count: '2' };

function desired(data: Record<string, string>, resourceVersion?: string): ConfigMap {
  const metadata = {
    name: 'ebpf-monitored-pods',
    namespace: 'kernel-gossip',
    labels: LABELS,
    ...(resourceVersion === undefined ? {} : { resourceVersion }),
  };
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data };
}

type Case = { name: string; pods: Pod[]; stored?: ConfigMap; policy?: SweepPolicy; expected: ConfigMap | undefined };

const cases: Case[] = [
  {
    name: 'none stored: created with the opted-in pods, sorted',
    pods: [web, quiet, api, system, finished],
    expected: desired({ ...twoPods, updated: NOW_TEXT }),
  },
  {
    name: 'same pods stored: no write',
    pods: [web, api],
    stored: monitoredPods({ ...twoPods, updated: '2023-12-01T00:00:00Z' }),
    expected: undefined,
  },
  {
    name: 'pods changed: rewritten with a new updated time, guarded by the stored resourceVersion',
    pods: [web],
    stored: monitoredPods({ ...twoPods, updated: '2023-12-01T00:00:00Z' }, '41'),
    expected: desired(
      { pods: 'web:u-web', 'pods.namespaced': 'production/web:u-web', count: '1', updated: NOW_TEXT },
      '41',
    ),
  },
  {
    name: 'written by the earlier system: the namespaced key added, updated kept while the list is the same',
    pods: [web, api],
    stored: {
      ...monitoredPods({ pods: 'api:u-api,web:u-web', count: '2', updated: '2023-12-01T00:00:00Z' }),
      metadata: { name: 'ebpf-monitored-pods', namespace: 'kernel-gossip', resourceVersion: '5' },
    },
    expected: desired({ ...twoPods, updated: '2023-12-01T00:00:00Z' }, '5'),
  },
  {
    name: 'keys of other writers are left alone',
    pods: [web, api],
    stored: monitoredPods({ ...twoPods, updated: '2023-12-01T00:00:00Z', note: 'mine' }),
    expected: undefined,
  },
  {
    name: 'the same pod name in two namespaces: told apart by the namespaced key',
    pods: [webInShop, web],
    expected: desired({
      pods: 'web:u-web,web:u-web-2',
      'pods.namespaced': 'production/web:u-web,shop/web:u-web-2',
      count: '2',
      updated: NOW_TEXT,
    }),
  },
  {
    name: 'no pods: empty list, count 0',
    pods: [quiet],
    expected: desired({ pods: '', 'pods.namespaced': '', count: '0', updated: NOW_TEXT }),
  },
  {
    name: 'policy all: every pod outside system namespaces',
    pods: [quiet, system],
    policy: { ...POLICY, monitor: { ...POLICY.monitor, mode: 'all' } },
    expected: desired({
      pods: 'quiet:u-quiet',
      'pods.namespaced': 'production/quiet:u-quiet',
      count: '1',
      updated: NOW_TEXT,
    }),
  },
];

describe('planSweep: the monitored-pods ConfigMap', () => {
  it.each(cases)('$name', ({ pods, stored, policy = POLICY, expected }) => {
    const observed = deepFreeze({
      kernelWhispers: [],
      podBirthCertificates: [],
      pods,
      monitoredPods: stored,
      workloadWhispers: [],
    });

    const plan = planSweep(observed, NOW, policy);

    expect(plan.actions).toEqual(expected === undefined ? [] : [{ action: 'applyConfigMap', object: expected }]);
  });

  it('writes it into the configured namespace', () => {
    const plan = planSweep(
      deepFreeze({
        kernelWhispers: [],
        podBirthCertificates: [],
        pods: [web],
        monitoredPods: undefined,
        workloadWhispers: [],
      }),
      NOW,
      { ...POLICY, monitoredPodsNamespace: 'observers' },
    );

    expect(plan.actions).toMatchObject([
      { action: 'applyConfigMap', object: { metadata: { namespace: 'observers' } } },
    ]);
  });
});

describe('the monitored-pods ConfigMap past the 1 MiB a ConfigMap may hold', () => {
  // 40-character names and UIDs: ~180 bytes a pod in both lists, so 6,000 pods need ~1.1 MB.
  const many = Array.from({ length: 6_000 }, (_, i) =>
    pod(`pod-${String(i).padStart(36, '0')}`, `0000${String(i).padStart(8, '0')}-aaaa-bbbb-cccc-dddddddddddd`),
  );
  const plan = (pods: readonly Pod[], stored?: ConfigMap) =>
    planSweep(
      deepFreeze({ kernelWhispers: [], podBirthCertificates: [], pods, monitoredPods: stored, workloadWhispers: [] }),
      NOW,
      POLICY,
    ).actions;
  const written = (actions: ReturnType<typeof plan>): ConfigMap => {
    const [action] = actions;
    if (action?.action !== 'applyConfigMap') throw new Error('no ConfigMap planned');
    return action.object;
  };
  const bytes = (map: ConfigMap) =>
    Object.entries(map.data ?? {}).reduce((sum, [k, v]) => sum + k.length + v.length, 0);

  it('lists as many pods as fit, says how many are monitored, and stays under the limit', () => {
    const map = written(plan(many));
    const listed = Number(map.data?.count);
    expect(listed).toBeGreaterThan(4_000);
    expect(listed).toBeLessThan(6_000);
    expect(map.data).toMatchObject({ total: '6000', truncated: 'true' });
    expect(map.data?.pods?.split(',')).toHaveLength(listed);
    expect(map.data?.['pods.namespaced']?.split(',')).toHaveLength(listed);
    expect(bytes(map)).toBeLessThan(1_048_576);
  });

  it('writes nothing on the next sweep over the same pods (converged)', () => {
    const stored = { ...written(plan(many)), metadata: { ...written(plan(many)).metadata, resourceVersion: '7' } };
    expect(plan(many, stored)).toEqual([]);
  });

  it('drops the truncation keys once the pods fit again, even when the listed pods are the same', () => {
    const fits = { pods: 'web:u-web', 'pods.namespaced': 'production/web:u-web', count: '1', updated: NOW_TEXT };
    const stored = monitoredPods({ ...fits, total: '2', truncated: 'true' }, '7');
    expect(written(plan([web], stored)).data).toEqual(fits);
  });
});
