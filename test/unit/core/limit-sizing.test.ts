import { describe, expect, it } from 'vitest';
import type { ContainerResources, KernelWhisperSpec, Workload } from '../../../lib/api/kernel-whisper.js';
import type { HistoryEntry } from '../../../lib/api/throttle-history.js';
import { cpuRecommendation } from '../../../lib/core/cpu-recommendation.js';
import { sizeLimit } from '../../../lib/core/limit-sizing.js';
import { historyEntryOf } from '../../../lib/core/throttle-history.js';
import { deepFreeze } from '../support/freeze.js';

/**
 * The limit sized from the evidence, one scenario per row. Every expected figure
 * is worked out by hand in the row's comment, from the model in
 * lib/core/limit-sizing.ts (figures in millicores, τ the target share, 10 %
 * unless the row says otherwise):
 *
 *   H = throttle_ns / (period_seconds × 10⁶)      demand the limit hid
 *   m = H / (p / 100)                            mean excess of a throttled period
 *   needed = max(L0 + m · ln(p / τ), usage)      L0 the enforced limit (≥ 10m)
 *   limit = round up (10m steps below 100m, 50m below 1000m, 100m above)
 *
 * At 95 % throttled or more the need is at least L0 × 1.5; without throttled
 * time the limit is L0 × 1.5 rounded up (the earlier operator's factor).
 */
type Row = {
  readonly throttled: number;
  readonly usedCores: number;
  readonly throttleNs?: number;
  readonly periodSeconds?: number;
  readonly resources?: ContainerResources;
  readonly workload?: Workload;
  readonly container?: string;
  readonly targetPercent?: number;
  /** Older history entries, oldest first. */
  readonly earlier?: readonly HistoryEntry[];
  readonly expected: {
    readonly limit?: string;
    readonly request?: string;
    readonly command?: string;
    readonly sized: boolean;
    readonly demandUnknown?: boolean;
  };
};

const deployment: Workload = { api_version: 'apps/v1', kind: 'Deployment', name: 'web' };
const barePod: Workload = { api_version: 'v1', kind: 'Pod', name: 'web-1' };
const resources = (type: ContainerResources['container_type'], request?: string, limit?: string) =>
  ({
    container_type: type,
    ...(request === undefined ? {} : { cpu_request: request }),
    ...(limit === undefined ? {} : { cpu_limit: limit }),
  }) as ContainerResources;
const setResources = (args: string) => `kubectl set resources deployment/web -n production ${args}`;
const resize = (patch: object) =>
  `kubectl patch pod web-1 -n production --subresource resize --patch '${JSON.stringify({ spec: patch })}'`;
const at = (minute: number) => new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString();

