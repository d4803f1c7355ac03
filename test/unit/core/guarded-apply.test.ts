import { describe, expect, it } from 'vitest';
import { guardedBy, statusApply } from '../../../lib/core/guarded-apply.js';
import type { KubeObject } from '../../../lib/k8s/objects.js';
import { deepFreeze } from '../support/freeze.js';

const desired = deepFreeze({
  apiVersion: 'kernel.gossip.io/v1alpha1',
  kind: 'KernelWhisper',
  metadata: { name: 'p.app', namespace: 'prod', labels: { a: 'b' } },
  spec: { x: 1 },
} as KubeObject);
const stored = deepFreeze({
  ...desired,
  metadata: { ...desired.metadata, uid: 'u', resourceVersion: '42', generation: 3 },
  status: { old: true },
} as KubeObject);

describe('guardedBy', () => {
  it('sends a create as planned: there is nothing to guard on', () => {
    expect(guardedBy(desired, undefined)).toBe(desired);
  });

  it('carries the resourceVersion and uid an update was planned from (a deleted object is not created again)', () => {
    expect(guardedBy(desired, stored)).toEqual({
      ...desired,
      metadata: { name: 'p.app', namespace: 'prod', labels: { a: 'b' }, uid: 'u', resourceVersion: '42' },
    });
  });
});

describe('statusApply', () => {
  it('holds identity, the resourceVersion the status came from, and the status only', () => {
    expect(statusApply(stored, { fresh: true })).toEqual({
      apiVersion: 'kernel.gossip.io/v1alpha1',
      kind: 'KernelWhisper',
      metadata: { name: 'p.app', namespace: 'prod', resourceVersion: '42' },
      status: { fresh: true },
    });
  });
});
