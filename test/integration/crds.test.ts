import { describe, expect, it } from 'vitest';
import { kubectl } from './support/cluster.js';

describe('generated CRDs in the real API server', () => {
  it('are Established with their short names and category', async () => {
    const names = await kubectl([
      'get',
      'crd',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Established")].status}{"\\n"}{end}',
    ]);
    expect(names).toContain('kernelwhispers.kernel.gossip.io=True');
    expect(names).toContain('podbirthcertificates.kernel.gossip.io=True');
    const resources = await kubectl(['api-resources', '--api-group=kernel.gossip.io', '--no-headers']);
    expect(resources).toMatch(/kernelwhispers\s+kw\s+kernel\.gossip\.io\/v1alpha1\s+true\s+KernelWhisper/);
    expect(resources).toMatch(/podbirthcertificates\s+pbc\s+kernel\.gossip\.io\/v1alpha1\s+true\s+PodBirthCertificate/);
  });

  it('explain every field from the schema descriptions', async () => {
    const text = await kubectl(['explain', 'kw.spec.kernel_truth.throttled_percent']);
    expect(text).toContain('Share of CFS periods in which the container was throttled, 0-100.');
    const conditions = await kubectl(['explain', 'pbc.status.conditions.lastTransitionTime']);
    expect(conditions).toContain('When the condition last changed status.');
  });
});
