import http from 'node:http';
import https from 'node:https';
import { type ApiFailure, KubeApiError, type StatusCause } from '../errors.js';
import type { RequestObserver } from './api.js';
import type { Credentials } from './credentials.js';

/**
 * HTTP to the API server with the credentials credentials.ts found. Requests go
 * through one keep-alive agent, because a TLS handshake per request (what
 * client-node's generated clients do) costs more than the apply itself.
 */
export type Transport = {
  request(
    verb: string,
    method: string,
    path: string,
    body?: { contentType: string; json: unknown },
  ): Promise<HttpResult>;
  close(): void;
};

export type HttpResult = { readonly status: number; readonly body: unknown };

const REQUEST_TIMEOUT_MS = 10_000;

export function createTransport(credentials: Credentials, observe: RequestObserver = () => {}): Transport {
  const { server, tls } = credentials;
  const secure = server.protocol === 'https:';
  const agent = secure
    ? new https.Agent({ keepAlive: true, maxSockets: 64, ...tls })
    : new http.Agent({ keepAlive: true, maxSockets: 64 });

  async function request(
    verb: string,
    method: string,
    path: string,
    body?: { contentType: string; json: unknown },
  ): Promise<HttpResult> {
    const started = performance.now();
    const payload = body === undefined ? undefined : JSON.stringify(body.json);
    try {
      const headers: http.OutgoingHttpHeaders = { ...(await credentials.headers()), accept: 'application/json' };
      if (body !== undefined && payload !== undefined) {
        headers['content-type'] = body.contentType;
        headers['content-length'] = Buffer.byteLength(payload);
      }
      const result = await send(secure, agent, server, method, path, headers, payload);
      observe(verb, result.status, (performance.now() - started) / 1000);
      return result;
    } catch (error) {
      observe(verb, 'error', (performance.now() - started) / 1000);
      throw new KubeApiError(`${method} ${path}: the API server could not be reached`, 'unavailable', undefined, {
        cause: error,
      });
    }
  }

  return { request, close: () => agent.destroy() };
}

function send(
  secure: boolean,
  agent: http.Agent,
  server: URL,
  method: string,
  path: string,
  headers: http.OutgoingHttpHeaders,
  payload: string | undefined,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const options: http.RequestOptions = {
      agent,
      method,
      headers,
      host: server.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: server.port,
      path: server.pathname.replace(/\/$/, '') + path,
      timeout: REQUEST_TIMEOUT_MS,
    };
    const req = (secure ? https : http).request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: parseBody(Buffer.concat(chunks).toString('utf8')) }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** What a caller can do about a status code; see lib/http/status.ts for the HTTP side. */
export function failureFor(status: number): ApiFailure {
  if (status === 409) return 'conflict';
  if (status === 429) return 'throttled';
  if (status === 404) return 'not-found';
  if (status === 401 || status === 403) return 'forbidden';
  if (status === 400 || status === 422 || status === 413 || status === 415) return 'rejected';
  return 'unavailable';
}

export function apiError(method: string, path: string, result: HttpResult): KubeApiError {
  const message = statusMessage(result.body);
  return new KubeApiError(
    `${method} ${path}: ${result.status}${message === undefined ? '' : ` ${message}`}`,
    failureFor(result.status),
    result.status,
    { causes: statusCauses(result.body) },
  );
}

/** `details.causes[].{reason, field}` of a metav1.Status; anything else in the body is ignored. */
function statusCauses(body: unknown): StatusCause[] {
  const details = isRecord(body) ? body.details : undefined;
  const causes = isRecord(details) ? details.causes : undefined;
  if (!Array.isArray(causes)) return [];
  return causes.filter(isRecord).map((cause) => ({
    ...(typeof cause.reason === 'string' ? { reason: cause.reason } : {}),
    ...(typeof cause.field === 'string' ? { field: cause.field } : {}),
  }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function statusMessage(body: unknown): string | undefined {
  if (typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string')
    return body.message;
  return undefined;
}
