import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KERNEL_WHISPER, POD, POD_BIRTH_CERTIFICATE, type ResourceType } from '../../lib/api/group.js';
import type { KubeApi, ListOptions } from '../../lib/k8s/api.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import { adminApi, createPod, freshNamespace } from './support/cluster.js';
import { conditionOf, fetchObject, runSweep, seedWhisper, sweepApp } from './sweep-support.js';

/**
 * Issue 12: the sweep listed pods and objects at the same time, so a pod
 * created in between, and its object, could be seen as an object without a
 * pod, and the new object was marked PodGone. It now lists the objects first
 * (each listing's snapshot fixed by its first request) and the pods after.
 * Here a pod and its KernelWhisper are created at the worst moment: right
 * after the sweep's pod listing answered. Listed after the pods, the new object
 * would be seen without its pod.
 */
let api: KubeApi & { close(): void };

beforeAll(async () => {
  api = await adminApi();
});
afterAll(() => api.close());

/** The real API, with `after` run once, as soon as the first pod listing answered. */
function creatingAfterPodListing(after: () => Promise<void>): KubeApi & { order: string[] } {
  const order: string[] = [];
  let pending: (() => Promise<void>) | undefined = after;
  return {
    ...api,
    order,
    async list<T extends KubeObject>(type: ResourceType, options: ListOptions) {
      order.push(type.plural);
      const page = await api.list<T>(type, options);
      if (type === POD && pending !== undefined) {
        const run = pending;
        pending = undefined;
        await run();
      }
      return page;
    },
  };
}

describe('the sweep lists objects before pods', () => {
  it('does not mark the object of a pod created while it listed', async () => {
    const ns = await freshNamespace(api, 'sweep-order');
    const old = await createPod(api, ns, 'old');
    await seedWhisper(api, ns, 'old', { podUid: old.metadata.uid });
    const spied = creatingAfterPodListing(async () => {
      const pod = await createPod(api, ns, 'new');
      await seedWhisper(api, ns, 'new', { podUid: pod.metadata.uid });
    });

    const summary = await runSweep(sweepApp(spied, ns));

    expect(summary.actions.markedPodGone).toBe(0);
    expect(spied.order.indexOf('pods')).toBeGreaterThan(spied.order.indexOf('kernelwhispers'));
    expect(spied.order.indexOf('pods')).toBeGreaterThan(spied.order.indexOf('podbirthcertificates'));
    const created = await fetchObject(api, KERNEL_WHISPER, ns, 'new.app');
    expect(conditionOf(created, 'PodGone')).toBeUndefined();
    // The next sweep sees the new object, and its pod.
    expect((await runSweep(sweepApp(api, ns))).actions.markedPodGone).toBe(0);
  });

  it('reads objects page by page across a page boundary, every object once', async () => {
    const ns = await freshNamespace(api, 'sweep-pages');
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) {
      const pod = await createPod(api, ns, name);
      await seedWhisper(api, ns, name, { podUid: pod.metadata.uid, status: false });
    }
    const lists: { type: string; limit: number | undefined }[] = [];
    const spied: KubeApi = {
      ...api,
      list: (type, options) => {
        lists.push({ type: type.plural, limit: options.limit });
        return api.list(type, options);
      },
    };
    const summary = await runSweep(sweepApp(spied, ns, { SWEEP_PAGE_SIZE: '2' }));
    expect(summary.seen.kernelWhispers).toBe(5);
    expect(summary.actions.statusRepaired).toBe(5);
    // A one-object page fixes the snapshot, then pages of two: 1 + 2 + 2.
    expect(lists.filter((list) => list.type === 'kernelwhispers').map((list) => list.limit)).toEqual([1, 2, 2]);
    expect(lists.filter((list) => list.type === POD_BIRTH_CERTIFICATE.plural)).toHaveLength(1);
  });
});
