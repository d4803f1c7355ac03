/** CloudEvent types we accept, and the legacy webhook tags that map onto them. */
export const EVENT_TYPE = {
  cpuThrottle: 'io.gossip.kernel.cpu_throttle.v1',
  podCreation: 'io.gossip.kernel.pod_creation.v1',
} as const;
export type EventType = (typeof EVENT_TYPE)[keyof typeof EVENT_TYPE];

export const LEGACY_TAG = {
  cpu_throttle: EVENT_TYPE.cpuThrottle,
  pod_creation: EVENT_TYPE.podCreation,
} as const;

export const PING_EVENT_TYPE = 'dev.knative.sources.ping';
