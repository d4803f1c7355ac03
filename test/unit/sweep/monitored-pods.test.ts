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
