import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { POD, type ResourceType } from '../../../lib/api/group.js';
import type { KubeApi } from '../../../lib/k8s/api.js';
import { connectKubeApi } from '../../../lib/k8s/client.js';
import type { KubeObject } from '../../../lib/k8s/objects.js';

/** Helpers for tests against the run's real API server. */
export const NAMESPACE: ResourceType = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false };

export async function adminApi(): Promise<KubeApi & { close(): void }> {
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
export async function createPod(api: KubeApi, namespace: string, name: string, options: PodOptions = {}): Promise<KubeObject> {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name, annotations: options.annotations ?? { 'kernel-gossip.io/monitor': 'true' } },
    spec: { nodeName: options.nodeName, containers: options.containers ?? [{ name: 'app', image: 'registry.invalid/app:1' }] },
  };
  return api.create(POD, pod, { fieldManager: 'test' });
}

const run = promisify(execFile);

export async function kubectl(args: readonly string[]): Promise<string> {
  const { stdout } = await run(inject('kubectl'), ['--kubeconfig', inject('kubeconfig'), ...args]);
  return stdout;
}

export function kubectlWithInput(args: readonly string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(inject('kubectl'), ['--kubeconfig', inject('kubeconfig'), ...args]);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl ${args.join(' ')}: ${err.trim()}`))));
    child.stdin.end(input);
  });
}
