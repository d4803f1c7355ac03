import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import * as v from 'valibot';
import { type KubectlTarget, runKubectl } from '../controlplane/kubectl.js';
import { SYSTEM_NAMESPACE } from './install.js';
import { withBrokerDefaults } from './local-manifests.js';
import { DISPATCHER_HTTP_PORT } from './processes.js';

/**
 * Switches Knative's sender identity (config-features `authentication-oidc`) on a running
 * set, as an operator does with `kubectl patch`: every Eventing process watches that
 * ConfigMap, but each learns of the change on its own, a moment apart. A canary Broker with
 * one Trigger that matches nothing shows where each process stands, and the switch returns
 * only once all of them act on the new value: the controllers give the Broker an audience
 * (mtchannel_broker), the Trigger a ServiceAccount (mtchannel_broker), its Subscription one
 * (controller) and the channel an audience (channel_controller); the ingress, the channel
 * dispatcher and the filter answer 401 to an event without a token. (The PingSource adapter
 * has no setting of its own: it sends a token when its PingSource's status names a
 * ServiceAccount, which the controller sets.)
 */
export const CANARY_NAMESPACE = 'eventing-canary';
const BROKER = 'default';
const TRIGGER = 'canary';
const FEATURE = 'authentication-oidc';
const SWITCH_TIMEOUT_MS = 60_000;

export type DataPlane = { readonly ingress: string; readonly filter: string };

/** The canary Broker and Trigger, Ready; also the first sign that a new set works at all. */
export async function createCanary(target: KubectlTarget): Promise<void> {
  await runKubectl(target, ['create', 'namespace', CANARY_NAMESPACE]);
  const metadata = { namespace: CANARY_NAMESPACE };
  const broker = { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', metadata: { ...metadata, name: BROKER } };
  const trigger = {
    apiVersion: 'eventing.knative.dev/v1',
    kind: 'Trigger',
    metadata: { ...metadata, name: TRIGGER, labels: { 'eventing.knative.dev/broker': BROKER } },
    // Matches no event, so its subscriber (discard, on a port nothing here listens on) is never dialled.
    spec: {
      broker: BROKER,
      filter: { attributes: { type: 'dev.kernel-gossip.never' } },
      subscriber: { uri: 'http://127.0.0.1:9/' },
    },
  };
  const list = { apiVersion: 'v1', kind: 'List', items: [withBrokerDefaults(broker), trigger] };
  await runKubectl(target, ['apply', '-f', '-'], JSON.stringify(list));
  const ready = ['-n', CANARY_NAMESPACE, 'wait', '--for=condition=Ready', '--timeout=60s'];
  await runKubectl(target, [...ready, `broker/${BROKER}`, `trigger/${TRIGGER}`]);
}

export async function switchSenderIdentity(target: KubectlTarget, dataPlane: DataPlane, on: boolean): Promise<void> {
  const patch = JSON.stringify({ data: { [FEATURE]: on ? 'enabled' : 'disabled' } });
  await runKubectl(target, [
    '-n',
    SYSTEM_NAMESPACE,
    'patch',
    'configmap',
    'config-features',
    '--type=merge',
    '-p',
    patch,
  ]);
  const deadline = Date.now() + SWITCH_TIMEOUT_MS;
  for (;;) {
    const behind = await lagging(target, dataPlane, on);
    if (behind.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${FEATURE}=${on ? 'enabled' : 'disabled'}: after ${SWITCH_TIMEOUT_MS} ms, still not seen by ${behind.join(', ')}`,
      );
    }
    await sleep(100);
  }
}

const CanarySchema = v.object({
  items: v.array(
    v.looseObject({
      kind: v.string(),
      metadata: v.looseObject({ uid: v.string() }),
      status: v.optional(
        v.looseObject({
          address: v.optional(v.looseObject({ url: v.optional(v.string()), audience: v.optional(v.string()) })),
          auth: v.optional(v.looseObject({ serviceAccountName: v.optional(v.string()) })),
        }),
      ),
    }),
  ),
});
type Canary = v.InferOutput<typeof CanarySchema>['items'][number];

/** The processes that do not yet act on `on`, by what the canary shows of each. */
async function lagging(target: KubectlTarget, dataPlane: DataPlane, on: boolean): Promise<string[]> {
  const kinds = 'brokers.eventing.knative.dev,triggers,subscriptions,inmemorychannels';
  const json = await runKubectl(target, ['-n', CANARY_NAMESPACE, 'get', kinds, '-o', 'json']);
  const items = v.parse(CanarySchema, JSON.parse(json)).items;
  const of = (kind: string): Canary | undefined => items.find((item) => item.kind === kind);
  const has = (value: string | undefined): boolean => value !== undefined && value !== '';
  const channel = of('InMemoryChannel')?.status?.address?.url;
  const trigger = of('Trigger');
  const probes: Array<[string, boolean | Promise<boolean>]> = [
    ['mtchannel_broker (Broker audience)', has(of('Broker')?.status?.address?.audience)],
    ['mtchannel_broker (Trigger identity)', has(trigger?.status?.auth?.serviceAccountName)],
    ['controller (Subscription identity)', has(of('Subscription')?.status?.auth?.serviceAccountName)],
    ['channel_controller (channel audience)', has(of('InMemoryChannel')?.status?.address?.audience)],
    ['ingress', demandsToken(new URL(`${dataPlane.ingress}/${CANARY_NAMESPACE}/${BROKER}`))],
    [
      'channel_dispatcher',
      // The channel's cluster address, reached as Knative reaches it: the dispatcher's port, the name in Host.
      channel === undefined
        ? !on
        : demandsToken(
            new URL(new URL(channel).pathname, `http://127.0.0.1:${DISPATCHER_HTTP_PORT}`),
            new URL(channel).host,
          ),
    ],
    [
      'filter',
      trigger === undefined
        ? !on
        : demandsToken(new URL(`${dataPlane.filter}/triggers/${CANARY_NAMESPACE}/${TRIGGER}/${trigger.metadata.uid}`)),
    ],
  ];
  const seen = await Promise.all(probes.map(async ([name, state]) => [name, await state] as const));
  return seen.filter(([, state]) => state !== on).map(([name]) => name);
}

/** Posts a canary event without a token: 401 means the process checks tokens. */
function demandsToken(url: URL, host = url.host): Promise<boolean> {
  const headers = {
    host,
    'content-type': 'application/json',
    'ce-specversion': '1.0',
    'ce-id': `canary-${Date.now()}`,
    'ce-source': '/kernel-gossip/canary',
    'ce-type': 'dev.kernel-gossip.canary',
  };
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers, timeout: 5_000, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode === 401);
    });
    request.once('timeout', () => request.destroy(new Error(`${url.host}: no answer in 5 s`)));
    request.once('error', reject);
    request.end('{}');
  });
}
