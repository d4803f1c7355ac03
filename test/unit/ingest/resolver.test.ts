import { describe, expect, it } from 'vitest';
import type { Candidate } from '../../../functions/ingest/candidates.js';
import { PodDirectory } from '../../../functions/ingest/pods.js';
import { ApiIdentityResolver } from '../../../functions/ingest/resolver.js';
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

function setup(options: { relistAfterMs?: number } = {}) {
  const api = new FakeKubeApi();
  const clock = { now: start };
  const resolver = new ApiIdentityResolver(api, { now: () => clock.now, unresolvedRetryMs: 60_000, ...options });
  const seedPod = (statuses: { name: string; containerID: string }[] = []) =>
    api.seed(POD, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'prod', uid: 'u-1' },
      spec: { containers: [{ name: 'app' }] },
      status: { containerStatuses: statuses },
    });
  const lists = () => api.calls.filter((call) => call.verb === 'list').length;
  return { api, clock, resolver, seedPod, lists };
}

describe('ApiIdentityResolver', () => {
  it('answers a burst of concurrent misses with one list', async () => {
    const { resolver, seedPod, lists } = setup();
    seedPod([{ name: 'app', containerID: `containerd://${cid}` }]);
    const found = await Promise.all(
      Array.from({ length: 5 }, () => resolver.resolve(candidate({ container_id: cid }))),
    );
    expect(found.map((match) => match.containerName)).toEqual(['app', 'app', 'app', 'app', 'app']);
    expect(lists()).toBe(1);
  });

  it('re-lists for a container missing from a cached UID match, but not more than once per interval', async () => {
    const { api, clock, resolver, seedPod, lists } = setup({ relistAfterMs: 1000 });
    seedPod();
    const identity = candidate({ pod_uid: 'u-1', container_id: cid });
    expect((await resolver.resolve(identity)).containerName).toBeUndefined();
    seedPod([{ name: 'app', containerID: `containerd://${cid}` }]);
    expect((await resolver.resolve(identity)).containerName).toBeUndefined();
    expect(lists()).toBe(1);
    clock.now += 1000;
    expect((await resolver.resolve(identity)).containerName).toBe('app');
    expect(lists()).toBe(2);
    expect(api.writes()).toEqual([]);
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
