import { createHash } from 'node:crypto';

/**
 * Deterministic object names and label values. Kubernetes names are DNS subdomains
 * (≤ 253 chars) and label values ≤ 63 chars; when a name must be shortened, a hash
 * of the full identity keeps it unique (two long names sharing a prefix differ).
 */
const MAX_NAME = 253;
const MAX_LABEL_VALUE = 63;
const HASH_LENGTH = 10;

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDnsSubdomain(value: string): boolean {
  return value.length <= MAX_NAME && DNS_SUBDOMAIN.test(value);
}

export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && DNS_LABEL.test(value);
}

/**
 * `<pod>.<container>`: container names are DNS labels and never contain a dot, so
 * the last dot separates the two unambiguously ("a-b"+"c" and "a"+"b-c" differ).
 */
export function kernelWhisperName(podName: string, containerName: string): string {
  return fitName(`${podName}.${containerName}`, MAX_NAME);
}

/**
 * `<kind>.<workload>.<container>`, e.g. `deployment.web.app`: kinds are one
 * lower-case word and container names never hold a dot, so the first and the
 * last dot delimit the workload name even when it holds dots itself.
 */
export function workloadWhisperName(kind: string, workloadName: string, containerName: string): string {
  return fitName(`${kind.toLowerCase()}.${workloadName}.${containerName}`, MAX_NAME);
}

export function podBirthCertificateName(podName: string): string {
  return fitName(podName, MAX_NAME);
}

/**
 * One Event per (object, reason) and pod: `<object>.<reason>.<pod UID prefix>`.
 * The UID keeps a replaced pod of the same name from inheriting the old pod's
 * Event, whose `regarding` cannot change.
 */
export function podEventName(objectName: string, reason: string, podUid: string): string {
  return fitName(`${objectName}.${reason.toLowerCase()}.${podUid.replace(/[^a-z0-9]/g, '').slice(0, 8)}`, MAX_NAME);
}

/** A label value for any valid name: the name itself, or a hashed shortening. */
export function labelValue(value: string): string {
  return fitName(value, MAX_LABEL_VALUE);
}

function fitName(full: string, max: number): string {
  if (full.length <= max) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, HASH_LENGTH);
  const prefix = full.slice(0, max - HASH_LENGTH - 1).replace(/[^a-z0-9]+$/, '');
  return `${prefix}-${hash}`;
}
