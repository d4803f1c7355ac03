import type { Hono } from 'hono';
import { expect } from 'vitest';
import { buildSweep } from '../../functions/sweep/create.js';
import type { SweepSummary } from '../../functions/sweep/handle.js';
import { createSweepMetrics } from '../../functions/sweep/metrics.js';
import {
  CONFIG_MAP,
  KERNEL_WHISPER,
  POD,
  POD_BIRTH_CERTIFICATE,
  type ResourceType,
  WORKLOAD_WHISPER,
} from '../../lib/api/group.js';
import { parseConfig } from '../../lib/config.js';
import { desiredStatus } from '../../lib/core/ingest-plan.js';
import { desiredKernelWhisper } from '../../lib/core/kernel-whisper.js';
import type { Pod } from '../../lib/core/pod.js';
import { desiredPodBirthCertificate } from '../../lib/core/pod-birth.js';
import { podLifecycle } from '../../lib/core/pod-lifecycle.js';
import type { ConfigMap } from '../../lib/core/sweep-monitored-pods.js';
import type { KubeApi } from '../../lib/k8s/api.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import { createLogger } from '../../lib/log.js';

/**
 * Seeds KernelWhispers and PodBirthCertificates the way the ingest function writes
 * them (the same pure code, its field manager, spec apply then status apply), and
 * runs sweeps confined to one test namespace (ALLOWED_NAMESPACES), so test files
 * sharing the API server never see each other's objects.
 */
const INGEST = { fieldManager: 'kernel-gossip-ingest' };
const RESOLVED_AFTER_MS = 600_000;

/** `reported: null` leaves out the metrics figure, as an observer without one does. */
export type SeedOptions = {
  podUid?: string;
  detectedAtMs?: number;
  percent?: number;
  reported?: number | null;
  status?: boolean;
};

export async function seedWhisper(
  api: KubeApi,
  namespace: string,
  podName: string,
  options: SeedOptions = {},
): Promise<KubeObject> {
  const detectedAtMs = options.detectedAtMs ?? Date.now() - 60_000;
  const reported = options.reported === null ? {} : { reported_cpu_usage: options.reported ?? 0.5 };
  const data = {
    pod_name: podName,
    namespace,
    container_name: 'app',
    throttle_percentage: options.percent ?? 85.5,
    actual_cpu_usage: 0.8,
    ...reported,
    period_seconds: 300,
    throttle_ns: 123456789,
    ebpf_detection: true,
  };
  const pod = { namespace, pod_name: podName, ...(options.podUid === undefined ? {} : { pod_uid: options.podUid }) };
  const object = desiredKernelWhisper({
    kind: 'cpu_throttle',
    pod,
    container_name: 'app',
    data,
    observedAt: new Date(detectedAtMs).toISOString(),
    source: '/kernel-observer/node-1',
  });
  const stored = await api.apply(KERNEL_WHISPER, object, INGEST);
  return options.status === false ? stored : applyIngestStatus(api, KERNEL_WHISPER, stored, detectedAtMs + 1000);
}

export async function seedCertificate(
  api: KubeApi,
  namespace: string,
  podName: string,
  options: SeedOptions = {},
): Promise<KubeObject> {
  const data = {
    pod_name: podName,
    namespace,
    total_syscalls: 4521,
    namespace_ops: 6,
    cgroup_writes: 12,
    duration_ns: 123_000_000,
    timeline: [{ timestamp_ms: 1000, action: 'clone(CLONE_NEWNET)' }],
  };
  const pod = { namespace, pod_name: podName, ...(options.podUid === undefined ? {} : { pod_uid: options.podUid }) };
  const observedAt = new Date(options.detectedAtMs ?? Date.now() - 60_000).toISOString();
  // The ingest reads the pod with every event and records its lifecycle when it is the pod of that UID.
  const live = options.podUid === undefined ? undefined : await api.get<Pod>(POD, { namespace, name: podName });
  const lifecycle = live?.metadata.uid === options.podUid && live !== undefined ? podLifecycle(live) : undefined;
  const object = desiredPodBirthCertificate(undefined, [
    {
      kind: 'pod_creation',
      pod,
      data,
      observedAt,
      source: '/kernel-observer/node-1',
      ...(lifecycle === undefined ? {} : { lifecycle }),
    },
  ]);
  const stored = await api.apply(POD_BIRTH_CERTIFICATE, object, INGEST);
  return options.status === false ? stored : applyIngestStatus(api, POD_BIRTH_CERTIFICATE, stored, Date.now());
}

/** What the ingest writer does after its spec apply: the status for `nowMs`, guarded by the resourceVersion. */
export function applyIngestStatus(
  api: KubeApi,
  type: ResourceType,
  stored: KubeObject,
  nowMs: number,
): Promise<KubeObject> {
  const status = desiredStatus(stored, { nowMs, resolvedAfterMs: RESOLVED_AFTER_MS, targetPercent: 10 });
  const { name, namespace, resourceVersion } = stored.metadata;
  return api.applyStatus(
    type,
    { apiVersion: stored.apiVersion, kind: stored.kind, metadata: { name, namespace, resourceVersion }, status },
    INGEST,
  );
}

export function sweepApp(api: KubeApi, namespace: string, env: Record<string, string> = {}, now?: () => number): Hono {
  const config = parseConfig({
    AUTH_REQUIRED: 'false',
    KERNEL_GOSSIP_FUNCTION: 'sweep',
    ALLOWED_NAMESPACES: namespace,
    MONITORED_PODS_NAMESPACE: namespace,
    RESOLVED_AFTER_SECONDS: '600',
    ...env,
  });
  return buildSweep({
    config,
    api,
    log: createLogger({ level: 'silent', name: 'test' }),
    metrics: createSweepMetrics(),
    ...(now === undefined ? {} : { now }),
  });
}

/** A plain POST, as a person with curl would send it; the summary comes back as JSON. */
export async function runSweep(app: Hono, status = 200): Promise<SweepSummary> {
  const response = await app.request('/', { method: 'POST' });
  const body = (await response.json()) as SweepSummary;
  expect(response.status, JSON.stringify(body)).toBe(status);
  return body;
}

export async function fetchObject(
  api: KubeApi,
  type: ResourceType,
  namespace: string,
  name: string,
): Promise<KubeObject | undefined> {
  return api.get(type, { namespace, name });
}

export function monitoredPodsIn(api: KubeApi, namespace: string): Promise<ConfigMap | undefined> {
  return api.get<ConfigMap>(CONFIG_MAP, { namespace, name: 'ebpf-monitored-pods' });
}

/** namespace/name → resourceVersion of everything a sweep may write in `namespace`. */
export async function resourceVersions(api: KubeApi, namespace: string): Promise<Record<string, string | undefined>> {
  const versions: Record<string, string | undefined> = {};
  for (const type of [KERNEL_WHISPER, POD_BIRTH_CERTIFICATE, WORKLOAD_WHISPER, POD]) {
    for (const item of (await api.list(type, { namespace })).items)
      versions[`${type.plural}/${item.metadata.name}`] = item.metadata.resourceVersion;
  }
  versions.configmap = (await monitoredPodsIn(api, namespace))?.metadata.resourceVersion;
  return versions;
}

export const conditionOf = (object: KubeObject | undefined, type: string): Record<string, unknown> | undefined =>
  ((object?.status as { conditions?: { type: string }[] } | undefined)?.conditions ?? []).find(
    (condition) => condition.type === type,
  );
