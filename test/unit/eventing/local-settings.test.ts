import { describe, expect, it } from 'vitest';
import { localSenderSettings } from '../../eventing/local-settings.js';
import { shippedSettings } from '../packaging/function-settings.js';

/** The functions' sender settings as the end-to-end tests and `npm run dev` run them: as shipped, in another namespace. */
describe.each(['kernel-gossip-ingest', 'kernel-gossip-sweep'] as const)('%s made local', (service) => {
  const shipped = shippedSettings(service);
  const local = localSenderSettings(service, 'oidc-abc123');

  it('keeps the requirement and the audience as shipped', () => {
    expect(local.AUTH_REQUIRED).toBe('true');
    expect(local.AUTH_AUDIENCE).toBe(shipped.get('AUTH_AUDIENCE'));
  });

  it('allows the same ServiceAccounts, in the new namespace', () => {
    const names = (subjects: string | undefined, namespace: string) =>
      (subjects ?? '').split(',').map((subject) => subject.replace(`system:serviceaccount:${namespace}:`, ''));
    const subjects = local.AUTH_SUBJECTS?.split(',') ?? [];
    expect(subjects.length).toBeGreaterThan(1);
    expect(subjects.every((subject) => subject.startsWith('system:serviceaccount:oidc-abc123:'))).toBe(true);
    expect(names(local.AUTH_SUBJECTS, 'oidc-abc123')).toEqual(names(shipped.get('AUTH_SUBJECTS'), 'kernel-gossip'));
  });

  it('is the shipped settings unchanged in the shipped namespace (npm run dev)', () => {
    expect(localSenderSettings(service, 'kernel-gossip').AUTH_SUBJECTS).toBe(shipped.get('AUTH_SUBJECTS'));
  });
});
