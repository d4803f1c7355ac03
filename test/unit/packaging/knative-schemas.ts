import * as v from 'valibot';

/**
 * The shapes of the Knative and RBAC objects we ship, strict where the installed CRDs are
 * not: the Trigger CRD preserves unknown fields in all of `.spec` and `.spec.delivery`, so a
 * misspelt `filter` would be accepted by the API server and silently route everything.
 * Knative's own webhook checks (filter attribute names, required subscriber, ...) are
 * restated here because a plain kube-apiserver does not run that webhook.
 */

const MetaSchema = v.looseObject({
  name: v.string(),
  namespace: v.string(),
  labels: v.optional(v.record(v.string(), v.string())),
  annotations: v.optional(v.record(v.string(), v.string())),
});

export const KReferenceSchema = v.strictObject({
  apiVersion: v.string(),
  kind: v.string(),
  name: v.string(),
  namespace: v.optional(v.string()),
});
export type KReference = v.InferOutput<typeof KReferenceSchema>;

/**
 * We always address by reference, never by a URI that could drift from the manifests;
 * `audience` is that of the token Knative sends (sender identity).
 */
export const DestinationSchema = v.strictObject({ ref: KReferenceSchema, audience: v.optional(v.string()) });

/** ISO 8601 duration as Knative parses `backoffDelay`, restricted to hours/minutes/seconds. */
export const ISO_DURATION = /^PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$/;

export const DeliverySchema = v.strictObject({
  retry: v.pipe(v.number(), v.integer(), v.minValue(1)),
  backoffPolicy: v.literal('exponential'),
  backoffDelay: v.pipe(v.string(), v.regex(ISO_DURATION), v.regex(/\d/)),
  deadLetterSink: DestinationSchema,
});
export type Delivery = v.InferOutput<typeof DeliverySchema>;

/** Knative: "filter attribute names must match ^[a-z][a-z0-9]*$" (CloudEvents attribute naming). */
const FilterAttributesSchema = v.record(v.pipe(v.string(), v.regex(/^[a-z][a-z0-9]*$/)), v.string());

export const TriggerSchema = v.object({
  apiVersion: v.literal('eventing.knative.dev/v1'),
  kind: v.literal('Trigger'),
  metadata: MetaSchema,
  spec: v.strictObject({
    broker: v.string(),
    filter: v.strictObject({ attributes: FilterAttributesSchema }),
    subscriber: DestinationSchema,
    delivery: DeliverySchema,
  }),
});
export type Trigger = v.InferOutput<typeof TriggerSchema>;

export const BrokerSchema = v.object({
  apiVersion: v.literal('eventing.knative.dev/v1'),
  kind: v.literal('Broker'),
  metadata: MetaSchema,
  spec: v.strictObject({ delivery: DeliverySchema }),
});

export const PingSourceSchema = v.object({
  apiVersion: v.literal('sources.knative.dev/v1'),
  kind: v.literal('PingSource'),
  metadata: MetaSchema,
  spec: v.strictObject({
    schedule: v.string(),
    timezone: v.string(),
    contentType: v.literal('application/json'),
    data: v.string(),
    sink: DestinationSchema,
  }),
});
export type PingSource = v.InferOutput<typeof PingSourceSchema>;

export const SinkBindingSchema = v.object({
  apiVersion: v.literal('sources.knative.dev/v1'),
  kind: v.literal('SinkBinding'),
  metadata: MetaSchema,
  spec: v.strictObject({
    subject: v.strictObject({
      apiVersion: v.string(),
      kind: v.string(),
      selector: v.strictObject({ matchLabels: v.record(v.string(), v.string()) }),
    }),
    sink: DestinationSchema,
  }),
});

export const EnvVarSchema = v.strictObject({ name: v.string(), value: v.string() });

const HttpProbeSchema = v.strictObject({ httpGet: v.strictObject({ path: v.string() }) });

export const ContainerSchema = v.looseObject({
  image: v.string(),
  env: v.optional(v.array(EnvVarSchema)),
  readinessProbe: v.optional(HttpProbeSchema),
  livenessProbe: v.optional(HttpProbeSchema),
  resources: v.looseObject({
    requests: v.record(v.string(), v.string()),
    limits: v.record(v.string(), v.string()),
  }),
  securityContext: v.strictObject({
    runAsNonRoot: v.literal(true),
    allowPrivilegeEscalation: v.literal(false),
    capabilities: v.strictObject({ drop: v.tuple([v.literal('ALL')]) }),
    seccompProfile: v.strictObject({ type: v.literal('RuntimeDefault') }),
  }),
});

export const KnativeServiceSchema = v.object({
  apiVersion: v.literal('serving.knative.dev/v1'),
  kind: v.literal('Service'),
  metadata: MetaSchema,
  spec: v.strictObject({
    template: v.strictObject({
      metadata: v.looseObject({ annotations: v.record(v.string(), v.string()) }),
      spec: v.looseObject({
        serviceAccountName: v.optional(v.string()),
        automountServiceAccountToken: v.optional(v.boolean()),
        containerConcurrency: v.optional(v.number()),
        timeoutSeconds: v.optional(v.number()),
        containers: v.tuple([ContainerSchema]),
      }),
    }),
  }),
});
export type KnativeService = v.InferOutput<typeof KnativeServiceSchema>;

/** Strict: `nonResourceURLs` or a typo in a rule is an error, not an ignored field. */
export const PolicyRuleSchema = v.strictObject({
  apiGroups: v.array(v.string()),
  resources: v.array(v.string()),
  verbs: v.array(v.string()),
  resourceNames: v.optional(v.array(v.string())),
});
export type PolicyRule = v.InferOutput<typeof PolicyRuleSchema>;

export const RoleSchema = v.object({
  apiVersion: v.literal('rbac.authorization.k8s.io/v1'),
  kind: v.picklist(['Role', 'ClusterRole']),
  metadata: v.looseObject({ name: v.string(), namespace: v.optional(v.string()) }),
  rules: v.array(PolicyRuleSchema),
});
export type Role = v.InferOutput<typeof RoleSchema>;

export const BindingSchema = v.object({
  apiVersion: v.literal('rbac.authorization.k8s.io/v1'),
  kind: v.picklist(['RoleBinding', 'ClusterRoleBinding']),
  metadata: v.looseObject({ name: v.string(), namespace: v.optional(v.string()) }),
  roleRef: v.strictObject({
    apiGroup: v.literal('rbac.authorization.k8s.io'),
    kind: v.picklist(['Role', 'ClusterRole']),
    name: v.string(),
  }),
  subjects: v.array(v.strictObject({ kind: v.literal('ServiceAccount'), name: v.string(), namespace: v.string() })),
});
export type Binding = v.InferOutput<typeof BindingSchema>;

/** Seconds in a `PT…H…M…S` duration (the subset ISO_DURATION accepts). */
export function durationSeconds(iso: string): number {
  const match = ISO_DURATION.exec(iso);
  if (match === null) throw new Error(`Not a PT…H…M…S duration: ${iso}`);
  const [hours, minutes, seconds] = [match[1], match[2], match[3]].map((part) => Number(part ?? 0));
  return (hours ?? 0) * 3600 + (minutes ?? 0) * 60 + (seconds ?? 0);
}

/**
 * Longest time Knative keeps retrying one event: retry n waits backoffDelay × 2^(n-1)
 * (eventing's kncloudevents exponential backoff counts attempts from 0), so the waits sum
 * to backoffDelay × (2^retry − 1).
 */
export function retryWindowSeconds(delivery: Delivery): number {
  return durationSeconds(delivery.backoffDelay) * (2 ** delivery.retry - 1);
}
