import { describe, expect, it } from 'vitest';
import { type LocalObject, localObjects } from '../../eventing/local-manifests.js';
import { knativeDir, loadManifests, yamlFilesIn } from '../packaging/manifests.js';

/**
 * Our knative/ objects as the end-to-end tests run them: changed only where a run on this
 * machine must differ (docs/design.md), everything else (filters, delivery, the PingSource's
 * data and sink) exactly as shipped.
 */
const targets = {
  namespace: 'broker-abc123',
  services: {
    'kernel-gossip-ingest': 'http://127.0.0.1:40001/',
    'kernel-gossip-sweep': 'http://127.0.0.1:40002/',
    'kernel-gossip-dead-letter': 'http://127.0.0.1:40003/',
  },
  schedule: '* * * * *',
};
const local = localObjects(yamlFilesIn(knativeDir), targets);
const shipped = loadManifests(yamlFilesIn(knativeDir)).map((manifest) => manifest.object as LocalObject);

const key = (object: { kind: string; metadata: { name: string } }): string => `${object.kind}/${object.metadata.name}`;
const shippedOf = (object: LocalObject): LocalObject | undefined => shipped.find((other) => key(other) === key(object));

describe('knative/ made local', () => {
  it('keeps the Broker, every Trigger and the PingSource, in the test namespace', () => {
    const kinds = shipped.filter((object) => ['Broker', 'Trigger', 'PingSource'].includes(object.kind)).map(key);
    expect(local.map(key)).toEqual(kinds);
    for (const object of local) expect(object.metadata.namespace).toBe(targets.namespace);
  });

  it('addresses the functions and the dead-letter sink by their local URIs, and nothing else changes in a Trigger', () => {
    for (const trigger of local.filter((object) => object.kind === 'Trigger')) {
      const original = shippedOf(trigger) as LocalObject & {
        spec: { delivery: object; subscriber: { ref: { name: string } } };
      };
      const spec = trigger.spec as { delivery: { deadLetterSink: unknown }; subscriber: unknown; filter: unknown };
      const { ref, ...rest } = original.spec.subscriber;
      expect(spec.subscriber).toEqual({ ...rest, uri: targets.services[ref.name as 'kernel-gossip-ingest'] });
      expect(spec.delivery).toEqual({ ...original.spec.delivery, deadLetterSink: { uri: 'http://127.0.0.1:40003/' } });
      expect(trigger.metadata.labels).toEqual({
        ...original.metadata.labels,
        'eventing.knative.dev/broker': 'kernel-gossip',
      });
    }
  });

  it('follows the namespace in the sweep Trigger, whose filter names the PingSource by its source', () => {
    const sweep = local.find((object) => key(object) === 'Trigger/kernel-gossip-sweep');
    expect(sweep?.spec).toMatchObject({
      filter: {
        attributes: {
          type: 'dev.knative.sources.ping',
          source: `/apis/v1/namespaces/${targets.namespace}/pingsources/kernel-gossip-sweep`,
        },
      },
    });
  });

  it('sets what Eventing’s webhook would default on the Broker, and keeps its delivery', () => {
    const broker = local.find((object) => object.kind === 'Broker');
    expect(broker?.metadata.annotations).toEqual({ 'eventing.knative.dev/broker.class': 'MTChannelBasedBroker' });
    expect(broker?.spec).toMatchObject({
      config: { kind: 'ConfigMap', name: 'config-br-default-channel', namespace: 'knative-eventing' },
      delivery: {
        retry: 5,
        backoffPolicy: 'exponential',
        backoffDelay: 'PT1S',
        deadLetterSink: { uri: 'http://127.0.0.1:40003/' },
      },
    });
  });

  it('changes only the schedule of the PingSource, and the namespace in the audience of the Broker it sends to', () => {
    const ping = local.find((object) => object.kind === 'PingSource');
    const original = (ping === undefined ? undefined : shippedOf(ping))?.spec as { sink: object };
    expect(ping?.spec).toEqual({
      ...original,
      sink: { ...original.sink, audience: `eventing.knative.dev/broker/${targets.namespace}/kernel-gossip` },
      schedule: '* * * * *',
    });
  });
});
