import { inject } from 'vitest';
import { EVENT_TYPE } from '../../../lib/events/types.js';
import { deployLocally } from '../../eventing/deploy.js';
import type { LocalObject, LocalTargets } from '../../eventing/local-manifests.js';
import { binaryEvent, type HttpFixture, throttleData } from '../../fixtures/events.js';

/** The Broker's name in knative/20-broker.yaml. */
export const BROKER = 'kernel-gossip';

/** Our Broker, Triggers and PingSource from knative/ in `targets.namespace`, made local, and `extra`, once Ready. */
export function deployKernelGossip(targets: LocalTargets, extra: readonly LocalObject[] = []): Promise<void> {
  return deployLocally(eventingTarget(), targets, extra);
}

export function eventingTarget(): { kubectlPath: string; kubeconfigPath: string } {
  return { kubectlPath: inject('kubectl'), kubeconfigPath: inject('kubeconfig') };
}

/** POSTs an event to a Broker as an observer does; resolves to the ingress's status once delivery has ended. */
export async function postToBroker(namespace: string, fixture: HttpFixture, broker = BROKER): Promise<number> {
  const response = await fetch(`${inject('eventingIngress')}/${namespace}/${broker}`, {
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

/**
 * An observer's throttle event for `pod`, observed now: after the pod was created, since
 * an older time belongs to an earlier pod of that name (docs/design.md).
 */
export function throttleObserved(
  target: { readonly namespace: string; readonly pod: string },
  id: string,
  extra: Record<string, unknown> = {},
): HttpFixture {
  const data = {
    ...throttleData,
    namespace: target.namespace,
    pod_name: target.pod,
    timestamp: new Date().toISOString(),
  };
  return observerEvent(binaryEvent(EVENT_TYPE.cpuThrottle, { ...data, ...extra }, id));
}
