import * as v from 'valibot';

/**
 * The environment settings each function reads (lib/config.ts parses them at start-up),
 * split by the function that uses them. The deploy manifests may only set these, with
 * values the config accepts, so a typo in a manifest cannot silently leave a default in
 * force, and one function's manifest cannot carry the other's settings.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const namespaceListSchema = v.pipe(
  v.string(),
  v.check(
    (list) => list === '' || list.split(',').every((name) => DNS_LABEL.test(name)),
    'a comma list of namespace names',
  ),
);
const positiveIntegerSchema = v.pipe(v.string(), v.regex(/^[1-9]\d*$/, 'a positive integer'));
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The deploy manifests require sender identity; switching it off is for tests and local runs. */
const SERVICE_ACCOUNT_SUBJECT = /^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/;
const subjectListSchema = v.pipe(
  v.string(),
  v.check(
    (list) => list.split(',').every((subject) => SERVICE_ACCOUNT_SUBJECT.test(subject)),
    'a comma list of subjects',
  ),
);

const COMMON_SETTINGS = {
  AUTH_REQUIRED: v.literal('true'),
  AUTH_SUBJECTS: subjectListSchema,
  LOG_LEVEL: v.picklist(LOG_LEVELS),
  MONITOR_POLICY: v.picklist(['annotated', 'all']),
  SKIP_NAMESPACES: namespaceListSchema,
  ALLOWED_NAMESPACES: namespaceListSchema,
} as const;

export const INGEST_SETTINGS = {
  ...COMMON_SETTINGS,
  KERNEL_GOSSIP_FUNCTION: v.literal('ingest'),
  FIELD_MANAGER: v.literal('kernel-gossip-ingest'),
  AUTH_AUDIENCE: v.literal('kernel-gossip-ingest'),
  BODY_LIMIT_BYTES: positiveIntegerSchema,
  UNRESOLVED_RETRY_SECONDS: v.pipe(v.string(), v.regex(/^\d+$/, 'a whole number')),
  // A literal token in func.yaml would be a committed secret: only a Secret reference
  // (kn func's `{{ secret:<name>:<key> }}`, which becomes a secretKeyRef) is allowed.
  WEBHOOK_TOKEN: v.literal('{{ secret:kernel-gossip-webhook:token }}'),
} as const;

export const SWEEP_SETTINGS = {
  ...COMMON_SETTINGS,
  KERNEL_GOSSIP_FUNCTION: v.literal('sweep'),
  FIELD_MANAGER: v.literal('kernel-gossip-sweep'),
  AUTH_AUDIENCE: v.literal('kernel-gossip-sweep'),
  RESOLVED_AFTER_SECONDS: positiveIntegerSchema,
  KW_RETENTION_SECONDS: positiveIntegerSchema,
  PBC_RETENTION_SECONDS: positiveIntegerSchema,
  MONITORED_PODS_NAMESPACE: v.literal('kernel-gossip'),
  SWEEP_CONCURRENCY: positiveIntegerSchema,
  SWEEP_PAGE_SIZE: positiveIntegerSchema,
} as const;

export type SettingSchemas = Readonly<Record<string, v.GenericSchema<string>>>;

/**
 * Knative Serving sets these in every container and its webhook rejects them in a
 * Service's env; our server reads PORT (8080), which Knative provides.
 */
export const KNATIVE_RESERVED_ENV: readonly string[] = ['PORT', 'K_SERVICE', 'K_CONFIGURATION', 'K_REVISION'];

export interface EnvProblem {
  readonly name: string;
  readonly problem: string;
}

/** Problems with a container's env against the settings its function knows; [] when fine. */
export function envProblems(
  env: ReadonlyArray<{ readonly name: string; readonly value: string }>,
  known: SettingSchemas,
): EnvProblem[] {
  const seen = new Set<string>();
  return env.flatMap(({ name, value }): EnvProblem[] => {
    if (seen.has(name)) return [{ name, problem: 'set twice' }];
    seen.add(name);
    if (KNATIVE_RESERVED_ENV.includes(name)) return [{ name, problem: 'reserved by Knative' }];
    const schema = known[name];
    if (schema === undefined) return [{ name, problem: 'not a setting of this function' }];
    const result = v.safeParse(schema, value);
    return result.success ? [] : [{ name, problem: v.summarize(result.issues) }];
  });
}
