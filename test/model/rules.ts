/**
 * The product's rules, restated from PRODUCT.md and docs/ (not imported from
 * lib/core): thresholds, texts, units and the settings the model runs with.
 * Where a rule reads "same as the constant" it still says the number here, so a
 * changed constant in the code is a disagreement the sequences find.
 */

/** The settings every generated sequence runs the functions with (defaults of docs/configuration.md). */
export const SETTINGS = {
  resolvedAfterMs: 600_000,
  retentionMs: { KernelWhisper: 86_400_000, PodBirthCertificate: 3_600_000 },
  unresolvedRetryMs: 120_000,
} as const;

/** docs/design.md "Times": an observation more than 5 s ahead of the function's clock is refused. */
export const MAX_FUTURE_MS = 5_000;
/** docs/design.md: an event observed more than 5 s before the live pod's creationTimestamp is about an earlier pod. */
export const CREATION_SKEW_MS = 5_000;
/** docs/design.md: an instance trusts a pod or an object it read or wrote for at most 30 s. */
export const INSTANCE_MEMORY_MS = 30_000;

export const FIELD_MANAGER = { ingest: 'kernel-gossip-ingest', sweep: 'kernel-gossip-sweep' } as const;

/** PRODUCT.md: > 80 % critical, > 50 % warning, else info. */
export function severityOf(percent: number): 'critical' | 'warning' | 'info' {
  return percent > 80 ? 'critical' : percent > 50 ? 'warning' : 'info';
}

/** PRODUCT.md: ≥ 80 % high, ≥ 40 % medium, else low, each with the earlier operator's text. */
export function priorityOf(percent: number): 'high' | 'medium' | 'low' {
  return percent >= 80 ? 'high' : percent >= 40 ? 'medium' : 'low';
}

export const RECOMMENDATION_PREFIX = {
  high: 'increase CPU limits by 50%',
  medium: 'monitor CPU usage patterns and consider optimization',
  low: 'no action required',
} as const;
/** docs/design.md: a limit sized from the throttled time keeps only the first words of the +50 % text. */
export const SIZED_PREFIX = 'increase CPU limits';

/** Metrics in percent of one core, two decimals (docs/design.md "Metrics units"). */
export function metricsPercent(reportedCores: number): number {
  return Math.round(reportedCores * 100 * 100) / 100;
}

/** How the metrics compare: more than 10 % off the kernel figure is wrong; unknown without a figure. */
export function reportedStatusOf(kernelCores: number, reportedCores: number | undefined): string {
  if (reportedCores === undefined || kernelCores === 0) return 'unknown';
  const discrepancy = Math.round(((kernelCores - reportedCores) / kernelCores) * 1000) / 10;
  if (discrepancy > 10) return 'underreported';
  if (discrepancy < -10) return 'overreported';
  return 'accurate';
}

/** The CPU quantities the sequences use, in millicores (kubelet rounds up to whole millicores). */
export function millicores(quantity: string): number {
  if (quantity.endsWith('m')) return Number(quantity.slice(0, -1));
  return Math.round(Number(quantity) * 1000);
}

export type Owner = 'none' | 'statefulset';
export const STATEFULSET_NAME = 'web';

/** The exact command: `kubectl set resources` on the controller, or the pod's resize subresource. */
export function resizeCommand(target: {
  namespace: string;
  pod: string;
  container: string;
  owner: Owner;
  limit: string;
  request: string | undefined;
}): string {
  if (target.owner === 'statefulset') {
    const requests = target.request === undefined ? '' : ` --requests=cpu=${target.request}`;
    return `kubectl set resources statefulset/${STATEFULSET_NAME} -n ${target.namespace} -c ${target.container} --limits=cpu=${target.limit}${requests}`;
  }
  const resources =
    target.request === undefined
      ? { limits: { cpu: target.limit } }
      : { requests: { cpu: target.request }, limits: { cpu: target.limit } };
  const patch = JSON.stringify({ spec: { containers: [{ name: target.container, resources }] } });
  return `kubectl patch pod ${target.pod} -n ${target.namespace} --subresource resize --patch '${patch}'`;
}

/** JSON with sorted keys: how the product compares two things to pick a winner (never key order). */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Code-unit order of two strings (the product never uses the locale). */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Drops undefined-valued keys, as the API server never returns them. */
export function defined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}
