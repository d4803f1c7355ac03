import { type FunctionService, shippedSettings } from '../unit/packaging/function-settings.js';
import { NAMESPACE } from '../unit/packaging/manifests.js';

/**
 * A function's sender-identity settings as shipped (AUTH_REQUIRED, AUTH_AUDIENCE and the
 * allowed AUTH_SUBJECTS: its Triggers' ServiceAccounts as Knative names them, and the
 * observer or its own), with every subject moved to `namespace`, as local-manifests.ts moves
 * the Triggers themselves.
 */
const SENDER_SETTINGS = ['AUTH_REQUIRED', 'AUTH_AUDIENCE', 'AUTH_SUBJECTS'] as const;
const SHIPPED_PREFIX = `system:serviceaccount:${NAMESPACE}:`;

export function localSenderSettings(service: FunctionService, namespace: string): Record<string, string> {
  const shipped = shippedSettings(service);
  const settings = Object.fromEntries(
    SENDER_SETTINGS.map((name) => {
      const value = shipped.get(name);
      if (value === undefined) throw new Error(`${service} ships without ${name}`);
      return [name, value];
    }),
  );
  const subjects = (settings.AUTH_SUBJECTS ?? '').split(',').map((subject) => {
    if (!subject.startsWith(SHIPPED_PREFIX))
      throw new Error(`${service}: ${subject} is not a ServiceAccount of ${NAMESPACE}`);
    return `system:serviceaccount:${namespace}:${subject.slice(SHIPPED_PREFIX.length)}`;
  });
  return { ...settings, AUTH_SUBJECTS: subjects.join(',') };
}
