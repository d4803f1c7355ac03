import { describe, expect, it } from 'vitest';
import type { SweepSummary } from '../../../functions/sweep/handle.js';
import { CONFIG_MAP, KERNEL_WHISPER, POD } from '../../../lib/api/group.js';
import { KubeApiError } from '../../../lib/errors.js';
import { monitoredPod } from '../support/ingest-app.js';
import { post, seedWhisper, sweepHarness } from './harness.js';
import { type PingRequest, pingBinary, pingStructured } from './ping.js';

function withoutHeader(request: PingRequest, name: string): PingRequest {
  const { [name]: _dropped, ...headers } = request.headers;
  return { ...request, headers };
}

const NOTHING = {
  statusRepaired: 0,
  resolved: 0,
  markedPodGone: 0,
  markedInvalid: 0,
  deleted: 0,
  configMapUpdated: 0,
  lifecycleRefreshed: 0,
  rollupsApplied: 0,
  rollupsDeleted: 0,
};

async function summaryOf(response: Response): Promise<SweepSummary> {
  return (await response.json()) as SweepSummary;
}

describe('POST / runs a sweep', () => {
  it('answers a plain POST with 200 and the summary', async () => {
    const { app, fake } = sweepHarness();
    seedWhisper(fake, 'a');
    seedWhisper(fake, 'b', { pod: false });

    const response = await post(app);

    expect(response.status).toBe(200);
    expect(await summaryOf(response)).toEqual({
      seen: { kernelWhispers: 2, podBirthCertificates: 0, pods: 1, workloadWhispers: 0 },
      actions: { ...NOTHING, statusRepaired: 2, markedPodGone: 1, configMapUpdated: 1 },
      writes: 3,
      conflicts: 0,
      failures: [],
    });
    expect(fake.all(KERNEL_WHISPER).map((object) => object.status)).toMatchObject([
      { observed_generation: 1, conditions: [{ type: 'Throttled', status: 'True' }] },
      {
        conditions: [
          { type: 'Throttled' },
          { type: 'PodGone', status: 'True', reason: 'PodDeleted', lastTransitionTime: '2024-01-01T01:00:00.000Z' },
        ],
      },
    ]);
    expect(fake.all(CONFIG_MAP)).toMatchObject([
      { metadata: { namespace: 'kernel-gossip', name: 'ebpf-monitored-pods' }, data: { pods: 'a:uid-a', count: '1' } },
    ]);
  });

  it.each([
    ['binary', pingBinary()],
    ['structured', pingStructured()],
  ])('answers a PingSource event in %s mode with 202 and an empty body', async (_mode, ping) => {
    const { app, fake } = sweepHarness();
    seedWhisper(fake, 'a');

    const response = await post(app, ping.headers, ping.body);

    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');
    expect(fake.all(KERNEL_WHISPER)[0]?.status).toBeDefined();
  });

  it.each([
    ['another event type', pingBinary('io.gossip.kernel.cpu_throttle.v1'), 422],
    [
      'an invalid CloudEvent',
      { headers: { 'content-type': 'application/cloudevents+json' }, body: '{"specversion":' },
      400,
    ],
    ['a ping without ce-type', withoutHeader(pingBinary(), 'ce-type'), 400],
    ['a ping without ce-id', withoutHeader(pingBinary(), 'ce-id'), 400],
    ['a ping with an empty ce-source', { ...pingBinary(), headers: { ...pingBinary().headers, 'ce-source': '' } }, 400],
    [
      'a structured ping whose type is a number',
      { ...pingStructured(), body: JSON.stringify({ ...JSON.parse(pingStructured().body), type: 7 }) },
      400,
    ],
    [
      'a batch with one ping lacking its id',
      {
        headers: { 'content-type': 'application/cloudevents-batch+json' },
        body: JSON.stringify([
          JSON.parse(pingStructured().body),
          { ...JSON.parse(pingStructured().body), id: undefined },
        ]),
      },
      400,
    ],
  ])('refuses %s without reading the cluster', async (_case, request, status) => {
    const { app, fake } = sweepHarness();

    const response = await post(app, request.headers, request.body);

    expect(response.status).toBe(status);
    expect(fake.calls).toEqual([]);
  });

  it.each([
    [
      'Java/Spring content type',
      { ...pingBinary(), headers: { ...pingBinary().headers, 'content-type': 'application/json;charset=UTF-8' } },
    ],
    [
      'data that is not JSON (the sweep ignores it)',
      { ...pingBinary(), headers: { ...pingBinary().headers, 'content-type': 'text/plain' }, body: 'tick' },
    ],
    [
      'structured, any case',
      { ...pingStructured(), headers: { 'content-type': 'Application/CloudEvents+JSON; charset=utf-8' } },
    ],
  ])('sweeps for a ping with %s', async (_case, ping) => {
    const { app, fake } = sweepHarness();
    seedWhisper(fake, 'a');
    const response = await post(app, ping.headers, ping.body);
    expect(response.status).toBe(202);
    expect(fake.all(KERNEL_WHISPER)[0]?.status).toBeDefined();
  });

  it('writes nothing on a second sweep over the converged cluster', async () => {
    const { app, fake } = sweepHarness();
    seedWhisper(fake, 'a');
    seedWhisper(fake, 'b', { pod: false });
    await post(app);
    const writes = fake.writes().length;

    const again = await summaryOf(await post(app));

    expect(again).toMatchObject({ actions: NOTHING, writes: 0, failures: [] });
    expect(fake.writes()).toHaveLength(writes);
  });

  it('deletes a resource whose pod stayed gone for the retention window, after marking it', async () => {
    const { app, fake } = sweepHarness({ KW_RETENTION_SECONDS: '0' });
    seedWhisper(fake, 'gone', { pod: false });

    const marked = await summaryOf(await post(app));
    const deleted = await summaryOf(await post(app));

    expect(marked.actions).toMatchObject({ markedPodGone: 1, deleted: 0 });
    expect(deleted.actions).toEqual({ ...NOTHING, deleted: 1 });
    expect(fake.all(KERNEL_WHISPER)).toEqual([]);
  });

  it('reads every list page by page (limit + continue)', async () => {
    const { app, fake } = sweepHarness({ SWEEP_PAGE_SIZE: '2' });
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) seedWhisper(fake, name);

    const summary = await summaryOf(await post(app));

    expect(summary.seen).toEqual({ kernelWhispers: 5, podBirthCertificates: 0, pods: 5, workloadWhispers: 0 });
    expect(fake.calls.filter((call) => call.verb === 'list' && call.type === 'kernelwhispers')).toHaveLength(3);
    expect(fake.all(KERNEL_WHISPER).every((object) => object.status !== undefined)).toBe(true);
  });

  it('reads only ALLOWED_NAMESPACES when set', async () => {
    const { app, fake } = sweepHarness({ ALLOWED_NAMESPACES: 'production' });
    seedWhisper(fake, 'a');
    fake.seed(POD, monitoredPod('elsewhere', 'x'));

    const summary = await summaryOf(await post(app));

    expect(summary.seen).toEqual({ kernelWhispers: 1, podBirthCertificates: 0, pods: 1, workloadWhispers: 0 });
    expect(fake.all(CONFIG_MAP)[0]).toMatchObject({ data: { pods: 'a:uid-a' } });
  });
});

