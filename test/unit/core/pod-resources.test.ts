import { describe, expect, it } from 'vitest';
import type { Pod } from '../../../lib/core/pod.js';
import { containerResources, workloadOf } from '../../../lib/core/pod-resources.js';
import type { OwnerReference } from '../../../lib/k8s/objects.js';
import { deepFreeze } from '../support/freeze.js';

const pod = (owner?: OwnerReference, labels?: Record<string, string>): Pod =>
  deepFreeze({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-7d4b9c-x2x9q',
      namespace: 'prod',
      ...(labels === undefined ? {} : { labels }),
      ...(owner === undefined ? {} : { ownerReferences: [owner] }),
    },
    spec: {
      initContainers: [
        { name: 'setup', resources: { limits: { cpu: '0.2' } } },
        { name: 'proxy', restartPolicy: 'Always', resources: { requests: { cpu: '50m' }, limits: { cpu: '100m' } } },
      ],
      containers: [
        { name: 'app', resources: { requests: { cpu: '0.25' }, limits: { cpu: '1.5' } } },
        { name: 'logger', resources: { requests: { cpu: 2 } } },
        { name: 'bare' },
      ],
    },
  });

const owner = (apiVersion: string, kind: string, name: string, controller = true): OwnerReference => ({
  apiVersion,
  kind,
  name,
  uid: 'u',
  controller,
});

describe('containerResources', () => {
  it.each([
    ['app', { container_type: 'regular', cpu_request: '250m', cpu_limit: '1500m' }],
    ['logger', { container_type: 'regular', cpu_request: '2000m' }],
    ['bare', { container_type: 'regular' }],
    ['setup', { container_type: 'init', cpu_limit: '200m' }],
    ['proxy', { container_type: 'sidecar', cpu_request: '50m', cpu_limit: '100m' }],
    ['missing', undefined],
  ])('reads container %s in millicores', (name, expected) => {
    expect(containerResources(pod(), name)).toEqual(expected);
  });
});

describe('workloadOf', () => {
  it.each([
    [
      'a ReplicaSet with pod-template-hash → its Deployment',
      owner('apps/v1', 'ReplicaSet', 'web-7d4b9c'),
      { 'pod-template-hash': '7d4b9c' },
      { api_version: 'apps/v1', kind: 'Deployment', name: 'web' },
    ],
    [
      'a ReplicaSet whose name lacks the hash → the ReplicaSet',
      owner('apps/v1', 'ReplicaSet', 'web'),
      { 'pod-template-hash': '7d4b9c' },
      { api_version: 'apps/v1', kind: 'ReplicaSet', name: 'web' },
    ],
    [
      'a ReplicaSet without the label → the ReplicaSet',
      owner('apps/v1', 'ReplicaSet', 'web-7d4b9c'),
      undefined,
      { api_version: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9c' },
    ],
    [
      'a StatefulSet',
      owner('apps/v1', 'StatefulSet', 'db'),
      undefined,
      { api_version: 'apps/v1', kind: 'StatefulSet', name: 'db' },
    ],
    [
      'a DaemonSet',
      owner('apps/v1', 'DaemonSet', 'agent'),
      undefined,
      { api_version: 'apps/v1', kind: 'DaemonSet', name: 'agent' },
    ],
    [
      'a Job',
      owner('batch/v1', 'Job', 'backup-1'),
      undefined,
      { api_version: 'batch/v1', kind: 'Job', name: 'backup-1' },
    ],
    ['no owner → the pod', undefined, undefined, { api_version: 'v1', kind: 'Pod', name: 'web-7d4b9c-x2x9q' }],
    [
      'an owner that is not the controller → the pod',
      owner('v1', 'ConfigMap', 'cm', false),
      undefined,
      { api_version: 'v1', kind: 'Pod', name: 'web-7d4b9c-x2x9q' },
    ],
  ])('%s', (_name, reference, labels, expected) => {
    expect(workloadOf(pod(reference, labels))).toEqual(expected);
  });
});
