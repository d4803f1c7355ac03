import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { OverloadedError } from '../../../lib/errors.js';
import { BytesInFlight, boundBodiesInFlight } from '../../../lib/http/in-flight.js';
import { httpFailureFor } from '../../../lib/http/status.js';

/** A route that holds its request until released, so requests overlap as they do under load. */
function app(budget: BytesInFlight) {
  const gates: (() => void)[] = [];
  let entered: () => void = () => {};
  const hono = new Hono();
  hono.post('/', boundBodiesInFlight(budget, 1000), async (c) => {
    await new Promise<void>((resolve) => {
      gates.push(resolve);
      entered();
    });
    return c.body(null, 202);
  });
  hono.onError((error, c) => c.body(null, httpFailureFor(error).status as 503));
  const post = (bytes: number) =>
    hono.request('/', { method: 'POST', headers: { 'content-length': String(bytes) }, body: 'x'.repeat(bytes) });
  /** Resolves once `count` requests are held inside the route. */
  const held = (count: number) =>
    new Promise<void>((resolve) => {
      entered = () => gates.length >= count && resolve();
      entered();
    });
  return {
    post,
    held,
    openAll: () => {
      for (const open of gates.splice(0)) open();
    },
  };
}

describe('bytes of request bodies in flight', () => {
  it('refuses with a retried 503 a body that does not fit beside those in flight, and admits it once they finish', async () => {
    const budget = new BytesInFlight(1000);
    const { post, held, openAll } = app(budget);
    const first = post(600);
    await held(1);
    expect(budget.bytes).toBe(600);
    expect((await post(600)).status).toBe(503);
    openAll();
    expect((await first).status).toBe(202);
    expect(budget.bytes).toBe(0);
    const again = post(600);
    await held(1);
    openAll();
    expect((await again).status).toBe(202);
  });

  it('always admits a request alone, even one larger than the budget', async () => {
    const budget = new BytesInFlight(100);
    const { post, held, openAll } = app(budget);
    const alone = post(800);
    await held(1);
    openAll();
    expect((await alone).status).toBe(202);
  });

  it('counts small bodies together', async () => {
    const budget = new BytesInFlight(1000);
    const { post, held, openAll } = app(budget);
    const small = Array.from({ length: 4 }, () => post(200));
    await held(4);
    expect(budget.bytes).toBe(800);
    expect((await post(300)).status).toBe(503);
    openAll();
    expect((await Promise.all(small)).map((response) => response.status)).toEqual([202, 202, 202, 202]);
  });

  it('maps OverloadedError to a retried 503', () => {
    expect(httpFailureFor(new OverloadedError('busy'))).toEqual({ status: 503, retried: true, reason: 'Overloaded' });
  });
});
