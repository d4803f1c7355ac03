import * as v from 'valibot';
import { describeIssues } from './events/fields.js';
import { FIELD_MANAGER } from './field-managers.js';
import type { CredentialSource } from './k8s/credentials.js';

/**
 * All settings, parsed once at start-up from the environment and passed down.
 * Nothing else reads process.env. Bad values fail start-up with every problem listed.
 */
const DEFAULT_SKIPPED_NAMESPACES = 'kube-system,kube-public,kube-node-lease';
/** The `sub` of a ServiceAccount token: namespace and name are DNS labels / subdomains. */
const SERVICE_ACCOUNT_SUBJECT = /^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/;

const integer = (fallback: number, min: number) =>
  v.pipe(
    v.optional(v.string(), String(fallback)),
    v.regex(/^\d+$/, 'must be a whole number'),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
  );
const list = (fallback: string) =>
  v.pipe(
    v.optional(v.string(), fallback),
    v.transform((text) =>
      text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    ),
  );
const optionalText = v.pipe(
  v.optional(v.string()),
  v.transform((text) => (text === undefined || text.trim() === '' ? undefined : text.trim())),
);

const EnvSchema = v.object({
  KERNEL_GOSSIP_FUNCTION: v.optional(v.picklist(['ingest', 'sweep'], 'must be ingest or sweep'), 'ingest'),
  PORT: v.optional(v.string()),
  WEBHOOK_PORT: v.optional(v.string()),
  LOG_LEVEL: v.optional(
    v.picklist(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'must be a pino level'),
    'info',
  ),
  FIELD_MANAGER: optionalText,
  MONITOR_POLICY: v.optional(v.picklist(['annotated', 'all'], 'must be annotated or all'), 'annotated'),
  SKIP_NAMESPACES: list(DEFAULT_SKIPPED_NAMESPACES),
  ALLOWED_NAMESPACES: list(''),
  BODY_LIMIT_BYTES: integer(1_048_576, 1024),
  BODY_TIMEOUT_MS: integer(500, 1),
  BODY_BYTES_IN_FLIGHT: integer(1_048_576, 1024),
  WEBHOOK_TOKEN: optionalText,
  AUTH_REQUIRED: v.optional(v.picklist(['true', 'false'], 'must be true or false'), 'true'),
  AUTH_AUDIENCE: optionalText,
  AUTH_SUBJECTS: v.pipe(
    list(''),
    v.check(
      (subjects) => subjects.every((subject) => SERVICE_ACCOUNT_SUBJECT.test(subject)),
      'must list system:serviceaccount:<namespace>:<name> subjects',
    ),
  ),
  RESOLVED_AFTER_SECONDS: integer(600, 1),
  TARGET_THROTTLED_PERCENT: v.pipe(integer(10, 1), v.maxValue(99, 'must be at most 99')),
  KW_RETENTION_SECONDS: integer(86_400, 0),
  PBC_RETENTION_SECONDS: integer(3_600, 0),
  MONITORED_PODS_NAMESPACE: v.optional(v.string(), 'kernel-gossip'),
  SWEEP_CONCURRENCY: integer(8, 1),
  SWEEP_PAGE_SIZE: integer(500, 1),
  UNRESOLVED_RETRY_SECONDS: integer(120, 0),
  KUBECONFIG: optionalText,
  HOME: optionalText,
  // Set by the kubelet in every pod; with the mounted ServiceAccount token they are the in-cluster credentials.
  KUBERNETES_SERVICE_HOST: optionalText,
  KUBERNETES_SERVICE_PORT: optionalText,
});

const PortSchema = v.pipe(
  v.string(),
  v.regex(/^\d+$/, 'must be a port number'),
  v.transform(Number),
  v.minValue(1),
  v.maxValue(65535, 'must be a port number'),
);

export type FunctionName = 'ingest' | 'sweep';

