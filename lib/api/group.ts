/**
 * Identity of our API: unchanged from the earlier Rust operator so that
 * `kubectl get kw` and existing manifests keep working after migration.
 */
export const GROUP = 'kernel.gossip.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** One category so that `kubectl get kernel-gossip` lists all our kinds. */
export const CATEGORY = 'kernel-gossip';

/** Describes a REST resource well enough to build its URL. */
export type ResourceType = {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
};

export const KERNEL_WHISPER = {
  group: GROUP,
  version: VERSION,
  kind: 'KernelWhisper',
  plural: 'kernelwhispers',
  singular: 'kernelwhisper',
  shortNames: ['kw'],
  namespaced: true,
} as const;

export const POD_BIRTH_CERTIFICATE = {
  group: GROUP,
  version: VERSION,
  kind: 'PodBirthCertificate',
  plural: 'podbirthcertificates',
  singular: 'podbirthcertificate',
  shortNames: ['pbc'],
  namespaced: true,
} as const;

/** The sweep's roll-up of a workload container's KernelWhispers (issue 16). */
export const WORKLOAD_WHISPER = {
  group: GROUP,
  version: VERSION,
  kind: 'WorkloadWhisper',
  plural: 'workloadwhispers',
  singular: 'workloadwhisper',
  shortNames: ['wkw'],
  namespaced: true,
} as const;

export const POD = { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true } as const;
export const NAMESPACE = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  namespaced: false,
} as const;
export const CONFIG_MAP = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  namespaced: true,
} as const;
export const EVENT = {
  group: 'events.k8s.io',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  namespaced: true,
} as const;

/** Labels on our objects so `kubectl get kw -l kernel.gossip.io/pod=web-1` selects them. */
export const LABEL = {
  pod: 'kernel.gossip.io/pod',
  namespace: 'kernel.gossip.io/namespace',
  container: 'kernel.gossip.io/container',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

export const MANAGED_BY = 'kernel-gossip';

/** The pod annotation that opts a pod in (as in the earlier system). */
export const MONITOR_ANNOTATION = 'kernel-gossip.io/monitor';
