import { KERNEL_WHISPER, POD_BIRTH_CERTIFICATE } from '../../../lib/api/group.js';
import type { KernelWhisperSpec, KernelWhisperStatus } from '../../../lib/api/kernel-whisper.js';
import type { PodBirthCertificateSpec } from '../../../lib/api/pod-birth-certificate.js';
import type { KubeApi } from '../../../lib/k8s/api.js';
import type { KubeObject } from '../../../lib/k8s/objects.js';
import type { Workload } from './workload.js';

/** Differences between the stored objects and what the workload must leave; empty when equal. */
export async function differences(api: KubeApi, namespace: string, workload: Workload): Promise<string[]> {
  const problems: string[] = [];
  const whispers = (await api.list<KubeObject<KernelWhisperSpec, KernelWhisperStatus>>(KERNEL_WHISPER, { namespace }))
    .items;
  const certificates = (await api.list<KubeObject<PodBirthCertificateSpec>>(POD_BIRTH_CERTIFICATE, { namespace }))
    .items;
  if (whispers.length !== workload.newest.size)
    problems.push(`${whispers.length} KernelWhispers, expected ${workload.newest.size}`);
  if (certificates.length !== workload.reports.size)
    problems.push(`${certificates.length} PodBirthCertificates, expected ${workload.reports.size}`);
  for (const whisper of whispers) {
    const expected = workload.newest.get(whisper.metadata.name);
    if (whisper.spec?.kernel_truth.throttled_percent !== expected)
      problems.push(
        `${whisper.metadata.name}: ${whisper.spec?.kernel_truth.throttled_percent}% stored, newest is ${expected}%`,
      );
    if (whisper.status?.observed_generation !== whisper.metadata.generation)
      problems.push(
        `${whisper.metadata.name}: status is for generation ${whisper.status?.observed_generation}, spec is ${whisper.metadata.generation}`,
      );
  }
  for (const certificate of certificates) {
    const ids = (certificate.spec?.reports ?? []).map((report) => report.id).sort();
    const expected = [...(workload.reports.get(certificate.metadata.name) ?? [])].sort();
    if (ids.join() !== expected.join())
      problems.push(`${certificate.metadata.name}: reports ${ids.join()} stored, expected ${expected.join()}`);
    for (const report of certificate.spec?.reports ?? []) {
      const newest = workload.newestReports.get(`${certificate.metadata.name}/${report.id}`);
      if (report.total_syscalls !== newest)
        problems.push(
          `${certificate.metadata.name}/${report.id}: ${report.total_syscalls} syscalls stored, newest report says ${newest}`,
        );
    }
  }
  return problems;
}
