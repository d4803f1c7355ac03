import { describe, expect, it } from 'vitest';
import { KERNEL_WHISPER } from '../../../lib/api/group.js';
import { batchEvents, throttleData } from '../../fixtures/events.js';
import { ingestHarness, send } from '../support/ingest-app.js';

const THROTTLE = 'io.gossip.kernel.cpu_throttle.v1';
const valid = { type: THROTTLE, data: throttleData, id: 'valid' };
const invalid = { type: THROTTLE, data: { ...throttleData, throttle_percentage: 'high' }, id: 'invalid' };
/** A container the pod status does not list yet: a retried 404 until UNRESOLVED_RETRY_SECONDS. */
const notYetResolvable = {
  type: THROTTLE,
  data: { ...throttleData, pod_name: undefined, namespace: undefined, container_id: 'containerd://abcdef0123456789' },
  id: 'not-yet',
};

describe('a batch: every event settles on its own, the answer follows lib/http/status.ts', () => {
  it('applies the valid events and answers the permanent failure with 400, naming it', async () => {
    const { app, api } = ingestHarness();
    const response = await send(app, '/', batchEvents([valid, invalid]));
    expect(response.status).toBe(400);
    expect(response.headers.get('retry-after')).toBeNull();
    expect(await response.json()).toEqual({
      error: 'InvalidEvent',
      message:
        '1 of 2 events failed: [1] (id invalid) 400 InvalidEvent: Invalid cpu_throttle data: throttle_percentage: must be a number',
    });
    expect(api.all(KERNEL_WHISPER).map((object) => object.metadata.name)).toEqual(['throttled-pod.app']);
  });

  it('answers with a retried status when any event may still succeed, behind a permanent failure', async () => {
    const { app, api } = ingestHarness();
    const response = await send(app, '/', batchEvents([valid, invalid, notYetResolvable]));
    expect(response.status).toBe(404);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(((await response.json()) as { message: string }).message).toMatch(
      /^2 of 3 events failed: \[1\] \(id invalid\) 400 InvalidEvent: .*; \[2\] \(id not-yet\) 404 PodNotResolvedYet: /,
    );
    expect(api.all(KERNEL_WHISPER)).toHaveLength(1);
  });

  it('a member whose envelope is broken fails alone, named by its place', async () => {
    const { app, api } = ingestHarness();
    const body = JSON.stringify([{ specversion: '1.0', id: 'x', source: '/s', type: '' }, 7]);
    const response = await send(app, '/', { headers: { 'content-type': 'application/cloudevents-batch+json' }, body });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toBe(
      '2 of 2 events failed: [0] 400 InvalidEvent: Invalid CloudEvent: [0].type: must not be empty; ' +
        '[1] 400 InvalidEvent: A structured CloudEvent must be a JSON object',
    );
    expect(api.writes()).toEqual([]);
  });

  it('answers an empty batch (valid per the JSON batch format) 202 with nothing to do', async () => {
    const { app, api } = ingestHarness();
    const response = await send(app, '/', {
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body: '[]',
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('kernel-gossip-outcome')).toBe('skipped');
    expect(api.calls).toEqual([]);
  });
});
