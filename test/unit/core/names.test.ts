import { describe, expect, it } from 'vitest';
import { isDnsSubdomain, kernelWhisperName, labelValue, podBirthCertificateName } from '../../../lib/api/names.js';

describe('object names', () => {
  it('joins pod and container with a dot so different splits never collide', () => {
    expect(kernelWhisperName('web-1', 'app')).toBe('web-1.app');
    expect(kernelWhisperName('a-b', 'c')).not.toBe(kernelWhisperName('a', 'b-c'));
  });

  it('shortens long names to valid DNS subdomains that stay unique', () => {
    const pod = `${'p'.repeat(200)}.${'q'.repeat(52)}`;
    const first = kernelWhisperName(pod, 'container-one');
    const second = kernelWhisperName(pod, 'container-two');
    expect(first.length).toBeLessThanOrEqual(253);
    expect(isDnsSubdomain(first)).toBe(true);
    expect(first).not.toBe(second);
    expect(kernelWhisperName(pod, 'container-one')).toBe(first);
  });

  it('never ends a shortened name on a separator', () => {
    const name = podBirthCertificateName(`${'a'.repeat(241)}-${'b'.repeat(11)}`);
    expect(isDnsSubdomain(name)).toBe(true);
  });

  it('fits label values into 63 characters', () => {
    expect(labelValue('short')).toBe('short');
    const long = labelValue('x'.repeat(100));
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).not.toBe(labelValue(`${'x'.repeat(99)}y`));
  });
});
