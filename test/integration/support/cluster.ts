import { spawn } from 'node:child_process';
import { inject } from 'vitest';
import { POD, type ResourceType } from '../../../lib/api/group.js';
import type { KubeApi } from '../../../lib/k8s/api.js';
import { connectKubeApi, type KubeConnection } from '../../../lib/k8s/client.js';
import type { KubeObject } from '../../../lib/k8s/objects.js';
import type { Metrics } from '../../../lib/metrics.js';

/** Helpers for tests against the run's real API server. */
export const NAMESPACE: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  namespaced: false,
};

export const SERVICE_ACCOUNT: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  namespaced: true,
};

export async function adminApi(): Promise<KubeConnection> {
  return connectKubeApi({ kubeconfigPath: inject('kubeconfig') });
}

/** A fresh namespace per test file (the suffix keeps reruns against an external cluster apart). */
export async function freshNamespace(api: KubeApi, prefix: string): Promise<string> {
  const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  await api.create(NAMESPACE, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: 'test' });
  return name;
}

export type PodOptions = { annotations?: Record<string, string>; containers?: unknown[]; nodeName?: string };

/** Pods can be created without a kubelet; they simply stay Pending. */
export async function createPod(
  api: KubeApi,
  namespace: string,
  name: string,
  options: PodOptions = {},
): Promise<KubeObject> {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name, annotations: options.annotations ?? { 'kernel-gossip.io/monitor': 'true' } },
    spec: {
      nodeName: options.nodeName,
      containers: options.containers ?? [{ name: 'app', image: 'registry.invalid/app:1' }],
    },
  };
  return api.create(POD, pod, { fieldManager: 'test' });
}

/** kubectl that rejects on a non-zero exit and resolves to its stdout. */
export function kubectl(args: readonly string[]): Promise<string> {
  return kubectlWithInput(args, '');
}

export type Run = { readonly code: number; readonly stdout: string; readonly stderr: string };

/** Runs a command to completion with `input` on stdin; never rejects on a non-zero exit. */
export function run(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** kubectl of the run's release against its control plane, exit code and all. */
export function kubectlRun(args: readonly string[], input = ''): Promise<Run> {
  return run(inject('kubectl'), ['--kubeconfig', inject('kubeconfig'), ...args], { input });
}

export async function kubectlWithInput(args: readonly string[], input: string): Promise<string> {
  const result = await kubectlRun(args, input);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout;
}

/** Writes (every verb but get and list) a function made, by its own API request count. */
export async function writesCounted(metrics: Metrics): Promise<number> {
  const counted = await metrics.apiRequests.get();
  return counted.values
    .filter((value) => value.labels.verb !== 'get' && value.labels.verb !== 'list')
    .reduce((sum, value) => sum + value.value, 0);
}
