import { describe, expect, it } from 'vitest';
import type { Candidate } from '../../../functions/ingest/candidates.js';
import { PodDirectory } from '../../../functions/ingest/pods.js';
import { ApiIdentityResolver, type ResolverOptions } from '../../../functions/ingest/resolver.js';
import { POD } from '../../../lib/api/group.js';
import { PodNotResolvedError, PodUnresolvableError } from '../../../lib/errors.js';
import { FakeKubeApi } from '../support/fake-kube-api.js';

const cid = 'a'.repeat(64);
const observedAt = '2024-01-01T00:00:00.000Z';
const start = Date.parse(observedAt);

function candidate(data: Record<string, unknown>): Candidate {
  return {
    kind: 'cpu_throttle',
    id: 'e',
    source: 's',
    observedAt,
    data: { throttle_percentage: 90, actual_cpu_usage: 1, ...data },
  };
}

function setup(options: Partial<ResolverOptions> = {}) {
  const api = new FakeKubeApi();
  const clock = { now: start };
  const pods = new PodDirectory(api, { now: () => clock.now });
  const resolver = new ApiIdentityResolver(api, pods, {
    now: () => clock.now,
    unresolvedRetryMs: 60_000,
    ...options,
  });
  const seedPod = (statuses: { name: string; containerID: string }[] = [], name = 'web', nodeName = 'node-a') =>
    api.seed(POD, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'prod', uid: `u-${name}` },
      spec: { nodeName, containers: [{ name: 'app' }] },
      status: { containerStatuses: statuses },
    });
  const lists = () => api.calls.filter((call) => call.verb === 'list').length;
  const gets = () => api.calls.filter((call) => call.verb === 'get').length;
  return { api, clock, pods, resolver, seedPod, lists, gets };
}

const running = (id: string) => [{ name: 'app', containerID: `containerd://${id}` }];

describe('ApiIdentityResolver', () => {
  it('answers a burst of concurrent misses with one list', async () => {
    const { resolver, seedPod, lists } = setup();
    seedPod(running(cid));
    const found = await Promise.all(
      Array.from({ length: 5 }, () => resolver.resolve(candidate({ container_id: cid }))),
    );
    expect(found.map((match) => match.containerName)).toEqual(['app', 'app', 'app', 'app', 'app']);
    expect(lists()).toBe(1);
  });

  it('finds a pod it listed before through its pointer, reading the pod rather than listing again', async () => {
    const { api, clock, resolver, seedPod, lists, gets } = setup();
    seedPod([], 'web');
    seedPod(running(cid), 'api');
    await resolver.resolve(candidate({ pod_uid: 'u-web', node_name: 'node-a' }));
    clock.now += 60_000;
    const found = await resolver.resolve(candidate({ container_id: cid, node_name: 'node-a' }));
    expect(found.pod.metadata.name).toBe('api');
    expect([lists(), gets()]).toEqual([1, 1]);
    expect(api.writes()).toEqual([]);
  });

  it('serves the other pods of a listed node from the pod cache, with no read', async () => {
    const { resolver, seedPod, lists, gets } = setup();
    seedPod([], 'web');
    seedPod(running(cid), 'api');
    await resolver.resolve(candidate({ pod_uid: 'u-web', node_name: 'node-a' }));
    const found = await resolver.resolve(candidate({ container_id: cid, node_name: 'node-a' }));
    expect(found.pod.metadata.name).toBe('api');
    expect([lists(), gets()]).toEqual([1, 0]);
  });

  it('reads the pod again for a container missing from its cached status, without listing again', async () => {
    const { resolver, seedPod, lists, gets, pods } = setup();
    seedPod();
    const identity = candidate({ pod_uid: 'u-web', container_id: cid });
    const first = await resolver.resolve(identity);
    expect(first.containerName).toBeUndefined();
    pods.remember(first.pod);
    seedPod(running(cid));
    expect((await resolver.resolve(identity)).containerName).toBe('app');
    expect([lists(), gets()]).toEqual([1, 1]);
  });

  it('does not take a pod on another node for the one the event names', async () => {
    const { resolver, seedPod, lists } = setup({ relistAfterMs: 0 });
    seedPod(running(cid), 'web', 'node-a');
    await resolver.resolve(candidate({ container_id: cid, node_name: 'node-a' }));
    await expect(resolver.resolve(candidate({ container_id: cid, node_name: 'node-b' }))).rejects.toBeInstanceOf(
      PodNotResolvedError,
    );
    expect(lists()).toBe(2);
  });

  it('lists the whole cluster at most once per cluster interval, however many unknown identities arrive', async () => {
    const { clock, resolver, lists } = setup({ clusterRelistAfterMs: 30_000 });
    for (let i = 0; i < 100; i++) {
      const unknown = i.toString(16).padStart(12, '0');
      await expect(resolver.resolve(candidate({ container_id: unknown }))).rejects.toBeInstanceOf(PodNotResolvedError);
      clock.now += 200;
    }
    expect(lists()).toBe(1);
    clock.now += 10_000;
    await expect(resolver.resolve(candidate({ container_id: cid }))).rejects.toBeInstanceOf(PodNotResolvedError);
    expect(lists()).toBe(2);
  });

  it('resolves from a listing larger than its pointer budget, and keeps no more than the budget', async () => {
    const { resolver, seedPod } = setup({ pointerBytes: 2_000 });
    seedPod(running(cid), 'a-first');
    for (let i = 0; i < 1200; i++) seedPod([], `pod-${i}`);
    const found = await resolver.resolve(candidate({ container_id: cid }));
    expect(found.pod.metadata.name).toBe('a-first');
    expect(resolver.pointerBytes).toBeLessThanOrEqual(2_000);
  });

  it('forgets pointers after their time: the next miss lists again, dropping every expired pointer', async () => {
    const { clock, resolver, seedPod, lists } = setup({ pointerTtlMs: 60_000, clusterRelistAfterMs: 30_000 });
    for (let i = 0; i < 50; i++) seedPod([], `pod-${i}`);
    await resolver.resolve(candidate({ pod_uid: 'u-pod-0' }));
    const held = resolver.pointerBytes;
    clock.now += 60_000;
    await resolver.resolve(candidate({ pod_uid: 'u-pod-1' }));
    expect(lists()).toBe(2);
    expect(resolver.pointerBytes).toBe(held);
  });

  it('retries an unknown identity inside the window and gives up after it', async () => {
    const { clock, resolver } = setup();
    await expect(resolver.resolve(candidate({ container_id: cid }))).rejects.toBeInstanceOf(PodNotResolvedError);
    clock.now += 60_000;
    await expect(resolver.resolve(candidate({ container_id: cid }))).rejects.toBeInstanceOf(PodUnresolvableError);
  });
});

describe('PodDirectory', () => {
  it('shares one read among concurrent lookups of the same pod', async () => {
    const api = new FakeKubeApi();
    api.seed(POD, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace: 'ns', name: 'web-1' },
      spec: { containers: [{ name: 'app' }] },
    });
    const pods = new PodDirectory(api);
    const found = await Promise.all([pods.get('ns', 'web-1'), pods.get('ns', 'web-1'), pods.get('ns', 'web-1')]);
    expect(found.map((lookup) => lookup.pod?.metadata.name)).toEqual(['web-1', 'web-1', 'web-1']);
    expect(api.calls.filter((call) => call.verb === 'get')).toHaveLength(1);
  });
});
