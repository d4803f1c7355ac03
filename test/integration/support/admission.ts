import { kubectlRun } from './cluster.js';

/**
 * A ValidatingAdmissionPolicy refusing KernelWhispers of one pod with reason
 * Invalid (422) for one pod's KernelWhispers; probeSpec is a valid spec it refuses. Admission picks a new policy up asynchronously, so this waits
 * until a server-side dry run is refused (polling, no fixed sleep).
 */
export async function installRefusingPolicy(
  name: string,
  target: { namespace: string; pod: string },
  probeSpec: object,
): Promise<void> {
  const manifest = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name },
        spec: {
          failurePolicy: 'Fail',
          matchConstraints: {
            resourceRules: [
              {
                apiGroups: ['kernel.gossip.io'],
                apiVersions: ['*'],
                operations: ['CREATE', 'UPDATE'],
                resources: ['kernelwhispers'],
              },
            ],
          },
          validations: [
            {
              expression: "object.spec.pod_name != 'p-policy'",
              message: 'refused by a test policy',
              reason: 'Invalid',
            },
          ],
        },
      },
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name },
        spec: {
          policyName: name,
          validationActions: ['Deny'],
          matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': target.namespace } } },
        },
      },
    ],
  };
  const applied = await kubectlRun(['apply', '-f', '-'], JSON.stringify(manifest));
  if (applied.code !== 0) throw new Error(applied.stderr);
  const probe = JSON.stringify({
    apiVersion: 'kernel.gossip.io/v1alpha1',
    kind: 'KernelWhisper',
    metadata: { name: 'probe', namespace: target.namespace },
    spec: probeSpec,
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const dryRun = await kubectlRun(['create', '--dry-run=server', '-f', '-'], probe);
    if (dryRun.code !== 0 && dryRun.stderr.includes(name)) return;
    if (dryRun.code !== 0) throw new Error(`the probe is refused for another reason: ${dryRun.stderr}`);
    if (Date.now() > deadline) throw new Error('the admission policy did not take effect within 30 s');
  }
}