export type Config = {
  readonly function: FunctionName;
  readonly port: number;
  readonly logLevel: string;
  /** Fixed names: each writes under the manager of what it computes, whichever function runs. */
  readonly fieldManagers: typeof FIELD_MANAGER;
  readonly monitorPolicy: 'annotated' | 'all';
  readonly skipNamespaces: ReadonlySet<string>;
  /** Empty means every namespace is allowed. */
  readonly allowedNamespaces: ReadonlySet<string>;
  readonly bodyLimitBytes: number;
  /** Deadline for reading a request body once its headers arrived. */
  readonly bodyTimeoutMs: number;
  /** Bodies one instance processes at once, in bytes; more is answered 503 (lib/http/in-flight.ts). */
  readonly bodyBytesInFlight: number;
  readonly webhookToken: string | undefined;
  /** Who may post events and run sweeps (docs/security.md). */
  readonly auth: AuthConfig;
  readonly resolvedAfterMs: number;
  /** The throttled share a sized limit aims under, and a fix is verified against (docs/design.md). */
  readonly targetPercent: number;
  readonly retentionMs: { readonly kernelWhisper: number; readonly podBirthCertificate: number };
  readonly monitoredPodsNamespace: string;
  readonly sweepConcurrency: number;
  readonly sweepPageSize: number;
  readonly unresolvedRetryMs: number;
  /** Where the API server is and how to prove who we are (lib/k8s/credentials.ts). */
  readonly apiServer: CredentialSource;
};

/**
 * Sender identity: a ServiceAccount token (what a Knative Trigger with sender identity
 * sends) for `audience`, whose subject is one of `subjects`. Required unless switched
 * off, so a function started without settings refuses anonymous writes.
 */
export type AuthConfig = {
  readonly required: boolean;
  readonly audience: string;
  readonly subjects: ReadonlySet<string>;
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function parseConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const parsed = v.safeParse(EnvSchema, env);
  if (!parsed.success) throw new ConfigError(`Invalid configuration: ${describeIssues(parsed.issues).join('; ')}`);
  const e = parsed.output;
  // PORT is the Knative runtime contract; WEBHOOK_PORT is what the earlier operator read.
  const own = FIELD_MANAGER[e.KERNEL_GOSSIP_FUNCTION];
  if (e.FIELD_MANAGER !== undefined && e.FIELD_MANAGER !== own)
    throw new ConfigError(
      `Invalid configuration: FIELD_MANAGER: must be ${own} (the managers are fixed, so that ingest and sweep own disjoint fields)`,
    );
  const port = v.safeParse(PortSchema, e.PORT ?? e.WEBHOOK_PORT ?? '8080');
  if (!port.success) throw new ConfigError(`Invalid configuration: PORT: ${describeIssues(port.issues).join('; ')}`);
  const required = e.AUTH_REQUIRED === 'true';
  if (required && e.AUTH_SUBJECTS.length === 0)
    throw new ConfigError(
      'Invalid configuration: AUTH_SUBJECTS: must name at least one sender while AUTH_REQUIRED is true',
    );
  return {
    function: e.KERNEL_GOSSIP_FUNCTION,
    port: port.output,
    logLevel: e.LOG_LEVEL,
    fieldManagers: FIELD_MANAGER,
    monitorPolicy: e.MONITOR_POLICY,
    skipNamespaces: new Set(e.SKIP_NAMESPACES),
    allowedNamespaces: new Set(e.ALLOWED_NAMESPACES),
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    bodyTimeoutMs: e.BODY_TIMEOUT_MS,
    bodyBytesInFlight: e.BODY_BYTES_IN_FLIGHT,
    webhookToken: e.WEBHOOK_TOKEN,
    auth: {
      required,
      // The audience names the function (its Knative Service), so a token for one cannot be replayed to the other.
      audience: e.AUTH_AUDIENCE ?? `kernel-gossip-${e.KERNEL_GOSSIP_FUNCTION}`,
      subjects: new Set(e.AUTH_SUBJECTS),
    },
    resolvedAfterMs: e.RESOLVED_AFTER_SECONDS * 1000,
    targetPercent: e.TARGET_THROTTLED_PERCENT,
    retentionMs: { kernelWhisper: e.KW_RETENTION_SECONDS * 1000, podBirthCertificate: e.PBC_RETENTION_SECONDS * 1000 },
    monitoredPodsNamespace: e.MONITORED_PODS_NAMESPACE,
    sweepConcurrency: e.SWEEP_CONCURRENCY,
    sweepPageSize: e.SWEEP_PAGE_SIZE,
    unresolvedRetryMs: e.UNRESOLVED_RETRY_SECONDS * 1000,
    apiServer: {
      kubeconfigPath: e.KUBECONFIG,
      home: e.HOME,
      serviceHost: e.KUBERNETES_SERVICE_HOST,
      servicePort: e.KUBERNETES_SERVICE_PORT,
    },
  };
}
