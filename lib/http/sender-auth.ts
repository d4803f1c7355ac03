import type { Context, MiddlewareHandler } from 'hono';
import { createSenderVerifier } from '../auth/sender-verifier.js';
import type { AuthConfig } from '../config.js';
import type { IssuerApi } from '../k8s/issuer.js';

/**
 * The one middleware both functions put in front of their event route: the
 * sender's ServiceAccount token is verified before anything else happens, so a
 * refused request costs no API request, no body read and no write. Off only when
 * AUTH_REQUIRED=false (then nothing is checked, and start-up says so).
 */
export type SenderAuthOptions = {
  readonly auth: AuthConfig;
  readonly issuer: IssuerApi | undefined;
  readonly bodyLimitBytes: number;
  readonly now?: () => number;
};

export function senderAuthentication(options: SenderAuthOptions): MiddlewareHandler {
  if (!options.auth.required) return async (_c, next) => next();
  if (options.issuer === undefined) throw new Error('AUTH_REQUIRED needs the API server that issues sender tokens');
  const verifier = createSenderVerifier(options.auth, options.issuer, options.now ?? Date.now);
  return async (c, next) => {
    try {
      await verifier.verify(c.req.header('authorization'));
    } catch (error) {
      // Node drains an unread body to keep the connection; past the limit we close it instead.
      if (!bodyWithinLimit(c, options.bodyLimitBytes)) c.header('connection', 'close');
      throw error;
    }
    await next();
  };
}

function bodyWithinLimit(c: Context, limitBytes: number): boolean {
  const length = c.req.header('content-length');
  if (length !== undefined) return Number(length) <= limitBytes;
  return c.req.header('transfer-encoding') === undefined;
}
