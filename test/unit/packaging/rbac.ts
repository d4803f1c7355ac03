import type { Binding, PolicyRule, Role } from './knative-schemas.js';

/**
 * RBAC rules flattened into single permissions, so "what can this ServiceAccount do" is a
 * set that a test can compare with the list of what the function needs, both ways.
 */

/** `<where>|<apiGroup>|<resource>|<verb>|<resourceName>`; `*` where = cluster-wide, `*` name = any name. */
export type Grant = string;

export function grant(where: string, group: string, resource: string, verb: string, name = '*'): Grant {
  return `${where}|${group}|${resource}|${verb}|${name}`;
}

export function grantsOfRule(rule: PolicyRule, where: string): Grant[] {
  const names = rule.resourceNames ?? ['*'];
  return rule.apiGroups.flatMap((group) =>
    rule.resources.flatMap((resource) =>
      rule.verbs.flatMap((verb) => names.map((name) => grant(where, group, resource, verb, name))),
    ),
  );
}

export interface ServiceAccountRef {
  readonly name: string;
  readonly namespace: string;
}

/**
 * Everything the bindings give one ServiceAccount: a ClusterRoleBinding applies its role
 * cluster-wide, a RoleBinding only in its own namespace (even when it refers to a ClusterRole).
 */
export function grantsOf(account: ServiceAccountRef, roles: readonly Role[], bindings: readonly Binding[]): Grant[] {
  const bound = bindings.filter((binding) =>
    binding.subjects.some((s) => s.name === account.name && s.namespace === account.namespace),
  );
  const grants = bound.flatMap((binding) => {
    const role = roleOf(binding, roles);
    const where = binding.kind === 'ClusterRoleBinding' ? '*' : (binding.metadata.namespace ?? '?');
    return role === undefined ? [] : role.rules.flatMap((rule) => grantsOfRule(rule, where));
  });
  return [...new Set(grants)].sort();
}

/** The role a binding refers to: a Role must sit in the binding's namespace. */
export function roleOf(binding: Binding, roles: readonly Role[]): Role | undefined {
  return roles.find(
    (role) =>
      role.kind === binding.roleRef.kind &&
      role.metadata.name === binding.roleRef.name &&
      (role.kind === 'ClusterRole' || role.metadata.namespace === binding.metadata.namespace),
  );
}
