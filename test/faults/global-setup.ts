import type { TestProject } from 'vitest/node';
import { setupControlPlane } from '../integration/global-setup.js';

/**
 * Always a control plane of its own, even with KERNEL_GOSSIP_KUBECONFIG set: these tests
 * stop and restart its API server and etcd, which an existing cluster must never see.
 */
export default function setup(project: TestProject): Promise<() => Promise<void>> {
  return setupControlPlane(project, { externalKubeconfig: '' });
}
