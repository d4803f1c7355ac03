import { describe, expect, it } from 'vitest';
import type { SweepSummary } from '../../../functions/sweep/handle.js';
import { KubeApiError } from '../../../lib/errors.js';
import { post, seedWhisper, sweepHarness } from './harness.js';

/** A listing whose snapshot etcd compacted answers its next page 410; the sweep starts over. */
const expired = () =>
  new KubeApiError('GET …?continue=…: 410 The provided continue parameter is too old', 'unavailable', 410);

describe('a sweep that outlives its listing', () => {
  it('starts its listings over, objects first, and counts each object once', async () => {
    const { app, fake, api } = sweepHarness({ SWEEP_PAGE_SIZE: '1' });
    for (const name of ['a', 'b', 'c']) seedWhisper(fake, name);
    let lists = 0;
    let failed = false;
    api.fault = (verb, type) => {
      if (verb !== 'list' || type.plural !== 'kernelwhispers') return undefined;
      lists++;
      // The third page request of the first round: two objects swept, the listing expired.
      if (lists === 3 && !failed) {
        failed = true;
        return expired();
      }
      return undefined;
    };

    const response = await post(app);
    const summary = (await response.json()) as SweepSummary;

    expect(response.status).toBe(200);
    expect(summary.seen).toEqual({ kernelWhispers: 3, podBirthCertificates: 0, pods: 3, workloadWhispers: 0 });
    expect(summary.actions.statusRepaired).toBe(3);
    expect(summary.failures).toEqual([]);
    // Pods listed again after the restart: two rounds of three one-pod pages.
    const podLists = api.calls.filter((call) => call.verb === 'list' && call.type === 'pods');
    expect(podLists).toHaveLength(2 * 3);
  });

  it('gives up with a retried 503 when every listing expires', async () => {
    const { app, fake, api } = sweepHarness({ SWEEP_PAGE_SIZE: '1' });
    for (const name of ['a', 'b']) seedWhisper(fake, name);
    let lists = 0;
    api.fault = (verb, type) =>
      verb === 'list' && type.plural === 'kernelwhispers' && ++lists % 2 === 0 ? expired() : undefined;

    const response = await post(app);

    expect(response.status).toBe(503);
    // The first round and five restarts, two one-pod pages each.
    expect(api.calls.filter((call) => call.verb === 'list' && call.type === 'pods')).toHaveLength(6 * 2);
  });
});
