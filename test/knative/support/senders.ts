import { decodeJwt } from 'jose';
import * as v from 'valibot';
import { inject } from 'vitest';
import { runKubectl } from '../../controlplane/kubectl.js';
import { type LocalObject, type LocalTargets, localObjects } from '../../eventing/local-manifests.js';
import { switchSenderIdentity } from '../../eventing/sender-identity.js';
import type { HttpFixture } from '../../fixtures/events.js';
import { serviceAccountToken } from '../../integration/support/identity.js';
import { type FunctionService, shippedSettings } from '../../unit/packaging/function-settings.js';
import { knativeDir, yamlFilesIn } from '../../unit/packaging/manifests.js';
import { eventingTarget } from './broker.js';
import type { Delivery } from './servers.js';

/** Sender identity in the knative tests: switching it, the observer's token, what a delivery's token says. */

/** Knative's sender identity on or off for the whole eventing set, once every process acts on it. */
export function senderIdentity(on: boolean): Promise<void> {
  return switchSenderIdentity(
    eventingTarget(),
    { ingress: inject('eventingIngress'), filter: inject('eventingFilter') },
    on,
  );
}

/** The ServiceAccount kernel-observer posts as (func.yaml's AUTH_SUBJECTS names it for direct posts). */
export const OBSERVER = 'kernel-observer';

/** A token of the observer for a Broker's audience, as the Broker publishes it, from TokenRequest. */
export async function observerToken(namespace: string, broker: string): Promise<string> {
  const audience = await statusField(namespace, `broker/${broker}`, '{.status.address.audience}');
  return serviceAccountToken(namespace, OBSERVER, { audience, duration: '10m' });
}

/** The ServiceAccount Knative gave an object for sender identity (`status.auth`). */
export function identityOf(namespace: string, resource: string): Promise<string> {
  return statusField(namespace, resource, '{.status.auth.serviceAccountName}');
}

async function statusField(namespace: string, resource: string, path: string): Promise<string> {
  const value = await runKubectl(eventingTarget(), ['-n', namespace, 'get', resource, '-o', `jsonpath=${path}`]);
  if (value === '') throw new Error(`${resource} in ${namespace} has no ${path}`);
  return value;
}

export function withToken(fixture: HttpFixture, token: string): HttpFixture {
  return { ...fixture, headers: { ...fixture.headers, authorization: `Bearer ${token}` } };
}

/** Who sent a delivery and for whom, from its bearer token (already verified by the function, or refused by it). */
export function claimsOf(delivery: Delivery | undefined): { sub?: string; aud?: string | string[] } {
  const token = /^Bearer (.+)$/.exec(delivery?.headers.authorization ?? '')?.[1];
  if (token === undefined) return {};
  const { sub, aud } = decodeJwt(token);
  return { sub, aud };
}

/** A Broker beside ours, whose Triggers the ingest function does not trust. */
export const ELSEWHERE = 'elsewhere';
export const IMPOSTORS = { otherAudience: 'other-audience', unlisted: 'unlisted-sender' } as const;

/**
 * Our Broker under another name, and two copies of our throttle Trigger on it, each taking
 * only events of its own source: one asks for the sweep's audience instead of the ingest's
 * (a token for the other function), the other for the right audience, as a ServiceAccount
 * the ingest does not list. Delivery (retries, dead-letter sink) stays as shipped.
 */
export function impostors(targets: LocalTargets): LocalObject[] {
  const shipped = localObjects(yamlFilesIn(knativeDir), targets);
  const broker = shipped.find((object) => object.kind === 'Broker');
  const throttle = shipped.find((object) => object.metadata.name === 'kernel-gossip-ingest-cpu-throttle');
  if (broker === undefined || throttle === undefined) throw new Error('knative/ has no Broker or throttle Trigger');
  const audience = (service: FunctionService): string => {
    const shipped = shippedSettings(service).get('AUTH_AUDIENCE');
    if (shipped === undefined) throw new Error(`${service} ships without AUTH_AUDIENCE`);
    return shipped;
  };
  return [
    { ...broker, metadata: { ...broker.metadata, name: ELSEWHERE } },
    impostor(throttle, IMPOSTORS.otherAudience, audience('kernel-gossip-sweep')),
    impostor(throttle, IMPOSTORS.unlisted, audience('kernel-gossip-ingest')),
  ];
}

export const impostorSource = (name: string): string => `/kernel-observer/${name}`;

const TriggerSpecSchema = v.looseObject({
  filter: v.object({ attributes: v.record(v.string(), v.string()) }),
  subscriber: v.looseObject({}),
});

function impostor(trigger: LocalObject, name: string, audience: string): LocalObject {
  const spec = v.parse(TriggerSpecSchema, trigger.spec);
  return {
    ...trigger,
    metadata: { ...trigger.metadata, name, labels: { 'eventing.knative.dev/broker': ELSEWHERE } },
    spec: {
      ...spec,
      broker: ELSEWHERE,
      filter: { attributes: { ...spec.filter.attributes, source: impostorSource(name) } },
      subscriber: { ...spec.subscriber, audience },
    },
  };
}