const ROWS: Record<string, Row> = {
  // H = 90e9 / 300e6 = 300; m = 300 / 0.85 = 352.94; ln(85/10) = ln 8.5 = 2.1401
  // needed = 500 + 352.94 × 2.1401 = 500 + 755.32 = 1255.32 → 1300m (step 100)
  '85% throttled, 90 s throttled over 300 s, limit 500m': {
    throttled: 85,
    usedCores: 0.5,
    throttleNs: 90e9,
    periodSeconds: 300,
    resources: resources('regular', '250m', '500m'),
    workload: deployment,
    expected: { limit: '1300m', command: setResources('-c app --limits=cpu=1300m'), sized: true },
  },
  // Same evidence, τ = 20: ln(85/20) = ln 4.25 = 1.4469; 500 + 352.94 × 1.4469 = 500 + 510.68 = 1010.68 → 1100m
  'the same with a 20% target': {
    throttled: 85,
    usedCores: 0.5,
    throttleNs: 90e9,
    periodSeconds: 300,
    targetPercent: 20,
    resources: resources('regular', '250m', '500m'),
    workload: deployment,
    expected: { limit: '1100m', command: setResources('-c app --limits=cpu=1100m'), sized: true },
  },
  // The earlier example: H = 123456789 / 300e6 = 0.4115; m = 0.4115 / 0.855 = 0.4813; ln 8.55 = 2.1459
  // needed = 500 + 0.4813 × 2.1459 = 501.03 → at least one step above 500m → 550m (less than +50 %)
  'brief throttling: a small raise, less than +50%': {
    throttled: 85.5,
    usedCores: 0.48,
    throttleNs: 123456789,
    periodSeconds: 300,
    resources: resources('regular', '250m', '500m'),
    workload: deployment,
    expected: { limit: '550m', command: setResources('-c app --limits=cpu=550m'), sized: true },
  },
  // Tiny limit, request = limit: H = 6e9 / 300e6 = 20; m = 20 / 0.9 = 22.22; ln 9 = 2.1972
  // needed = 10 + 22.22 × 2.1972 = 10 + 48.83 = 58.83 → 60m (step 10); the equal request moves too
  'tiny limit 10m, Guaranteed: request moves with it': {
    throttled: 90,
    usedCores: 0.01,
    throttleNs: 6e9,
    periodSeconds: 300,
    resources: resources('regular', '10m', '10m'),
    workload: deployment,
    expected: {
      limit: '60m',
      request: '60m',
      command: setResources('-c app --limits=cpu=60m --requests=cpu=60m'),
      sized: true,
    },
  },
  // 5m is enforced as 10m: H = 0.3e9 / 300e6 = 1; m = 1 / 0.88 = 1.136; ln 8.8 = 2.1748
  // needed = 10 + 1.136 × 2.1748 = 12.47 → 20m (step 10)
  'limit below the smallest CFS quota (5m)': {
    throttled: 88,
    usedCores: 0.005,
    throttleNs: 0.3e9,
    periodSeconds: 300,
    resources: resources('regular', undefined, '5m'),
    workload: deployment,
    expected: { limit: '20m', command: setResources('-c app --limits=cpu=20m'), sized: true },
  },
  // 99 %: H = 150e9 / 300e6 = 500; m = 500 / 0.99 = 505.05; ln 9.9 = 2.2925
  // needed = 1000 + 505.05 × 2.2925 = 2157.85 ≥ 1000 × 1.5 → 2200m (step 100), demand unknown
  '99% throttled: demand unknown, the figure is a lower bound': {
    throttled: 99,
    usedCores: 1,
    throttleNs: 150e9,
    periodSeconds: 300,
    resources: resources('regular', '500m', '1000m'),
    workload: deployment,
    expected: { limit: '2200m', command: setResources('-c app --limits=cpu=2200m'), sized: true, demandUnknown: true },
  },
  // 96 %, little throttled time: H = 3e9 / 300e6 = 10; m = 10 / 0.96 = 10.42; ln 9.6 = 2.2618
  // 400 + 10.42 × 2.2618 = 423.56, below the floor 400 × 1.5 = 600 → 600m
  'near 100% with little throttled time: at least +50%': {
    throttled: 96,
    usedCores: 0.4,
    throttleNs: 3e9,
    periodSeconds: 300,
    resources: resources('regular', undefined, '400m'),
    workload: deployment,
    expected: { limit: '600m', command: setResources('-c app --limits=cpu=600m'), sized: true, demandUnknown: true },
  },
  // No throttled time reported: 500 × 1.5 = 750 → 750m (the fallback)
  'missing throttled time: the +50% fallback': {
    throttled: 85,
    usedCores: 0.5,
    periodSeconds: 300,
    resources: resources('regular', '250m', '500m'),
    workload: deployment,
    expected: { limit: '750m', command: setResources('-c app --limits=cpu=750m'), sized: false },
  },
  // No limit: throttling without a CFS quota is inconsistent data; no figure at all
  'no limit: no figure': {
    throttled: 85,
    usedCores: 0.9,
    throttleNs: 90e9,
    periodSeconds: 300,
    resources: resources('regular', '250m', undefined),
    workload: deployment,
    expected: { sized: false },
  },
  // Second container of a multi-container pod, Guaranteed 100m: H = 2.4e9 / 60e6 = 40; m = 40 / 0.8 = 50
  // ln 8 = 2.0794; needed = 100 + 50 × 2.0794 = 203.97 → 250m (step 50), request too
  'multi-container: the helper container sized on its own': {
    throttled: 80,
    usedCores: 0.1,
    throttleNs: 2.4e9,
    periodSeconds: 60,
    container: 'helper',
    resources: resources('regular', '100m', '100m'),
    workload: deployment,
    expected: {
      limit: '250m',
      request: '250m',
      command: setResources('-c helper --limits=cpu=250m --requests=cpu=250m'),
      sized: true,
    },
  },
  // Init container, bare pod: H = 1.2e9 / 30e6 = 40; m = 40 / 0.9 = 44.44; ln 9 = 2.1972
  // needed = 200 + 44.44 × 2.1972 = 297.65 → 300m; an init container of a bare pod cannot be resized: no command
  'init container of a pod without a controller': {
    throttled: 90,
    usedCores: 0.2,
    throttleNs: 1.2e9,
    periodSeconds: 30,
    container: 'setup',
    resources: resources('init', undefined, '200m'),
    workload: barePod,
    expected: { limit: '300m', sized: true },
  },
  // Sidecar, bare pod: H = 0.41e9 / 10e6 = 41; m = 41 / 0.82 = 50; ln 8.2 = 2.1041
  // needed = 100 + 50 × 2.1041 = 205.21 → 250m, resized in place under initContainers
  'sidecar of a pod without a controller': {
    throttled: 82,
    usedCores: 0.1,
    throttleNs: 0.41e9,
    periodSeconds: 10,
    container: 'proxy',
    resources: resources('sidecar', undefined, '100m'),
    workload: barePod,
    expected: {
      limit: '250m',
      command: resize({ initContainers: [{ name: 'proxy', resources: { limits: { cpu: '250m' } } }] }),
      sized: true,
    },
  },
  // Guaranteed bare pod: H = 60e9 / 300e6 = 200; m = 200 / 0.8 = 250; ln 8 = 2.0794
  // needed = 1000 + 250 × 2.0794 = 1519.86 → 1600m, request and limit in one resize
  'Guaranteed QoS without a controller': {
    throttled: 80,
    usedCores: 1,
    throttleNs: 60e9,
    periodSeconds: 300,
    resources: resources('regular', '1000m', '1000m'),
    workload: barePod,
    expected: {
      limit: '1600m',
      request: '1600m',
      command: resize({
        containers: [{ name: 'app', resources: { requests: { cpu: '1600m' }, limits: { cpu: '1600m' } } }],
      }),
      sized: true,
    },
  },
  // Request above usage (noted in the text, not moved): H = 3e9 / 300e6 = 10; m = 10 / 0.8 = 12.5; ln 8 = 2.0794
  // needed = 1000 + 12.5 × 2.0794 = 1025.99 → 1100m
  'request above usage': {
    throttled: 80,
    usedCores: 0.3,
    throttleNs: 3e9,
    periodSeconds: 300,
    resources: resources('regular', '800m', '1000m'),
    workload: deployment,
    expected: { limit: '1100m', command: setResources('-c app --limits=cpu=1100m'), sized: true },
  },
  // Usage above the limit (changed within the window): H = 0.3e9 / 300e6 = 1; m = 1 / 0.81 = 1.235; ln 8.1 = 2.0919
  // 200 + 1.235 × 2.0919 = 202.58 < 450 used → 450m
  'usage above the limit: never below the usage': {
    throttled: 81,
    usedCores: 0.45,
    throttleNs: 0.3e9,
    periodSeconds: 300,
    resources: resources('regular', undefined, '200m'),
    workload: deployment,
    expected: { limit: '450m', command: setResources('-c app --limits=cpu=450m'), sized: true },
  },
  // Throttled periods but zero throttled time: m = 0, needed = 500 → one step up: 550m
  'zero throttled time: one step up': {
    throttled: 85,
    usedCores: 0.5,
    throttleNs: 0,
    periodSeconds: 300,
    resources: resources('regular', undefined, '500m'),
    workload: deployment,
    expected: { limit: '550m', command: setResources('-c app --limits=cpu=550m'), sized: true },
  },
  // Newest: H = 30e9 / 300e6 = 100; m = 100 / 0.9 = 111.11; ln 9 = 2.1972; 500 + 244.14 = 744.14
  // Earlier at 500m: 85 %, 90e9 over 300 s → 1255.32 (first row). A calm 5 % window advises nothing and the
  // 250m run before is another limit: both ignored. The largest need, 1255.32 → 1300m
  'several windows at this limit: the largest need wins': {
    throttled: 90,
    usedCores: 0.5,
    throttleNs: 30e9,
    periodSeconds: 300,
    resources: resources('regular', undefined, '500m'),
    workload: deployment,
    earlier: [
      {
        at: at(-30),
        throttled_percent: 99,
        cpu_cores: 0.25,
        cpu_limit: '250m',
        throttle_ns: 290e9,
        period_seconds: 300,
      },
      { at: at(-20), throttled_percent: 85, cpu_cores: 0.5, cpu_limit: '500m', throttle_ns: 90e9, period_seconds: 300 },
      { at: at(-10), throttled_percent: 5, cpu_cores: 0.2, cpu_limit: '500m', throttle_ns: 900e9, period_seconds: 300 },
    ],
    expected: { limit: '1300m', command: setResources('-c app --limits=cpu=1300m'), sized: true },
  },
};

