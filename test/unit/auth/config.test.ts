import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../lib/config.js';

/** Sender identity settings: required unless switched off, and never required without someone allowed to send. */
const SENDER = 'system:serviceaccount:kernel-gossip:kernel-gossip-sweep-oidc-eventing.knative.dev-trigger';

describe('sender identity settings', () => {
  it('are required by default, with an audience naming the function', () => {
    expect(parseConfig({ AUTH_SUBJECTS: SENDER }).auth).toEqual({
      required: true,
      audience: 'kernel-gossip-ingest',
      subjects: new Set([SENDER]),
    });
    expect(parseConfig({ KERNEL_GOSSIP_FUNCTION: 'sweep', AUTH_SUBJECTS: SENDER }).auth.audience).toBe(
      'kernel-gossip-sweep',
    );
  });

  it('take an audience and a comma list of subjects', () => {
    const config = parseConfig({ AUTH_AUDIENCE: 'events', AUTH_SUBJECTS: ` ${SENDER} , system:serviceaccount:a:b ` });
    expect(config.auth).toEqual({
      required: true,
      audience: 'events',
      subjects: new Set([SENDER, 'system:serviceaccount:a:b']),
    });
  });

  it('may be switched off, and then need no subjects', () => {
    expect(parseConfig({ AUTH_REQUIRED: 'false' }).auth).toMatchObject({ required: false, subjects: new Set() });
  });

  it.each([
    [{}, /AUTH_SUBJECTS: must name at least one sender while AUTH_REQUIRED is true/],
    [{ AUTH_REQUIRED: 'yes', AUTH_SUBJECTS: SENDER }, /AUTH_REQUIRED: must be true or false/],
    [{ AUTH_SUBJECTS: 'kernel-gossip:observer' }, /AUTH_SUBJECTS: must list system:serviceaccount:<namespace>:<name>/],
    [{ AUTH_SUBJECTS: 'system:serviceaccount:Bad_NS:x' }, /AUTH_SUBJECTS/],
  ])('refuse to start with %j', (env, message) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(message);
  });
});
