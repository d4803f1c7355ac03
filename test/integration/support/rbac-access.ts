import { KubeApiError } from '../../../lib/errors.js';
import type { KubeApi } from '../../../lib/k8s/api.js';
import { kubectlWithInput } from './cluster.js';

/**
 * What the RBAC test observes: which requests of an identity the API server
 * refused with 403, and when the authorizer has taken a role change in (its
 * rules come from an informer, so a change is seen a moment later; a
 * SubjectAccessReview asks the same authorizer, so polling one replaces a guess
 * of how long that moment is).
 */
export type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

/** The identity's API, unchanged, with every 403 it met kept for the test to read. */
export function recordingForbidden<T extends KubeApi>(api: T): { api: T; forbidden: string[] } {
  const forbidden: string[] = [];
  const recorded = new Proxy(api, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.catch((error: unknown) => {
          if (error instanceof KubeApiError && error.statusCode === 403) forbidden.push(error.message);
          throw error;
        });
      };
    },
  });
  return { api: recorded, forbidden };
}

/**
 * The API server's words for a refused verb (Status has no structured field for
 * the verb: details name only the group, resource and object), e.g.
 * `cannot patch resource "kernelwhispers/status" in API group "kernel.gossip.io"`.
 */
export function refusalOf(rule: Rule, verb: string): RegExp[] {
  return rule.apiGroups.flatMap((group) =>
    rule.resources.map(
      (resource) => new RegExp(`cannot ${verb} resource "${literal(resource)}" in API group "${literal(group)}"`),
    ),
  );
}

/** Waits until the authorizer answers `allowed` for every resource (and name) the rule's verb covers. */
export async function untilAuthorized(
  subject: { namespace: string; serviceAccount: string },
  scope: { rule: Rule; verb: string; namespace: string },
  allowed: boolean,
): Promise<void> {
  const { rule, verb, namespace } = scope;
  const attributes = rule.apiGroups.flatMap((group) =>
    rule.resources.flatMap((resource) => {
      const [base, subresource] = resource.split('/');
      return (rule.resourceNames ?? [undefined]).map((name) => ({
        group,
        resource: base,
        subresource,
        verb,
        namespace,
        name,
      }));
    }),
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answers = await Promise.all(attributes.map((resourceAttributes) => review(subject, resourceAttributes)));
    if (answers.every((answer) => answer === allowed)) return;
    if (Date.now() > deadline) throw new Error(`the authorizer did not take in the change to ${verb} within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A SubjectAccessReview (through kubectl: the review must carry no metadata, not even a field manager). */
async function review(
  subject: { namespace: string; serviceAccount: string },
  resourceAttributes: Record<string, string | undefined>,
): Promise<boolean> {
  const request = {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user: `system:serviceaccount:${subject.namespace}:${subject.serviceAccount}`,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${subject.namespace}`, 'system:authenticated'],
      resourceAttributes,
    },
  };
  const answer = JSON.parse(await kubectlWithInput(['create', '-f', '-', '-o', 'json'], JSON.stringify(request))) as {
    status?: { allowed?: boolean };
  };
  return answer.status?.allowed === true;
}

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
