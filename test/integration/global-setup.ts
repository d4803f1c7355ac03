import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { repoRoot } from '../controlplane/binaries.js';
import { type ControlPlane, type StartControlPlaneOptions, startControlPlane } from '../controlplane/harness.js';
import { runKubectl } from '../controlplane/kubectl.js';
import { provideKnativeModules } from '../upstream/global-setup.js';
import { ensureImageNode } from '../upstream/node.js';

/** One control plane per run, shared by every integration test file, and the pinned Knative modules. */
export default function setup(project: TestProject): Promise<() => Promise<void>> {
  return setupControlPlane(project);
}

/** The setup above with the control plane's options (the faults project always starts its own). */
export async function setupControlPlane(
  project: TestProject,
  options: StartControlPlaneOptions = {},
): Promise<() => Promise<void>> {
  await provideKnativeModules(project);
  const imageNode = await ensureImageNode();
  if (!imageNode.available)
    process.stderr.write(`node ${imageNode.version}: the bundle is not run on it: ${imageNode.why}\n`);
  project.provide('imageNode', imageNode);
  const started = Date.now();
  const controlPlane = await startControlPlane(options);
  try {
    await installCrds(controlPlane);
  } catch (error) {
    await controlPlane.stop();
    throw error;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const { server, dataDir } = controlPlane;
  process.stderr.write(`control plane: ${server} ready in ${seconds}s (${dataDir})\n`);
  project.provide('kubeconfig', controlPlane.kubeconfigPath);
  project.provide('kubectl', controlPlane.kubectlPath);
  project.provide('controlPlaneDataDir', controlPlane.dataDir);
  project.provide('controlPlaneControl', controlPlane.controlFile);
  return () => controlPlane.stop();
}

/**
 * The generated CRDs under crds/ (none yet is fine), through the real apiserver, which is
 * the final judge of their structural schemas; tests start only once they are served.
 */
export async function installCrds(controlPlane: Pick<ControlPlane, 'kubeconfigPath' | 'kubectlPath'>): Promise<void> {
  const crdDir = path.join(repoRoot, 'crds');
  const entries = await readdir(crdDir).catch(() => []);
  const files = entries.filter((name) => /\.ya?ml$/.test(name)).sort();
  if (files.length === 0) return;
  const fileArgs = files.flatMap((name) => ['-f', path.join(crdDir, name)]);
  await runKubectl(controlPlane, ['apply', '--server-side', '--force-conflicts', ...fileArgs]);
  const established = ['--for=condition=Established', '--timeout=60s'];
  await runKubectl(controlPlane, ['wait', ...established, ...fileArgs]);
}
