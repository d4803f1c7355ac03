import { describe, expect, it } from 'vitest';
import type { ContainerResources, KernelWhisperSpec, Workload } from '../../../lib/api/kernel-whisper.js';
import { type CpuRecommendation, cpuRecommendation } from '../../../lib/core/cpu-recommendation.js';
import { deepFreeze } from '../support/freeze.js';

/** One row: what was observed and recorded → the exact recommendation. */
type Row = {
  readonly throttled: number;
  readonly usedCores: number;
  readonly resources?: ContainerResources;
  readonly workload?: Workload;
  readonly container?: string;
  readonly expected: CpuRecommendation;
};

const deployment: Workload = { api_version: 'apps/v1', kind: 'Deployment', name: 'web' };
const barePod: Workload = { api_version: 'v1', kind: 'Pod', name: 'web-1' };
const regular = (cpu_request: string | undefined, cpu_limit: string | undefined): ContainerResources => ({
  container_type: 'regular',
  ...(cpu_request === undefined ? {} : { cpu_request }),
  ...(cpu_limit === undefined ? {} : { cpu_limit }),
});
const HIGH = 'increase CPU limits by 50%';
const MEDIUM = 'monitor CPU usage patterns and consider optimization';
const setResources = (spec: string) => `kubectl set resources ${spec}`;

