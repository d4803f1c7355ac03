import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { KubeApi } from '../k8s/api.js';
import { createViewerApp } from './app.js';

/** Loopback only, never 0.0.0.0: what it shows is read with the person's credentials. */
export const VIEWER_HOST = '127.0.0.1';
const REQUEST_TIMEOUT_MS = 15_000;

export type RunningViewer = {
  readonly url: string;
  /** The address the socket is bound to, as the operating system reports it. */
  readonly address: string;
  close(): Promise<void>;
};

/** Serves the viewer on 127.0.0.1:`port` (0 picks a free port) and resolves once it listens. */
export function startViewer(api: KubeApi, port: number): Promise<RunningViewer> {
  return new Promise((resolve, reject) => {
    const app = createViewerApp(api);
    const server = serve(
      {
        fetch: app.fetch,
        hostname: VIEWER_HOST,
        port,
        serverOptions: { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS },
      },
      (info: AddressInfo) => {
        resolve({
          url: `http://${VIEWER_HOST}:${info.port}/`,
          address: info.address,
          close: () => new Promise((done) => server.close(() => done())),
        });
      },
    );
    server.once('error', reject);
  });
}
