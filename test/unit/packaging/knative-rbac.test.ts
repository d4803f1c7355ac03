import { describe, expect, it } from 'vitest';
import {
  CONFIG_MAP,
  EVENT,
  GROUP,
  KERNEL_WHISPER,
  POD,
  POD_BIRTH_CERTIFICATE,
  WORKLOAD_WHISPER,
} from '../../../lib/api/group.js';
import { BindingSchema, RoleSchema } from './knative-schemas.js';
import { loadManifests, NAMESPACE, ofKind, parseAs } from './manifests.js';
import { type Grant, grant, grantsOf, roleOf } from './rbac.js';

/**
 * Least privilege, read off the manifests without a server: each function's ServiceAccount
 * gets exactly what the function needs — a missing rule fails as surely as an extra one.
 * (That the API server enforces these rules is for the RBAC test with real tokens.)
 */

const manifests = loadManifests();
const roles = [...ofKind(manifests, 'Role'), ...ofKind(manifests, 'ClusterRole')].map((m) =>
  parseAs(RoleSchema, m.object, m.file),
);
const bindings = [...ofKind(manifests, 'RoleBinding'), ...ofKind(manifests, 'ClusterRoleBinding')].map((m) =>
  parseAs(BindingSchema, m.object, m.file),
);

const OURS = [KERNEL_WHISPER.plural, POD_BIRTH_CERTIFICATE.plural];
const everywhere = (group: string, resources: readonly string[], verbs: readonly string[]): Grant[] =>
  resources.flatMap((resource) => verbs.map((verb) => grant('*', group, resource, verb)));

const NEEDED: Record<string, readonly Grant[]> = {
  // Resolves pods by name, uid or container id (list with a node field selector); applies
  // spec and status (an apply that creates needs create too); emits Events on pods.
  'kernel-gossip-ingest': [
    ...everywhere(POD.group, [POD.plural], ['get', 'list']),
    ...everywhere(GROUP, OURS, ['get', 'create', 'patch']),
    ...everywhere(
      GROUP,
      OURS.map((plural) => `${plural}/status`),
      ['patch'],
    ),
    ...everywhere(EVENT.group, [EVENT.plural], ['create', 'patch', 'get']),
  ],
  // Lists and repairs our objects, deletes them after retention, owns the roll-ups whole
  // (server-side apply creates them: create and patch), and owns one ConfigMap in its own
  // namespace (created and updated by server-side apply, so create is name-bound).
  'kernel-gossip-sweep': [
    ...everywhere(POD.group, [POD.plural], ['list']),
    ...everywhere(GROUP, [WORKLOAD_WHISPER.plural], ['list', 'create', 'patch', 'delete']),
    ...everywhere(GROUP, [`${WORKLOAD_WHISPER.plural}/status`], ['patch']),
    ...everywhere(GROUP, OURS, ['list', 'delete']),
    ...everywhere(
      GROUP,
      OURS.map((plural) => `${plural}/status`),
      ['patch'],
    ),
    ...['get', 'patch', 'create'].map((verb) =>
      grant(NAMESPACE, CONFIG_MAP.group, CONFIG_MAP.plural, verb, 'ebpf-monitored-pods'),
    ),
  ],
};

/**
 * Roles Kubernetes itself ships, which a binding may name without a manifest of ours:
 * verifying sender tokens reads the issuer's discovery document and keys (non-resource URLs).
 */
const BUILT_IN_ROLES = ['system:service-account-issuer-discovery'];

describe('RBAC in knative/', () => {
  it.each(Object.entries(NEEDED))('gives %s exactly what it needs', (name, needed) => {
    const granted = grantsOf({ name, namespace: NAMESPACE }, roles, bindings);
    expect(granted).toEqual([...new Set(needed)].sort());
  });

  it('grants nothing with wildcards', () => {
    const wildcards = roles.flatMap((role) =>
      role.rules.flatMap((rule) =>
        [...rule.apiGroups, ...rule.resources, ...rule.verbs].includes('*') ? [role.metadata.name] : [],
      ),
    );
    expect(wildcards).toEqual([]);
  });

  it('binds each function to the built-in issuer discovery role, and to nothing else built in', () => {
    const builtIn = bindings.filter((binding) => roleOf(binding, roles) === undefined);
    const bound = builtIn.flatMap((binding) =>
      binding.subjects.map((s) => `${binding.roleRef.kind}/${binding.roleRef.name} ${s.namespace}/${s.name}`),
    );
    expect(bound.sort()).toEqual(
      Object.keys(NEEDED).flatMap((name) => BUILT_IN_ROLES.map((role) => `ClusterRole/${role} ${NAMESPACE}/${name}`)),
    );
  });

  it('binds every role to one of our ServiceAccounts, and every binding to a shipped or built-in role', () => {
    const serviceAccounts = ofKind(manifests, 'ServiceAccount').map(
      (m) => `${m.object.metadata.namespace ?? ''}/${m.object.metadata.name}`,
    );
    for (const binding of bindings) {
      const builtIn = binding.roleRef.kind === 'ClusterRole' && BUILT_IN_ROLES.includes(binding.roleRef.name);
      expect(builtIn || roleOf(binding, roles) !== undefined, `role of ${binding.kind} ${binding.metadata.name}`).toBe(
        true,
      );
      for (const subject of binding.subjects) {
        expect(serviceAccounts).toContain(`${subject.namespace}/${subject.name}`);
      }
    }
    const boundRoles = bindings.map((binding) => roleOf(binding, roles));
    expect(roles.filter((role) => !boundRoles.includes(role)).map((role) => role.metadata.name)).toEqual([]);
  });

  it('keeps namespaced roles and bindings in the functions namespace', () => {
    const namespaced = [...roles, ...bindings].filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding');
    expect(namespaced.map((o) => o.metadata.namespace)).toEqual(namespaced.map(() => NAMESPACE));
  });

  it('gives no ServiceAccount other than the two functions any rights', () => {
    const subjects = new Set(bindings.flatMap((b) => b.subjects.map((s) => `${s.namespace}/${s.name}`)));
    expect([...subjects].sort()).toEqual(Object.keys(NEEDED).map((name) => `${NAMESPACE}/${name}`));
  });
});
