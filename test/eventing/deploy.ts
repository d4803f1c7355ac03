import { type KubectlTarget, runKubectl } from '../controlplane/kubectl.js';
import { knativeDir, yamlFilesIn } from '../unit/packaging/manifests.js';
import { type LocalObject, type LocalTargets, localObjects } from './local-manifests.js';

/**
 * Applies our Broker, Triggers and PingSource from knative/, made local (local-manifests.ts),
 * with any `extra` objects a test adds beside them, and waits until Eventing reports each one
 * Ready; used by the knative tests and by `npm run dev -- --broker`.
 */
export async function deployLocally(
  target: KubectlTarget,
  targets: LocalTargets,
  extra: readonly LocalObject[] = [],
): Promise<void> {
  const items = [...localObjects(yamlFilesIn(knativeDir), targets), ...extra];
  await runKubectl(target, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  const ready = ['wait', '--for=condition=Ready', '--timeout=60s', '-n', targets.namespace];
  await runKubectl(target, [...ready, 'brokers,triggers,pingsources', '--all']);
}