function specFor(row: Row): KernelWhisperSpec {
  return {
    pod_name: 'web-1',
    namespace: 'production',
    container_name: row.container ?? 'app',
    detected_at: at(0),
    kernel_truth: {
      throttled_percent: row.throttled,
      actual_cpu_cores: row.usedCores,
      ...(row.throttleNs === undefined ? {} : { throttle_ns: row.throttleNs }),
      ...(row.periodSeconds === undefined ? {} : { period_seconds: row.periodSeconds }),
    },
    metrics_lie: { reported_status: 'unknown' },
    severity: row.throttled > 80 ? 'critical' : row.throttled > 50 ? 'warning' : 'info',
    ...(row.resources === undefined ? {} : { container_resources: row.resources }),
    ...(row.workload === undefined ? {} : { workload: row.workload }),
  };
}

describe('a limit sized from the evidence', () => {
  it.each(Object.entries(ROWS))('%s', (_name, row) => {
    const spec = deepFreeze(specFor(row));
    const history = deepFreeze([...(row.earlier ?? []), historyEntryOf(spec)]);
    const advice = cpuRecommendation(spec, { history, targetPercent: row.targetPercent ?? 10 });
    expect(advice.recommended_cpu_limit).toBe(row.expected.limit);
    expect(advice.recommended_cpu_request).toBe(row.expected.request);
    expect(advice.recommended_command).toBe(row.expected.command);
    expect(advice.sizing_evidence !== undefined).toBe(row.expected.sized);
    expect(advice.text.startsWith(row.expected.sized ? 'increase CPU limits: ' : 'increase CPU limits by 50%')).toBe(
      true,
    );
    expect(advice.sizing_evidence?.includes('is a lower bound') ?? false).toBe(row.expected.demandUnknown ?? false);
  });

  it('states the model with its figures in the evidence text', () => {
    const row = ROWS['85% throttled, 90 s throttled over 300 s, limit 500m'] as Row;
    const spec = specFor(row);
    const advice = cpuRecommendation(spec, { history: [historyEntryOf(spec)], targetPercent: 10 });
    expect(advice.sizing_evidence).toBe(
      'sized from the throttled time: 90000 ms throttled over 300 s (2024-01-01T00:00:00.000Z) is 300m of demand the limit hid (an upper bound); over the 85% throttled periods that is 352.94m above the 500m limit on average; taking the excess as exponentially distributed, a limit L leaves 85% × e^(−(L − 500m) / 352.94m) of periods throttled, under 10% from 1255.32m, rounded up to 1300m',
    );
    expect(advice.text).toBe('increase CPU limits: raise the CPU limit of container app from 500m to 1300m');
  });

  it('says near 100% that the demand is unknown, in the advice and the evidence', () => {
    const row = ROWS['99% throttled: demand unknown, the figure is a lower bound'] as Row;
    const spec = specFor(row);
    const advice = cpuRecommendation(spec, { history: [historyEntryOf(spec)], targetPercent: 10 });
    expect(advice.text).toContain('its real CPU demand is unknown and 2200m may still be too low');
    expect(advice.sizing_evidence).toContain(
      'throttled in 99% of periods it was capped nearly all the time, so its throttled time measures the cap, not the demand: 2200m is a lower bound (at least +50%)',
    );
  });

  it('without a history keeps the earlier +50% exactly', () => {
    const spec = specFor(ROWS['85% throttled, 90 s throttled over 300 s, limit 500m'] as Row);
    expect(cpuRecommendation(spec).recommended_cpu_limit).toBe('750m');
  });

  it('sizes from the windows it is given and never below one step up', () => {
    // Not throttled beyond the target in any window: the need is the limit itself, and a raise is one step.
    const calm: HistoryEntry = {
      at: at(0),
      throttled_percent: 8,
      cpu_cores: 0.1,
      throttle_ns: 1e9,
      period_seconds: 10,
    };
    expect(sizeLimit(500, [calm], 10).limit).toBe(550);
  });
});
