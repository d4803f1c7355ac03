import http from 'node:http';
import https from 'node:https';
import { type ApiFailure, KubeApiError, type StatusCause } from '../errors.js';
import type { RequestObserver } from './api.js';
import type { Credentials, RequestAuth } from './credentials.js';
import { ConnectTunnelAgent } from './proxy.js';

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
    accept?: string,
  ): Promise<HttpResult>;
  close(): void;
};

export type HttpResult = { readonly status: number; readonly body: unknown };

const REQUEST_TIMEOUT_MS = 10_000;

export function createTransport(credentials: Credentials, observe: RequestObserver = () => {}): Transport {
  const { server } = credentials;
  const secure = server.protocol === 'https:';
  const agents = agentsFor(credentials);

  async function request(
    verb: string,
    method: string,
    path: string,
    body?: { contentType: string; json: unknown },
    accept = 'application/json',
  ): Promise<HttpResult> {
    const started = performance.now();
    const payload = body === undefined ? undefined : JSON.stringify(body.json);
    try {
      const auth = await credentials.authenticate();
      const headers: http.OutgoingHttpHeaders = { ...auth.headers, accept };
      if (body !== undefined && payload !== undefined) {
        headers['content-type'] = body.contentType;
        headers['content-length'] = Buffer.byteLength(payload);
      }
      const agent = agents.for(auth.clientCertificate);
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

  return { request, close: () => agents.close() };
}

type ClientCertificate = NonNullable<RequestAuth['clientCertificate']>;

/**
 * One keep-alive agent for the credentials' TLS material, tunnelling through the kubeconfig's
 * proxy when it names one. An exec plugin may issue a new client certificate when its
 * credential expires: the agent follows it, and the old one is closed once its requests
 * have had time to finish.
 */
function agentsFor(credentials: Credentials): { for(certificate?: ClientCertificate): http.Agent; close(): void } {
  const make = (certificate?: ClientCertificate): http.Agent => {
    const options = { keepAlive: true, maxSockets: 64, ...credentials.tls, ...certificate };
    if (credentials.server.protocol !== 'https:') return new http.Agent(options);
    return credentials.proxy === undefined
      ? new https.Agent(options)
      : new ConnectTunnelAgent(credentials.proxy, options);
  };
  const { cert, key } = credentials.tls;
  const initial = cert === undefined || key === undefined ? undefined : { cert, key };
  let current = { agent: make(initial), certificate: initial };
  return {
    for(certificate) {
      const same = (a?: ClientCertificate, b?: ClientCertificate): boolean =>
        a === b || (a !== undefined && b !== undefined && a.cert.equals(b.cert) && a.key.equals(b.key));
      if (!same(certificate, current.certificate)) {
        const retired = current.agent;
        setTimeout(() => retired.destroy(), REQUEST_TIMEOUT_MS).unref();
        current = { agent: make(certificate), certificate };
      }
      return current.agent;
    },
    close: () => current.agent.destroy(),
  };
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
