import type { TestProject } from 'vitest/node';
import { repoRoot } from '../controlplane/binaries.js';
import { startControlPlane } from '../controlplane/harness.js';
import { type Eventing, type EventingFigures, startEventing } from '../eventing/harness.js';
import { createCanary } from '../eventing/sender-identity.js';
import { installCrds } from '../integration/global-setup.js';
import { ensureKnativeModules } from '../upstream/modules.js';

/**
 * A control plane of its own (the tests stop its API server) with our CRDs, and ONE set of
 * unmodified Knative Eventing processes against it, for every test file of the project.
 * A first Broker (the canary that test/eventing/sender-identity.ts switches sender identity
 * with) is made Ready here, so a broken set fails the run at once with the process logs'
 * location, and the figures (start-up time, memory) are those of a set that has reconciled
 * a Broker. KERNEL_GOSSIP_EVENTING_FEATURES (`name=value,...`) goes into Eventing's
 * config-features; `authentication-oidc` is each test file's own choice (it switches it in
 * beforeAll).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const modules = await ensureKnativeModules();
  project.provide('knativeModules', modules);
  // Always a control plane of its own, even with KERNEL_GOSSIP_KUBECONFIG set: the tests stop
  // its API server, and Eventing is installed into it as local processes, which a real
  // cluster's pods could not reach on loopback.
  const controlPlane = await startControlPlane({ externalKubeconfig: '' });
  let eventing: Eventing | undefined;
  const stop = async (): Promise<void> => {
    await eventing?.stop();
    await controlPlane.stop();
  };
  try {
    await installCrds(controlPlane);
    const features = parseFeatures(process.env.KERNEL_GOSSIP_EVENTING_FEATURES ?? '');
    const started = Date.now();
    eventing = await startEventing({ controlPlane, modules, features, purpose: `npm test in ${repoRoot}` });
    await createCanary(controlPlane);
    const readyMs = Date.now() - started;
    process.stderr.write(report(eventing.figures(), readyMs, eventing.dataDir));
    project.provide('eventingIngress', eventing.ingress);
    project.provide('eventingFilter', eventing.filter);
    project.provide('eventingFeatures', features);
  } catch (error) {
    await stop();
    throw error;
  }
  project.provide('kubeconfig', controlPlane.kubeconfigPath);
  project.provide('kubectl', controlPlane.kubectlPath);
  project.provide('controlPlaneDataDir', controlPlane.dataDir);
  project.provide('controlPlaneControl', controlPlane.controlFile);
  return stop;
}

function parseFeatures(text: string): Record<string, string> {
  const entries = text
    .split(',')
    .filter((entry) => entry.trim() !== '')
    .map((entry) => {
      const [name, value] = entry.split('=');
      if (name === undefined || value === undefined) {
        throw new Error(`KERNEL_GOSSIP_EVENTING_FEATURES: "${entry}" is not name=value`);
      }
      return [name.trim(), value.trim()];
    });
  return Object.fromEntries(entries);
}

/** Printed once per run: the lead's closing note and docs/local-demo.md quote these figures. */
function report(figures: EventingFigures, readyMs: number, dataDir: string): string {
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;
  const rss = figures.processes.reduce((sum, process) => sum + process.rssMiB, 0);
  const each = figures.processes.map((process) => `${process.name} ${process.rssMiB}`).join(', ');
  const probed = figures.processes
    .filter((process) => process.readyMs !== undefined)
    .map((process) => `${process.name} ${seconds(process.readyMs ?? 0)}`)
    .join(', ');
  return (
    `eventing: Knative Eventing ${figures.version}, ${figures.processes.length} processes, first Broker Ready ${seconds(readyMs)} ` +
    `after start (install ${seconds(figures.installMs)}, processes ${seconds(figures.startMs)}: ${probed})\n` +
    `eventing: RSS ${rss} MiB in all (MiB: ${each}); logs in ${dataDir}\n`
  );
}
