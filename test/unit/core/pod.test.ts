import { describe, expect, it } from 'vitest';
import { type Pod, slimPod, sweepPod } from '../../../lib/core/pod.js';
import { workloadOf } from '../../../lib/core/pod-resources.js';
import { deepFreeze } from '../support/freeze.js';

describe('slimPod', () => {
  it('keeps what the functions read and drops the rest', () => {
    const pod = deepFreeze({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-1',
        namespace: 'prod',
        uid: 'u-1',
        labels: { 'pod-template-hash': 'abc' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'r', controller: true }],
        annotations: {
          'kernel-gossip.io/monitor': 'true',
          'kubectl.kubernetes.io/last-applied-configuration': 'x'.repeat(5000),
        },
      },
      spec: {
        nodeName: 'n1',
        containers: [
          { name: 'app', image: 'x', env: [{ name: 'A', value: 'B' }], resources: { limits: { cpu: '500m' } } },
        ],
      },
      status: {
        phase: 'Running',
        podIP: '10.0.0.1',
        containerStatuses: [{ name: 'app', containerID: 'containerd://abc', image: 'x', ready: true }],
      },
    } as unknown as Pod);
    expect(slimPod(pod, 'kernel-gossip.io/monitor')).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-1',
        namespace: 'prod',
        uid: 'u-1',
        labels: { 'pod-template-hash': 'abc' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'r', controller: true }],
        annotations: { 'kernel-gossip.io/monitor': 'true' },
      },
      spec: { nodeName: 'n1', containers: [{ name: 'app', resources: { limits: { cpu: '500m' } } }] },
      status: { phase: 'Running', containerStatuses: [{ name: 'app', containerID: 'containerd://abc' }] },
    });
  });
});

describe('sweepPod', () => {
  it('keeps what the sweep plans from (identity, opt-in, phase, lifecycle, workload) and nothing else', () => {
    const pod: Pod = deepFreeze({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-1',
        namespace: 'prod',
        uid: 'u-1',
        creationTimestamp: '2024-01-01T00:00:00Z',
        labels: { app: 'web', 'pod-template-hash': 'abc' },
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'keeper', uid: 'k' },
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'r', controller: true },
        ],
        annotations: { 'kernel-gossip.io/monitor': 'true', other: 'x'.repeat(1000) },
      },
      spec: {
        nodeName: 'n1',
        initContainers: [{ name: 'setup', resources: { limits: { cpu: '1' } } }],
        containers: [{ name: 'app', resources: { limits: { cpu: '500m' } }, restartPolicy: 'Always' }],
      },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:05Z', reason: 'x' }],
        containerStatuses: [
          { name: 'app', containerID: 'containerd://abc', state: { running: { startedAt: '2024-01-01T00:00:03Z' } } },
        ],
      },
    } as unknown as Pod);

    expect(sweepPod(pod, 'kernel-gossip.io/monitor')).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-1',
        namespace: 'prod',
        uid: 'u-1',
        creationTimestamp: '2024-01-01T00:00:00Z',
        annotations: { 'kernel-gossip.io/monitor': 'true' },
        // What workloadOf reads: the roll-ups name the Deployment from them.
        labels: { 'pod-template-hash': 'abc' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'r', controller: true }],
      },
      spec: { containers: [{ name: 'app' }], initContainers: [{ name: 'setup' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:05Z' }],
        containerStatuses: [
          { name: 'app', state: { running: { startedAt: '2024-01-01T00:00:03Z' }, terminated: undefined } },
        ],
        initContainerStatuses: undefined,
      },
    });
    expect(workloadOf(sweepPod(pod, 'kernel-gossip.io/monitor'))).toEqual(workloadOf(pod));
  });
});
