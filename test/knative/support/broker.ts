import { inject } from 'vitest';
import { type LocalTargets, localObjects } from '../../eventing/local-manifests.js';
import type { HttpFixture } from '../../fixtures/events.js';
import { kubectl, kubectlWithInput } from '../../integration/support/cluster.js';
import { knativeDir, yamlFilesIn } from '../../unit/packaging/manifests.js';

/** The Broker's name in knative/20-broker.yaml. */
export const BROKER = 'kernel-gossip';

/**
 * Applies our Broker, Triggers and PingSource from knative/ into `targets.namespace`, made
 * local (test/eventing/local-manifests.ts), and waits until Eventing reports each Ready.
 */
export async function deployKernelGossip(targets: LocalTargets): Promise<void> {
  const items = localObjects(yamlFilesIn(knativeDir), targets);
  await kubectlWithInput(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  const ready = ['wait', '--for=condition=Ready', '--timeout=60s', '-n', targets.namespace];
  await kubectl([...ready, 'brokers,triggers,pingsources', '--all']);
}

/** POSTs an event to the Broker as an observer does; resolves to the ingress's status once delivery has ended. */
export async function postToBroker(namespace: string, fixture: HttpFixture): Promise<number> {
  const response = await fetch(`${inject('eventingIngress')}/${namespace}/${BROKER}`, {
    method: 'POST',
    headers: fixture.headers,
    body: fixture.body,
    // Delivery, retries included, happens before the ingress answers.
    signal: AbortSignal.timeout(120_000),
  });
  await response.arrayBuffer();
  return response.status;
}

/** An observer's event: binary mode without the extensions a Broker adds on delivery. */
export function observerEvent(fixture: HttpFixture): HttpFixture {
  const headers = Object.fromEntries(
    Object.entries(fixture.headers).filter(([name]) => !name.startsWith('ce-knative')),
  );
  return { headers, body: fixture.body };
}
