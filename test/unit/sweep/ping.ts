/** What a Knative PingSource delivers through a Broker (binary) and what a person may send (structured). */
export type PingRequest = { readonly headers: Record<string, string>; readonly body: string };

const SOURCE = '/apis/v1/namespaces/kernel-gossip/pingsources/kernel-gossip-sweep';
const DATA = JSON.stringify({ reason: 'scheduled sweep' });

export function pingBinary(type = 'dev.knative.sources.ping'): PingRequest {
  return {
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': 'ping-1',
      'ce-source': SOURCE,
      'ce-type': type,
      'ce-time': '2024-01-01T00:05:00Z',
      'ce-knativearrivaltime': '2024-01-01T00:05:00.1Z',
    },
    body: DATA,
  };
}

export function pingStructured(): PingRequest {
  return {
    headers: { 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify({
      specversion: '1.0',
      id: 'ping-2',
      source: SOURCE,
      type: 'dev.knative.sources.ping',
      time: '2024-01-01T00:05:00Z',
      datacontenttype: 'application/json',
      data: { reason: 'scheduled sweep' },
    }),
  };
}
