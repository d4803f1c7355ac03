import { describe, expect, it } from 'vitest';
import { shippedSettings } from './function-settings.js';
import { PingSourceSchema, TriggerSchema } from './knative-schemas.js';
import { findKey, loadManifests, NAMESPACE, ofKind, parseAs, readFuncYaml } from './manifests.js';
import { oidcServiceAccountName, serviceAccountSubject } from './oidc-identity.js';

/**
 * Sender identity as deployed: every Trigger asks for the token its function requires,
 * and each function allows exactly its Triggers' identities (plus the observer posting to
 * the ingest directly, and the sweep's own ServiceAccount for a person's sweep).
 */
const manifests = loadManifests();
const triggers = ofKind(manifests, 'Trigger').map((m) => parseAs(TriggerSchema, m.object, m.file));
const pingSources = ofKind(manifests, 'PingSource').map((m) => parseAs(PingSourceSchema, m.object, m.file));
const settingsOf: Record<string, ReadonlyMap<string, string>> = {
  'kernel-gossip-ingest': shippedSettings('kernel-gossip-ingest'),
  'kernel-gossip-sweep': shippedSettings('kernel-gossip-sweep'),
};
const triggerSubject = (name: string) =>
  serviceAccountSubject(NAMESPACE, oidcServiceAccountName('eventing.knative.dev', 'Trigger', name));

describe('Knative OIDC identities', () => {
  it.each([
    // Computed with knative.dev/pkg kmeta.ChildName (the version eventing v0.49.2 requires).
    ['kernel-gossip-sweep', 'kernel-gossip-sweep-oidc-eventing.knative.dev-trigger'],
    ['kernel-gossip-ingest-cpu-throttle', 'kernel-gossip-ingest-cpu-thrott834820900d2caa6b5ea5ef0c39153995'],
    ['kernel-gossip-ingest-pod-creation', 'kernel-gossip-ingest-pod-creatid46d994082f331513d3627bd84c31e15'],
    ['exactly-twenty-nine-chars-xxx', 'exactly-twenty-nine-chars-xxx-oidc-eventing.knative.dev-trigger'],
    [
      'kernel-gossip-sweep-schedule-long-name-beyond',
      'kernel-gossip-sweep-schedule-lo4f3f5fb4c0e7e0614115ee604a6d8ec2',
    ],
  ])('names the ServiceAccount of Trigger %s as Knative does', (trigger, serviceAccount) => {
    expect(oidcServiceAccountName('eventing.knative.dev', 'Trigger', trigger)).toBe(serviceAccount);
  });
});

describe('sender identity in the manifests', () => {
  it('has every Trigger ask for the audience its function requires', () => {
    for (const trigger of triggers) {
      const settings = settingsOf[trigger.spec.subscriber.ref.name];
      expect(settings?.get('AUTH_REQUIRED'), trigger.metadata.name).toBe('true');
      expect(trigger.spec.subscriber.audience, trigger.metadata.name).toBe(settings?.get('AUTH_AUDIENCE'));
    }
  });

  it.each([
    ['kernel-gossip-ingest', serviceAccountSubject(NAMESPACE, 'kernel-observer')],
    ['kernel-gossip-sweep', serviceAccountSubject(NAMESPACE, 'kernel-gossip-sweep')],
  ])('lets %s hear from its Triggers and %s, nobody else', (fn, other) => {
    const own = triggers.filter((t) => t.spec.subscriber.ref.name === fn).map((t) => triggerSubject(t.metadata.name));
    const allowed = (settingsOf[fn]?.get('AUTH_SUBJECTS') ?? '').split(',');
    expect(allowed.sort()).toEqual([...own, other].sort());
  });

  it("has the PingSource ask for the Broker's audience", () => {
    for (const source of pingSources) {
      const { ref, audience } = source.spec.sink;
      expect(audience).toBe(`eventing.knative.dev/broker/${source.metadata.namespace}/${ref.name}`.toLowerCase());
    }
  });

  it('keeps the ingest function inside the cluster', () => {
    const labels = (readFuncYaml() as { deploy: { labels: { key: string; value: string }[] } }).deploy.labels;
    expect(labels).toContainEqual({ key: 'networking.knative.dev/visibility', value: 'cluster-local' });
  });
});

describe('the network policy', () => {
  const policies = ofKind(manifests, 'NetworkPolicy').map((m) => m.object as unknown as NetworkPolicy);
  type NetworkPolicy = {
    spec: {
      podSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] };
      policyTypes: string[];
      ingress: { from: { namespaceSelector: { matchLabels: Record<string, string> } }[] }[];
    };
  };

  it("admits only Knative Serving's data plane to every Knative Service shipped", () => {
    const services = [
      'kernel-gossip-ingest',
      ...ofKind(manifests, 'Service').map((m) => m.object.metadata.name),
    ].sort();
    expect(policies).toHaveLength(1);
    const [policy] = policies;
    const [selector, ...more] = policy?.spec.podSelector.matchExpressions ?? [];
    expect([selector?.key, selector?.operator, [...(selector?.values ?? [])].sort(), more]).toEqual([
      'serving.knative.dev/service',
      'In',
      services,
      [],
    ]);
    expect(policy?.spec.policyTypes).toEqual(['Ingress']);
    const from = policy?.spec.ingress.flatMap((rule) => rule.from.map((peer) => peer.namespaceSelector.matchLabels));
    expect(from).toEqual([
      { 'kubernetes.io/metadata.name': 'knative-serving' },
      { 'kubernetes.io/metadata.name': 'kourier-system' },
    ]);
  });

  it('pins the dead-letter sink image by digest', () => {
    const images = findKey(
      ofKind(manifests, 'Service').find((m) => m.object.metadata.name === 'kernel-gossip-dead-letter')?.object,
      'image',
    ).map((found) => found.value);
    expect(images).toEqual([expect.stringMatching(/@sha256:[0-9a-f]{64}$/)]);
  });
});
