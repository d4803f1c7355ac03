import { describe, expect, it } from 'vitest';
import { POD } from '../../../lib/api/group.js';
import { listAll } from '../../../lib/k8s/list-all.js';
import type { KubeObject } from '../../../lib/k8s/objects.js';
import { FakeKubeApi } from '../support/fake-kube-api.js';

describe('listAll', () => {
  it('reads every page and trims each item as its page arrives', async () => {
    const api = new FakeKubeApi();
    for (let i = 0; i < 7; i++)
      api.seed(POD, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { namespace: 'ns', name: `p${i}`, labels: { big: 'x' } },
      });
    const trimmed = await listAll<KubeObject>(api, POD, { namespace: 'ns' }, 3, (pod) => ({
      ...pod,
      metadata: { name: pod.metadata.name },
    }));
    expect(trimmed.map((pod) => pod.metadata)).toEqual(Array.from({ length: 7 }, (_, i) => ({ name: `p${i}` })));
    expect(api.calls.filter((call) => call.verb === 'list')).toHaveLength(3);
  });
});
