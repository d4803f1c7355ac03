import { describe, expect, it } from 'vitest';
import { KnativeServiceSchema, SinkBindingSchema } from './knative-schemas.js';
import { funcEnvs, loadManifests, NAMESPACE, ofKind, parseAs, readFuncYaml } from './manifests.js';
import { envProblems, SWEEP_SETTINGS } from './settings.js';

/**
 * The workloads in knative/ (the sweep and the dead-letter sink) and the SinkBinding:
 * settings the sweep reads, identity, probes and scale, checked where Knative's webhook
 * would (it does not run in the test API server) or where only we know the contract.
 */

const manifests = loadManifests();
const services = ofKind(manifests, 'Service').map((m) => parseAs(KnativeServiceSchema, m.object, m.file));
const sweep = services.find((s) => s.metadata.name === 'kernel-gossip-sweep');
const deadLetter = services.find((s) => s.metadata.name === 'kernel-gossip-dead-letter');
const sweepContainer = sweep?.spec.template.spec.containers[0];
const serviceAccounts = ofKind(manifests, 'ServiceAccount').map((m) => m.object.metadata);
const PING_PERIOD_SECONDS = 300;

describe('the sweep Knative Service', () => {
  it('exists, with its own ServiceAccount shipped beside it', () => {
    expect(sweep?.spec.template.spec.serviceAccountName).toBe('kernel-gossip-sweep');
    expect(serviceAccounts).toContainEqual(
      expect.objectContaining({ name: 'kernel-gossip-sweep', namespace: NAMESPACE }),
    );
  });

  it('sets only settings the sweep reads, with values its config accepts', () => {
    expect(envProblems(sweepContainer?.env ?? [], SWEEP_SETTINGS)).toEqual([]);
    expect(sweepContainer?.env).toContainEqual({ name: 'KERNEL_GOSSIP_FUNCTION', value: 'sweep' });
  });

  it('agrees with the ingest function on the settings both read', () => {
    const ingestEnv = new Map(funcEnvs().map(({ name, value }) => [name, value]));
    const shared = (sweepContainer?.env ?? []).filter(
      ({ name }) =>
        ingestEnv.has(name) &&
        !['KERNEL_GOSSIP_FUNCTION', 'FIELD_MANAGER', 'AUTH_AUDIENCE', 'AUTH_SUBJECTS'].includes(name),
    );
    expect(shared.map((e) => e.name).sort()).toEqual([
      'ALLOWED_NAMESPACES',
      'AUTH_REQUIRED',
      'LOG_LEVEL',
      'MONITOR_POLICY',
      'SKIP_NAMESPACES',
    ]);
    for (const { name, value } of shared) expect(value, name).toBe(ingestEnv.get(name));
  });

  it('probes the same health endpoints as the ingest function, on the serving port', () => {
    expect(sweepContainer?.readinessProbe?.httpGet.path).toBe('/health/readiness');
    expect(sweepContainer?.livenessProbe?.httpGet.path).toBe('/health/liveness');
    expect(readFuncYaml()).toMatchObject({
      deploy: { healthEndpoints: { readiness: '/health/readiness', liveness: '/health/liveness' } },
    });
  });

  it('runs one sweep at a time, each ending before the next ping, and scales to zero', () => {
    const spec = sweep?.spec.template.spec;
    expect(spec?.containerConcurrency).toBe(1);
    expect(spec?.timeoutSeconds).toBeLessThan(PING_PERIOD_SECONDS);
    expect(sweep?.spec.template.metadata.annotations).toEqual({
      'autoscaling.knative.dev/min-scale': '0',
      'autoscaling.knative.dev/max-scale': '1',
    });
  });

  it('has no CPU limit (a CFS quota would throttle it) and a memory limit above its request', () => {
    expect(sweepContainer?.resources.limits).not.toHaveProperty('cpu');
    expect(sweepContainer?.resources.limits.memory).toBe('384Mi');
    expect(sweepContainer?.resources.requests.memory).toBe('128Mi');
  });
});

describe('cluster-local services', () => {
  it.each(['kernel-gossip-sweep', 'kernel-gossip-dead-letter'])(
    '%s is reachable only from inside the cluster',
    (name) => {
      const service = services.find((s) => s.metadata.name === name);
      expect(service?.metadata.labels?.['networking.knative.dev/visibility']).toBe('cluster-local');
    },
  );

  it('runs the dead-letter sink without an API token', () => {
    expect(deadLetter?.spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(deadLetter?.spec.template.spec.serviceAccountName).toBeUndefined();
  });
});

describe('the kernel-observer SinkBinding', () => {
  const bindings = ofKind(manifests, 'SinkBinding').map((m) => parseAs(SinkBindingSchema, m.object, m.file));

  it('gives DaemonSets labelled app: kernel-observer the Broker as K_SINK', () => {
    expect(bindings.map((b) => ({ subject: b.spec.subject, sink: b.spec.sink }))).toEqual([
      {
        subject: { apiVersion: 'apps/v1', kind: 'DaemonSet', selector: { matchLabels: { app: 'kernel-observer' } } },
        sink: { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'kernel-gossip' } },
      },
    ]);
  });

  it('sits in a namespace that SinkBinding inclusion mode also covers', () => {
    const namespace = ofKind(manifests, 'Namespace').find((m) => m.object.metadata.name === NAMESPACE);
    expect(bindings.map((b) => b.metadata.namespace)).toEqual([NAMESPACE]);
    expect(namespace?.object.metadata.labels?.['bindings.knative.dev/include']).toBe('true');
  });
});
