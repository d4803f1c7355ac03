import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks `Authorization: Bearer <token>` in constant time. Both sides are hashed
 * first so that neither the comparison nor its length check leaks the token.
 */
export function bearerTokenMatches(header: string | undefined, expected: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  const presented = match?.[1] ?? '';
  return timingSafeEqual(digest(presented), digest(expected)) && presented !== '';
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
