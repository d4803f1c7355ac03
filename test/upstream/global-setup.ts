import type { TestProject } from 'vitest/node';
import { ensureKnativeModules } from './modules.js';

/** Provides the pinned Knative modules' directories (fetched on the first run) to the project's tests. */
export async function provideKnativeModules(project: TestProject): Promise<void> {
  const started = Date.now();
  const dirs = await ensureKnativeModules();
  const ms = Date.now() - started;
  // Quiet when the module cache had them; a first run says where the time went.
  if (ms > 1_000)
    process.stderr.write(`knative modules: fetched through the Go module proxy in ${(ms / 1000).toFixed(1)}s\n`);
  project.provide('knativeModules', dirs);
}

export default provideKnativeModules;