describe('failures', () => {
  it('keeps going when one object fails, and reports it', async () => {
    const { app, fake, api } = sweepHarness();
    for (const name of ['a', 'b', 'c']) seedWhisper(fake, name);
    api.fault = (verb, _type, name) =>
      verb === 'apply_status' && name === 'b.app'
        ? new KubeApiError('PATCH b.app: 422 invalid', 'rejected', 422)
        : undefined;

    const response = await post(app);

    expect(response.status).toBe(200);
    expect(await summaryOf(response)).toMatchObject({
      actions: { statusRepaired: 2, configMapUpdated: 1 },
      failures: [
        {
          object: 'kernelwhispers/production/b.app',
          reason: 'ObjectRejected',
          // What the API server said stays in the log; the reply names the reason only.
          message: 'The API server did not accept the request (ObjectRejected)',
        },
      ],
    });
    expect(fake.all(KERNEL_WHISPER).map((object) => object.status !== undefined)).toEqual([true, false, true]);
  });

  it('marks an object whose spec fails the schema Invalid and sweeps the others', async () => {
    const { app, fake } = sweepHarness();
    seedWhisper(fake, 'a');
    const good = seedWhisper(fake, 'b');
    fake.seed(KERNEL_WHISPER, {
      ...good,
      metadata: { name: 'broken.app', namespace: 'production' },
      spec: { pod_name: 'broken' },
    });

    const response = await post(app);

    expect(response.status).toBe(200);
    expect(await summaryOf(response)).toMatchObject({ actions: { statusRepaired: 2, markedInvalid: 1 }, failures: [] });
  });

  it('counts a conflict (a concurrent writer won) and still answers 2xx', async () => {
    const { app, fake, api } = sweepHarness();
    seedWhisper(fake, 'a');
    api.fault = (verb) =>
      verb === 'apply_status' ? new KubeApiError('the object has been modified', 'conflict', 409) : undefined;

    const response = await post(app, pingBinary().headers, pingBinary().body);

    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');
  });

  it('puts conflicts in the summary', async () => {
    const { app, fake, api } = sweepHarness();
    seedWhisper(fake, 'a');
    api.fault = (verb) =>
      verb === 'apply_status' ? new KubeApiError('the object has been modified', 'conflict', 409) : undefined;

    const summary = await summaryOf(await post(app));

    expect(summary).toMatchObject({
      conflicts: 1,
      writes: 1,
      failures: [{ object: 'kernelwhispers/production/a.app', reason: 'Conflict' }],
    });
  });

  it('asks for a retry (503) when a write found the API server unavailable, after sweeping the rest', async () => {
    const { app, fake, api } = sweepHarness();
    seedWhisper(fake, 'a');
    seedWhisper(fake, 'b');
    api.fault = (verb, _type, name) =>
      verb === 'apply_status' && name === 'a.app'
        ? new KubeApiError('unreachable', 'unavailable', undefined)
        : undefined;

    const response = await post(app);

    expect(response.status).toBe(503);
    expect(await summaryOf(response)).toMatchObject({
      actions: { statusRepaired: 1 },
      failures: [{ reason: 'ApiServerUnavailable' }],
    });
  });

  it('answers 503 and writes nothing when listing fails', async () => {
    const { app, fake, api } = sweepHarness();
    seedWhisper(fake, 'a');
    api.fault = (verb, type) =>
      verb === 'list' && type.plural === 'pods' ? new KubeApiError('unreachable', 'unavailable', undefined) : undefined;

    const response = await post(app);

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      error: 'ApiServerUnavailable',
      message: 'Temporarily unable to process the request; retry later',
    });
    expect(fake.writes()).toEqual([]);
  });
});
