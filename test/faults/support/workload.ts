import { kernelWhisperName } from '../../../lib/api/names.js';
import { binaryEvent, creationData, type HttpFixture, throttleData } from '../../fixtures/events.js';

/**
 * A stream of events over a set of pods, with the state each one must leave:
 * for every KernelWhisper the newest observation, for every PodBirthCertificate
 * the set of reports (one per container).
 */
export type WorkloadEvent = {
  readonly id: string;
  readonly fixture: HttpFixture;
  readonly object: string;
  readonly expects: Expectation;
};
export type Expectation =
  | { readonly kind: 'kw'; readonly throttled: number; readonly detectedAt: string }
  | { readonly kind: 'pbc'; readonly report: string };

export type Workload = {
  readonly events: readonly WorkloadEvent[];
  /** KernelWhisper name → throttled_percent of its newest observation. */
  readonly newest: ReadonlyMap<string, number>;
  /** PodBirthCertificate name → the report ids it must hold. */
  readonly reports: ReadonlyMap<string, ReadonlySet<string>>;
  /** `<certificate>/<report id>` → total_syscalls of that container's newest report. */
  readonly newestReports: ReadonlyMap<string, number>;
};

const THROTTLE = 'io.gossip.kernel.cpu_throttle.v1';
const CREATION = 'io.gossip.kernel.pod_creation.v1';

/** The containers the workload's pods have: `app` throttles, c0-c2 report their births (an observation of a container a pod lacks is refused). */
export const WORKLOAD_CONTAINERS = ['app', 'c0', 'c1', 'c2'].map((name) => ({ name, image: 'registry.invalid/app:1' }));

export function podNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `pod-${i}`);
}

export function buildWorkload(namespace: string, pods: readonly string[], count: number, startMs: number): Workload {
  const events: WorkloadEvent[] = [];
  const newest = new Map<string, number>();
  const reports = new Map<string, Set<string>>();
  const newestReports = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const pod = pods[i % pods.length] ?? 'pod-0';
    // 1 ms apart: distinct and ordered, and all observed after the pods were created (startMs).
    const at = new Date(startMs + i).toISOString();
    if (i % 4 === 3) {
      const container = `c${Math.floor(i / pods.length) % 3}`;
      const data = {
        ...creationData,
        namespace,
        pod_name: pod,
        container_name: container,
        total_syscalls: 1000 + i,
        timestamp: at,
      };
      events.push({
        id: `e${i}`,
        fixture: binaryEvent(CREATION, data, `e${i}`),
        object: pod,
        expects: { kind: 'pbc', report: container },
      });
      reports.set(pod, (reports.get(pod) ?? new Set()).add(container));
      newestReports.set(`${pod}/${container}`, data.total_syscalls);
    } else {
      const throttled = (i * 7) % 100;
      const data = {
        ...throttleData,
        namespace,
        pod_name: pod,
        container_name: 'app',
        throttle_percentage: throttled,
        timestamp: at,
      };
      const name = kernelWhisperName(pod, 'app');
      events.push({
        id: `e${i}`,
        fixture: binaryEvent(THROTTLE, data, `e${i}`),
        object: name,
        expects: { kind: 'kw', throttled, detectedAt: at },
      });
      newest.set(name, throttled);
    }
  }
  return { events, newest, reports, newestReports };
}

/** Fisher–Yates with a seeded generator, so a failing order can be replayed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
