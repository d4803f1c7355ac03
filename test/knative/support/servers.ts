import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';

/**
 * The functions as Knative Serving would run them, minus the container: the same Hono
 * app on a real socket (loopback, a port of the kernel's choosing, never the dispatcher's
 * 8080), with every request the Broker makes recorded, and a dead-letter sink that
 * records what reaches it, as event_display would log it.
 */
export type Delivery = {
  readonly at: number;
  readonly status: number;
  /** Lower-case header names, as Node gives them. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
};

export type RecordingServer = {
  readonly url: string;
  readonly deliveries: readonly Delivery[];
  /** Deliveries whose `ce-id` is `id`, in arrival order. */
  of(id: string): Delivery[];
  close(): Promise<void>;
};

/** Serves `app`, recording each request with the status the app answered. */
export function serveRecorded(app: Hono): Promise<RecordingServer> {
  const deliveries: Delivery[] = [];
  return listen(deliveries, async (request, env) => {
    const at = Date.now();
    const headers = headerRecord(request.headers);
    const response = await app.fetch(request, env);
    deliveries.push({ at, status: response.status, headers, body: '' });
    return response;
  });
}

/** A dead-letter sink: answers 202 to everything and keeps headers and body. */
export function serveDeadLetterSink(): Promise<RecordingServer> {
  const deliveries: Delivery[] = [];
  return listen(deliveries, async (request) => {
    deliveries.push({
      at: Date.now(),
      status: 202,
      headers: headerRecord(request.headers),
      body: await request.text(),
    });
    return new Response(null, { status: 202 });
  });
}

function headerRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    record[name] = value;
  });
  return record;
}

type Fetch = (request: Request, env: unknown) => Promise<Response>;

function listen(deliveries: Delivery[], fetch: Fetch): Promise<RecordingServer> {
  return new Promise((resolve) => {
    const server: ServerType = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}/`,
        deliveries,
        of: (id) => deliveries.filter((delivery) => delivery.headers['ce-id'] === id),
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
