import { createHash } from 'node:crypto';

/**
 * The ServiceAccount whose token a Knative object sends with sender identity on:
 * knative.dev/eventing pkg/auth GetOIDCServiceAccountNameForResource (v0.49.2), which is
 * `kmeta.ChildName(name, "-oidc-<group>-<Kind>")` lower-cased. ChildName keeps
 * `name + suffix` up to 63 characters; beyond, it hashes (knative.dev/pkg kmeta/names.go).
 */
const LONGEST = 63;
const MD5_HEX = 32;
const HEAD = LONGEST - MD5_HEX;

export function oidcServiceAccountName(group: string, kind: string, name: string): string {
  return childName(name, `-oidc-${group}-${kind}`).toLowerCase();
}

function childName(parent: string, suffix: string): string {
  if (parent.length <= LONGEST - suffix.length) return parent + suffix;
  const md5 = (text: string) => createHash('md5').update(text).digest('hex');
  if (HEAD - suffix.length <= 0) {
    const padded = parent.slice(0, HEAD) + md5(parent + suffix);
    const filled = padded.length < LONGEST ? padded + suffix.slice(0, LONGEST - padded.length) : padded;
    return filled.replace(/[^a-zA-Z0-9]+$/, '');
  }
  return `${parent.slice(0, HEAD - suffix.length)}${md5(parent)}${suffix}`;
}

export function serviceAccountSubject(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}