const ROWS: Record<string, Row> = {
  'high with a limit, owned by a Deployment': {
    throttled: 85,
    usedCores: 0.48,
    resources: regular('250m', '500m'),
    workload: deployment,
    expected: {
      priority: 'high',
      text: `${HIGH}: raise the CPU limit of container app from 500m to 750m`,
      current_cpu_request: '250m',
      current_cpu_limit: '500m',
      recommended_cpu_limit: '750m',
      recommended_command: setResources('deployment/web -n production -c app --limits=cpu=750m'),
    },
  },
  'no limit: inconsistent, no number': {
    throttled: 85,
    usedCores: 0.9,
    resources: regular('250m', undefined),
    workload: deployment,
    expected: {
      priority: 'high',
      text: `${HIGH}: container app has no CPU limit, yet CFS throttling needs a CPU quota: the data is inconsistent (a limit removed since, or the observer reporting another cgroup), so no new limit is given`,
      current_cpu_request: '250m',
      current_cpu_limit: 'none',
    },
  },
  'no limit and no request at low throttling': {
    throttled: 12,
    usedCores: 0.1,
    resources: regular(undefined, undefined),
    workload: deployment,
    expected: {
      priority: 'low',
      text: 'no action required: container app has no CPU limit, yet CFS throttling needs a CPU quota: the data is inconsistent (a limit removed since, or the observer reporting another cgroup), so no new limit is given',
      current_cpu_request: 'none',
      current_cpu_limit: 'none',
    },
  },
  'tiny limit 10m, request equal (Guaranteed-style)': {
    throttled: 90,
    usedCores: 0.01,
    resources: regular('10m', '10m'),
    workload: deployment,
    expected: {
      priority: 'high',
      text: `${HIGH}: raise the CPU limit of container app from 10m to 20m, and its equal request with it (keeping the QoS class)`,
      current_cpu_request: '10m',
      current_cpu_limit: '10m',
      recommended_cpu_limit: '20m',
      recommended_cpu_request: '20m',
      recommended_command: setResources('deployment/web -n production -c app --limits=cpu=20m --requests=cpu=20m'),
    },
  },
  'limit below the smallest CFS quota (5m)': {
    throttled: 88,
    usedCores: 0.005,
    resources: regular(undefined, '5m'),
    workload: deployment,
    expected: {
      priority: 'high',
      text: `${HIGH}: raise the CPU limit of container app from 5m to 20m; a 5m limit is enforced as 10m, the smallest CFS quota kubelet sets`,
      current_cpu_request: 'none',
      current_cpu_limit: '5m',
      recommended_cpu_limit: '20m',
      recommended_command: setResources('deployment/web -n production -c app --limits=cpu=20m'),
    },
  },
  '60m rounds to a multiple of 10m': {
    throttled: 80,
    usedCores: 0.06,
    resources: regular('50m', '60m'),
    workload: deployment,
    expected: {
      priority: 'high',
      text: `${HIGH}: raise the CPU limit of container app from 60m to 90m`,
      current_cpu_request: '50m',
      current_cpu_limit: '60m',
      recommended_cpu_limit: '90m',
      recommended_command: setResources('deployment/web -n production -c app --limits=cpu=90m'),
    },
  },
  '70m crosses 100m and rounds to 50m': {
    throttled: 80,
    usedCores: 0.07,
    resources: regular('50m', '70m'),
    workload: deployment,
    expected: {
      priority: 'high',
      text: `${HIGH}: raise the CPU limit of container app from 70m to 150m`,
      current_cpu_request: '50m',
      current_cpu_limit: '70m',
      recommended_cpu_limit: '150m',
      recommended_command: setResources('deployment/web -n production -c app --limits=cpu=150m'),
    },
  },
  'near 100% throttled: demand unknown': {
    throttled: 99.5,
    usedCores: 1,
    resources: regular('500m', '1000m'),
    workload: { api_version: 'apps/v1', kind: 'StatefulSet', name: 'db' },
    expected: {
      priority: 'high',
      text: `${HIGH}: raise the CPU limit of container app from 1000m to 1500m; throttled in 99.5% of CFS periods it was capped almost the whole window, so its real CPU demand is unknown and 1500m may still be too low: observe again after the change`,
      current_cpu_request: '500m',
      current_cpu_limit: '1000m',
      recommended_cpu_limit: '1500m',
      recommended_command: setResources('statefulset/db -n production -c app --limits=cpu=1500m'),
    },
  },
  'request above observed usage': {
    throttled: 82,
    usedCores: 0.3,
    resources: regular('1000m', '1500m'),
    workload: { api_version: 'apps/v1', kind: 'DaemonSet', name: 'agent' },
    expected: {
      priority: 'high',
      text: `${HIGH}: raise the CPU limit of container app from 1500m to 2300m; its CPU request (1000m) is above the 300m it used, so it reserves more than the window needed`,
      current_cpu_request: '1000m',
      current_cpu_limit: '1500m',
      recommended_cpu_limit: '2300m',
      recommended_command: setResources('daemonset/agent -n production -c app --limits=cpu=2300m'),
    },
  },
  'medium: earlier text, with the figures': {
    throttled: 55,
    usedCores: 0.45,
    resources: regular('250m', '500m'),
    workload: deployment,
    expected: {
      priority: 'medium',
      text: `${MEDIUM}: container app used 450m of its 500m CPU limit (request 250m) and was throttled in 55% of CFS periods`,
      current_cpu_request: '250m',
      current_cpu_limit: '500m',
    },
  },
  'medium with a request above usage': {
    throttled: 40,
    usedCores: 0.2,
    resources: regular('400m', '2000m'),
    workload: deployment,
    expected: {
      priority: 'medium',
      text: `${MEDIUM}: container app used 200m of its 2000m CPU limit (request 400m) and was throttled in 40% of CFS periods; its CPU request (400m) is above the 200m it used, so it reserves more than the window needed`,
      current_cpu_request: '400m',
      current_cpu_limit: '2000m',
    },
  },
  'low: no action': {
    throttled: 20,
    usedCores: 0.2,
    resources: regular('250m', '500m'),
    workload: deployment,
    expected: { priority: 'low', text: 'no action required', current_cpu_request: '250m', current_cpu_limit: '500m' },
  },
  'second container of the same pod uses its own figures': {
    throttled: 85,
    usedCores: 0.1,
    container: 'sidecar',
    resources: regular('100m', '100m'),
    workload: deployment,
    expected: {
      priority: 'high',
      text: `${HIGH}: raise the CPU limit of container sidecar from 100m to 150m, and its equal request with it (keeping the QoS class)`,
      current_cpu_request: '100m',
      current_cpu_limit: '100m',
      recommended_cpu_limit: '150m',
      recommended_cpu_request: '150m',
      recommended_command: setResources(
        'deployment/web -n production -c sidecar --limits=cpu=150m --requests=cpu=150m',
      ),
    },
  },
  'init container of a Deployment': {
    throttled: 85,
    usedCores: 0.2,
    container: 'setup',
    resources: { container_type: 'init', cpu_limit: '200m' },
    workload: deployment,
    expected: {
      priority: 'high',
      text: `${HIGH}: raise the CPU limit of container setup from 200m to 300m`,
      current_cpu_request: 'none',
      current_cpu_limit: '200m',
      recommended_cpu_limit: '300m',
      recommended_command: setResources('deployment/web -n production -c setup --limits=cpu=300m'),
    },
  },
  'container of a pod without a controller: in-place resize': {
    throttled: 85,
    usedCores: 0.5,
    resources: regular('250m', '500m'),
    workload: barePod,
    expected: {
      priority: 'high',
      text: `${HIGH}: raise the CPU limit of container app from 500m to 750m`,
      current_cpu_request: '250m',
      current_cpu_limit: '500m',
      recommended_cpu_limit: '750m',
      recommended_command: `kubectl patch pod web-1 -n production --subresource resize --patch '{"spec":{"containers":[{"name":"app","resources":{"limits":{"cpu":"750m"}}}]}}'`,
    },
  },
  'Guaranteed pod without a controller: request moves too': {
    throttled: 85,
    usedCores: 0.5,
    resources: regular('500m', '500m'),
    workload: barePod,
    expected: {
      priority: 'high',
      text: `${HIGH}: raise the CPU limit of container app from 500m to 750m, and its equal request with it (keeping the QoS class)`,
      current_cpu_request: '500m',
      current_cpu_limit: '500m',
      recommended_cpu_limit: '750m',
      recommended_cpu_request: '750m',
      recommended_command: `kubectl patch pod web-1 -n production --subresource resize --patch '{"spec":{"containers":[{"name":"app","resources":{"requests":{"cpu":"750m"},"limits":{"cpu":"750m"}}}]}}'`,
    },
  },
  'sidecar of a pod without a controller': {
    throttled: 85,
    usedCores: 0.1,
    container: 'proxy',
    resources: { container_type: 'sidecar', cpu_limit: '100m' },
    workload: barePod,
    expected: {
      priority: 'high',
      text: `${HIGH}: raise the CPU limit of container proxy from 100m to 150m`,
      current_cpu_request: 'none',
      current_cpu_limit: '100m',
      recommended_cpu_limit: '150m',
      recommended_command: `kubectl patch pod web-1 -n production --subresource resize --patch '{"spec":{"initContainers":[{"name":"proxy","resources":{"limits":{"cpu":"150m"}}}]}}'`,
    },
  },
  'init container of a pod without a controller: no command': {
    throttled: 85,
    usedCores: 0.2,
    container: 'setup',
    resources: { container_type: 'init', cpu_limit: '200m' },
    workload: barePod,
    expected: {
      priority: 'high',
      text: `${HIGH}: raise the CPU limit of container setup from 200m to 300m; init container setup of a pod without a controller cannot be resized: recreate the pod with the new limit`,
      current_cpu_request: 'none',
      current_cpu_limit: '200m',
      recommended_cpu_limit: '300m',
    },
  },
  'a Job: template immutable, no command': {
    throttled: 85,
    usedCores: 0.5,
    resources: regular(undefined, '500m'),
    workload: { api_version: 'batch/v1', kind: 'Job', name: 'backup-28934' },
    expected: {
      priority: 'high',
      text: `${HIGH}: raise the CPU limit of container app from 500m to 750m; the pod belongs to Job backup-28934, whose pod template cannot change: set the new limit where the Job is defined (its manifest or CronJob)`,
      current_cpu_request: 'none',
      current_cpu_limit: '500m',
      recommended_cpu_limit: '750m',
    },
  },
  'another controller kind: no command': {
    throttled: 85,
    usedCores: 0.5,
    resources: regular(undefined, '500m'),
    workload: { api_version: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'shop' },
    expected: {
      priority: 'high',
      text: `${HIGH}: raise the CPU limit of container app from 500m to 750m; set the new limit in the pod template of its controller, Rollout shop`,
      current_cpu_request: 'none',
      current_cpu_limit: '500m',
      recommended_cpu_limit: '750m',
    },
  },
  'container not found in the pod spec: unknown, no number': {
    throttled: 85,
    usedCores: 0.5,
    workload: deployment,
    expected: {
      priority: 'high',
      text: `${HIGH}: the CPU limit of container app is unknown (it was not found in the pod spec when observed), so no new limit is given`,
      current_cpu_request: 'unknown',
      current_cpu_limit: 'unknown',
    },
  },
};

function specFor(row: Row): KernelWhisperSpec {
  return {
    pod_name: 'web-1',
    namespace: 'production',
    container_name: row.container ?? 'app',
    detected_at: '2024-01-01T00:00:00.000Z',
    kernel_truth: { throttled_percent: row.throttled, actual_cpu_cores: row.usedCores },
    metrics_lie: { reported_status: 'unknown' },
    severity: row.throttled > 80 ? 'critical' : row.throttled > 50 ? 'warning' : 'info',
    ...(row.resources === undefined ? {} : { container_resources: row.resources }),
    ...(row.workload === undefined ? {} : { workload: row.workload }),
  };
}

describe('cpuRecommendation', () => {
  it.each(Object.entries(ROWS))('%s', (_name, row) => {
    const recommendation = cpuRecommendation(deepFreeze(specFor(row)));
    expect(JSON.parse(JSON.stringify(recommendation))).toEqual(row.expected);
  });

  it('keeps the earlier text as the prefix at every priority', () => {
    for (const row of Object.values(ROWS)) {
      const { text, priority } = cpuRecommendation(specFor(row));
      expect(text.startsWith({ high: HIGH, medium: MEDIUM, low: 'no action required' }[priority])).toBe(true);
    }
  });
});
