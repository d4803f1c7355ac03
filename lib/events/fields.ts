import * as v from 'valibot';
import { isDnsLabel, isDnsSubdomain } from '../api/names.js';

/**
 * Field validators shared by both event kinds. Names are checked against the
 * Kubernetes naming rules here, at the edge, because they become object names,
 * label values and parts of messages.
 */
export const podNameField = v.pipe(
  v.string(),
  v.check(isDnsSubdomain, 'must be a Kubernetes pod name (DNS subdomain, at most 253 characters)'),
);
export const namespaceField = v.pipe(
  v.string(),
  v.check(isDnsLabel, 'must be a Kubernetes namespace name (DNS label, at most 63 characters)'),
);
export const containerNameField = v.pipe(
  v.string(),
  v.check(isDnsLabel, 'must be a container name (DNS label, at most 63 characters)'),
);
export const nodeNameField = v.pipe(v.string(), v.check(isDnsSubdomain, 'must be a Kubernetes node name'));
export const podUidField = v.pipe(
  v.string(),
  v.regex(/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i, 'must be a pod UID'),
);
/** Runtime prefixes such as containerd:// are accepted; the ID itself is hex. */
export const containerIdField = v.pipe(
  v.string(),
  v.regex(
    /^([a-z0-9-]+:\/\/)?[0-9a-f]{12,64}$/,
    'must be a container ID, optionally with a runtime prefix such as containerd://',
  ),
);
export const cgroupPathField = v.pipe(
  v.string(),
  v.maxLength(1024, 'must be at most 1024 characters'),
  v.regex(/^[\x21-\x7e]+$/, 'must be a cgroup path of printable characters'),
);

export const finiteNumber = v.pipe(v.number('must be a number'), v.finite('must be finite'));
export const nonNegativeNumber = v.pipe(finiteNumber, v.minValue(0, 'must not be negative'));
export const percentage = v.pipe(
  finiteNumber,
  v.minValue(0, 'must be between 0 and 100'),
  v.maxValue(100, 'must be between 0 and 100'),
);
export const countField = v.pipe(
  v.number('must be a number'),
  v.safeInteger('must be a whole number'),
  v.minValue(0, 'must not be negative'),
);
export const rfc3339 = v.pipe(
  v.string('must be an RFC 3339 timestamp'),
  v.isoTimestamp('must be an RFC 3339 timestamp'),
  v.check((value) => !Number.isNaN(Date.parse(value)), 'must be an RFC 3339 timestamp'),
);

/** Ways an event may name its pod: by name, or by what the kernel sees (resolved through the API). */
export const podIdentityEntries = {
  pod_name: v.optional(podNameField),
  namespace: v.optional(namespaceField),
  pod_uid: v.optional(podUidField),
  container_id: v.optional(containerIdField),
  cgroup_path: v.optional(cgroupPathField),
  node_name: v.optional(nodeNameField),
} as const;

type PodIdentity = {
  pod_name?: string;
  namespace?: string;
  pod_uid?: string;
  container_id?: string;
  cgroup_path?: string;
};

export const PODLESS_MESSAGE = 'one of pod_name, pod_uid, container_id or cgroup_path is required';

/** An event must name its pod, or carry something the kernel knows it by. */
export function namesItsPod<T extends PodIdentity>(data: T): boolean {
  return (
    data.pod_name !== undefined ||
    data.pod_uid !== undefined ||
    data.container_id !== undefined ||
    data.cgroup_path !== undefined
  );
}

/** A pod name alone is ambiguous across namespaces. */
export function namespacedIfNamed<T extends PodIdentity>(data: T): boolean {
  return data.pod_name === undefined || data.namespace !== undefined;
}

/** valibot issues as "field.path: message" lines; never the offending value. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string[] {
  return issues.map((issue) => {
    const path = v.getDotPath(issue);
    return path === null ? issue.message : `${path}: ${issue.message}`;
  });
}
