import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OverloadedError } from '../../../lib/errors.js';
import { BytesInFlight, boundBodiesInFlight } from '../../../lib/http/in-flight.js';
import { httpFailureFor } from '../../../lib/http/status.js';

/** A route that holds each request until released, so requests overlap as they do under load. */
function app(budget: BytesInFlight) {
  const gates: (() => void)[] = [];
  const entered: number[] = [];
  let onEnter: () => void = () => {};
  const hono = new Hono();
  hono.post('/', boundBodiesInFlight(budget, 1000), async (c) => {
    entered.push(Number(c.req.header('content-length')));
    await new Promise<void>((resolve) => {
      gates.push(resolve);
      onEnter();
    });
    return c.body(null, 202);
  });
  hono.onError((error, c) => c.body(null, httpFailureFor(error).status as 503));
  const post = (bytes: number) =>
    Promise.resolve(
      hono.request('/', { method: 'POST', headers: { 'content-length': String(bytes) }, body: 'x'.repeat(bytes) }),
    );
  /** Resolves once `count` requests are held inside the route. */
  const held = (count: number) =>
    new Promise<void>((resolve) => {
      onEnter = () => gates.length >= count && resolve();
      onEnter();
    });
  const openAll = () => {
    for (const open of gates.splice(0)) open();
  };
  return { post, held, openAll, entered };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('bytes of request bodies in flight', () => {
  it('lets a body that does not fit wait, unread, until those ahead of it finish', async () => {
    const budget = new BytesInFlight(1000, 10_000);
    const { post, held, openAll, entered } = app(budget);
    const first = post(600);
    await held(1);
    const second = post(600);
    await vi.waitFor(() => expect(budget.queued).toBe(1));
    expect([budget.bytes, entered]).toEqual([600, [600]]);
    openAll();
    await held(1);
    expect(budget.bytes).toBe(600);
    openAll();
    expect((await Promise.all([first, second])).map((response) => response.status)).toEqual([202, 202]);
    expect(budget.bytes).toBe(0);
  });

  it('admits in arrival order: a large body at the head is not overtaken by smaller ones', async () => {
    const budget = new BytesInFlight(1000, 10_000);
    const { post, held, openAll, entered } = app(budget);
    const all = [post(600)];
    await held(1);
    all.push(post(900));
    await vi.waitFor(() => expect(budget.queued).toBe(1));
    // 200 would fit beside the 600 in flight, but 900 was waiting first.
    all.push(post(200));
    await vi.waitFor(() => expect(budget.queued).toBe(2));
    openAll();
    await held(1);
    expect(budget.queued).toBe(1);
    openAll();
    await held(1);
    openAll();
    await Promise.all(all);
    expect(entered).toEqual([600, 900, 200]);
  });

  it('answers a retried 503 to a body that waited too long, and keeps nothing of it', async () => {
    vi.useFakeTimers();
    const budget = new BytesInFlight(1000, 5_000);
    const { post, held, openAll } = app(budget);
    const first = post(600);
    await held(1);
    const second = post(600);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(budget.queued).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect((await second).status).toBe(503);
    expect(budget.bytes).toBe(600);
    openAll();
    expect((await first).status).toBe(202);
    expect(budget.bytes).toBe(0);
  });

  it('always admits a request alone, even one larger than the budget', async () => {
    const budget = new BytesInFlight(100, 10_000);
    const { post, held, openAll } = app(budget);
    const alone = post(800);
    await held(1);
    openAll();
    expect((await alone).status).toBe(202);
  });

  it('counts small bodies together', async () => {
    const budget = new BytesInFlight(1000, 10_000);
    const { post, held, openAll } = app(budget);
    const small = Array.from({ length: 4 }, () => post(200));
    await held(4);
    expect(budget.bytes).toBe(800);
    const fifth = post(300);
    await vi.waitFor(() => expect(budget.queued).toBe(1));
    expect(budget.bytes).toBe(800);
    openAll();
    await held(1);
    openAll();
    expect((await Promise.all([...small, fifth])).map((response) => response.status)).toEqual([
      202, 202, 202, 202, 202,
    ]);
  });

  it('maps OverloadedError to a retried 503', () => {
    expect(httpFailureFor(new OverloadedError('busy'))).toEqual({ status: 503, retried: true, reason: 'Overloaded' });
  });
});
