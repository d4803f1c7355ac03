import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../controlplane/binaries.js';
import { onExitOrSignal } from '../controlplane/cleanup.js';
import type { KubectlTarget } from '../controlplane/kubectl.js';
import { freeLoopbackPorts } from '../controlplane/ports.js';
import type { KnativeModuleDirs } from '../upstream/modules.js';
import { EVENTING_COMMANDS, ensureEventingBinaries } from './binaries.js';
import { createState, destroyEventingNow, eventingDirPrefix, sweepStaleEventing } from './cleanup.js';
import { installEventing, SYSTEM_NAMESPACE } from './install.js';
import { acquireMachineLock } from './lock.js';
import { assertDispatcherPortsFree } from './ports.js';
import { DISPATCHER_HTTP_PORT, type EventingPorts, processSpecs } from './processes.js';
import { startClusterProxy } from './proxy.js';
import { type ProcessFigures, type RunningProcess, startProcess, stopProcesses } from './run.js';

/**
 * One set of unmodified Knative Eventing processes (MT channel-based Broker ingress and
 * filter, in-memory channel controller and dispatcher, eventing controller, PingSource
 * adapter) against a running control plane. One per machine at a time, because the channel
 * dispatcher holds :8080 and :8443: a second run waits for the first (lock.ts).
 */
export type EventingOptions = {
  /** The API server (`https://127.0.0.1:<port>`) and an admin kubeconfig for it. */
  readonly controlPlane: KubectlTarget & { readonly server: string };
  readonly modules: KnativeModuleDirs;
  /** Entries for the config-features ConfigMap, e.g. `{ 'authentication-oidc': 'enabled' }`. */
  readonly features?: Readonly<Record<string, string>>;
  /** Told to a run that waits for this one, e.g. "npm test in /path/to/worktree". */
  readonly purpose?: string;
  /** Where the Broker ingress listens; default: a free loopback port. */
  readonly ingressPort?: number;
};

export type Eventing = {
  /** The Broker ingress on loopback: POST `${ingress}/<namespace>/<broker>`. */
  readonly ingress: string;
  /** The Broker filter on loopback (`${filter}/triggers/<namespace>/<trigger>/<uid>`). */
  readonly filter: string;
  readonly dataDir: string;
  /** Start-up times, and each process's memory as of this call. */
  figures(): EventingFigures;
  /** SIGTERM, then SIGKILL, every process group; then the lock is released. Safe to call twice. */
  stop(): Promise<void>;
};

export type EventingFigures = {
  readonly version: string;
  /** Installing CRDs, config maps and stand-ins into the API server. */
  readonly installMs: number;
  /** From the first spawn until the last process is started (and ready, where it has a probe). */
  readonly startMs: number;
  readonly processes: readonly ProcessFigures[];
};

export const EVENTING_LOCK = 'kernel-gossip-knative-eventing';
/** The API server's in-cluster name; its serving certificate names it (test/controlplane/certs.ts). */
const IN_CLUSTER_API_SERVER = 'kubernetes.default.svc';

export async function startEventing(options: EventingOptions): Promise<Eventing> {
  const purpose = options.purpose ?? `kernel-gossip in ${repoRoot}`;
  const lock = await acquireMachineLock(EVENTING_LOCK, {
    purpose,
    onWait: (holder) =>
      process.stderr.write(`eventing: waiting for ${holder} to finish; ports 8080/8443 are one per machine\n`),
  });
  // Built while holding the lock: worktrees may share one .cache, and two builds of the same
  // release at once would only slow each other down on a small machine.
  const { binDir, version } = await ensureEventingBinaries().catch(async (error: unknown) => {
    await lock.release();
    throw error;
  });
  // Swept while holding the lock, before our own data dir exists, so it cannot be mistaken for a stale one.
  for (const swept of sweepStaleEventing())
    process.stderr.write(`eventing: cleaned up after a killed run (${swept})\n`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), eventingDirPrefix));
  createState(dataDir);
  let running: RunningProcess[] = [];
  const unregister = onExitOrSignal(() => destroyEventingNow(dataDir));
  let closeProxy: () => Promise<void> = async () => {};
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await stopProcesses(running);
      await closeProxy();
      unregister();
      destroyEventingNow(dataDir);
      await lock.release();
    })();
    return stopped;
  };
  try {
    await assertDispatcherPortsFree();
    const installStarted = Date.now();
    await installEventing(options.controlPlane, options.modules, options.features ?? {});
    const installMs = Date.now() - installStarted;
    const ports = await choosePorts(options.ingressPort);
    const proxy = await startClusterProxy({
      services: {
        [`broker-ingress.${SYSTEM_NAMESPACE}.svc.cluster.local`]: ports.ingress,
        [`broker-filter.${SYSTEM_NAMESPACE}.svc.cluster.local`]: ports.filter,
        [`imc-dispatcher.${SYSTEM_NAMESPACE}.svc.cluster.local`]: DISPATCHER_HTTP_PORT,
      },
      channelPort: DISPATCHER_HTTP_PORT,
      // Where sender identity reads the token issuer (config-features oidc-discovery-base-url's default).
      tunnels: { [`${IN_CLUSTER_API_SERVER}:443`]: Number(new URL(options.controlPlane.server).port) },
    });
    closeProxy = proxy.close;
    const specs = processSpecs(binDir, dataDir, options.controlPlane.kubeconfigPath, { ...ports, proxy: proxy.port });
    const started = Date.now();
    for (const spec of specs) running = [...running, await startProcess(spec, dataDir)];
    const startMs = Date.now() - started;
    const figures = () => ({ version, installMs, startMs, processes: running.map((process) => process.figures()) });
    const [ingress, filter] = [ports.ingress, ports.filter].map((port) => `http://127.0.0.1:${port}`) as [
      string,
      string,
    ];
    return { ingress, filter, dataDir, figures, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Loopback ports of the kernel's choosing for everything whose port Eventing lets us set. */
async function choosePorts(ingressPort: number | undefined): Promise<Omit<EventingPorts, 'proxy'>> {
  const free = await freeLoopbackPorts(5 + EVENTING_COMMANDS.length);
  const next = (): number => {
    const port = free.shift();
    if (port === undefined) throw new Error('Could not reserve loopback ports for Knative Eventing');
    return port;
  };
  const ingress = next();
  return {
    ingress: ingressPort ?? ingress,
    ingressHttps: next(),
    filter: next(),
    filterHttps: next(),
    channelWebhook: next(),
    profiling: Object.fromEntries(EVENTING_COMMANDS.map((name) => [name, next()])) as EventingPorts['profiling'],
  };
}
