import { describe, expect, it } from 'vitest';
import { KERNEL_WHISPER } from '../../../lib/api/group.js';
import { binaryEvent, type HttpFixture, structuredEvent, throttleData } from '../../fixtures/events.js';
import { ingestHarness, send } from '../support/ingest-app.js';

const THROTTLE = 'io.gossip.kernel.cpu_throttle.v1';
const REQUIRED = ['specversion', 'id', 'source', 'type'] as const;

function binaryWith(header: string, value: string | undefined): HttpFixture {
  const { headers, body } = binaryEvent(THROTTLE, throttleData);
  const { [header]: _dropped, ...rest } = headers;
  return { headers: value === undefined ? rest : { ...rest, [header]: value }, body };
}

function structuredWith(attribute: string, value: unknown): HttpFixture {
  const { headers, body } = structuredEvent(THROTTLE, throttleData);
  const event = JSON.parse(body) as Record<string, unknown>;
  if (value === undefined) delete event[attribute];
  else event[attribute] = value;
  return { headers, body: JSON.stringify(event) };
}

async function refused(fixture: HttpFixture): Promise<{ status: number; message: string }> {
  const { app, api } = ingestHarness();
  const response = await send(app, '/', fixture);
  const body = (await response.json()) as { message: string };
  expect(api.writes()).toEqual([]);
  return { status: response.status, message: body.message };
}

describe('the CloudEvents envelope is validated at the edge', () => {
  it.each(REQUIRED.flatMap((name) => [[name, 'absent', undefined] as const, [name, 'empty', ''] as const]))(
    'binary: ce-%s %s is a 400 naming the header',
    async (name, _case, value) => {
      const { status, message } = await refused(binaryWith(`ce-${name}`, value));
      expect(status).toBe(400);
      expect(message).toContain(
        `ce-${name}: ${value === undefined ? 'missing' : name === 'specversion' ? 'must be 1.0' : 'must not be empty'}`,
      );
    },
  );

  it.each(
    REQUIRED.flatMap((name) => [
      [name, 'absent', undefined, 'missing'] as const,
      [name, 'null', null, 'missing'] as const,
      [name, 'empty', '', name === 'specversion' ? 'must be 1.0' : 'must not be empty'] as const,
      [name, 'a number', 1, name === 'specversion' ? 'must be 1.0' : 'must be a string'] as const,
      [name, 'an object', { secret: 'x' }, name === 'specversion' ? 'must be 1.0' : 'must be a string'] as const,
    ]),
  )('structured: %s %s is a 400 naming the attribute', async (name, _case, value, problem) => {
    const { status, message } = await refused(structuredWith(name, value));
    expect(status).toBe(400);
    expect(message).toBe(`Invalid CloudEvent: ${name}: ${problem}`);
  });

  it.each([
    ['time', 'yesterday', 'time: must be an RFC 3339 timestamp'],
    ['time', 17, 'time: must be an RFC 3339 timestamp'],
    ['subject', '', 'subject: must not be empty'],
    ['subject', ['x'], 'subject: must be a string'],
    ['datacontenttype', 5, 'datacontenttype: must be a string'],
    ['datacontenttype', 'json', 'datacontenttype: must be a media type'],
    ['source', '/with space', 'source: must be a URI reference of printable characters'],
  ])('structured: %s = %j is a 400', async (name, value, issue) => {
    const { status, message } = await refused(structuredWith(name, value));
    expect(status).toBe(400);
    expect(message).toContain(issue);
  });

  it('never echoes what was sent', async () => {
    const { message } = await refused(structuredWith('id', { secret: 'hunter2' }));
    expect(message).not.toContain('hunter2');
  });

  it('refuses a specversion other than 1.0 in both modes', async () => {
    expect((await refused(binaryWith('ce-specversion', '0.3'))).status).toBe(400);
    expect((await refused(structuredWith('specversion', '1.1'))).status).toBe(400);
  });

  it.each([
    ['a ce-source with a percent-encoded space', 'ce-source', '/observer%20one'],
    ['an overlong UTF-8 encoding (binding §3.1.3.2)', 'ce-id', '%C0%A0'],
    ['a lone percent sign', 'ce-id', '100%'],
  ])('binary: refuses %s with 400', async (_case, header, value) => {
    expect((await refused(binaryWith(header, value))).status).toBe(400);
  });
});

describe('every content-type spelling of the HTTP binding is read', () => {
  it.each([
    ['binary, the Java/Spring default', binaryWith('content-type', 'application/json;charset=UTF-8')],
    ['binary, upper case', binaryWith('content-type', 'APPLICATION/JSON')],
    ['binary, quoted charset', binaryWith('content-type', 'application/json ; charset="utf-8"')],
    ['binary, a +json suffix', binaryWith('content-type', 'application/vnd.kernel-observer+json')],
    ['binary, text/json', binaryWith('content-type', 'text/json')],
    ['binary, percent-encoded subject', binaryWith('ce-subject', 'production%2Fthrottled-pod')],
    ['binary, quoted id (older senders)', binaryWith('ce-id', '"evt-1"')],
    ['binary, percent-encoded id', binaryWith('ce-id', 'evt%E2%82%AC1')],
    [
      'structured with charset, any case',
      {
        ...structuredEvent(THROTTLE, throttleData),
        headers: { 'content-type': 'Application/CloudEvents+JSON;charset=UTF-8' },
      },
    ],
    [
      'structured, datacontenttype with parameters',
      structuredWith('datacontenttype', 'Application/JSON; charset=utf-8'),
    ],
    ['structured, no datacontenttype', structuredWith('datacontenttype', undefined)],
    ['structured, subject null', structuredWith('subject', null)],
    [
      'structured, data_base64',
      (() => {
        const { headers, body } = structuredWith('data', undefined);
        const event = {
          ...JSON.parse(body),
          data_base64: Buffer.from(JSON.stringify(throttleData)).toString('base64'),
        };
        return { headers, body: JSON.stringify(event) };
      })(),
    ],
  ])('%s: 202 and applied', async (_case, fixture) => {
    const { app, api } = ingestHarness();
    const response = await send(app, '/', fixture);
    expect(response.status).toBe(202);
    expect(response.headers.get('kernel-gossip-outcome')).toBe('applied');
    expect(api.all(KERNEL_WHISPER)).toHaveLength(1);
  });

  it('binary, no content type: JSON by default (JSON format §3.1.1)', async () => {
    const { app, api } = ingestHarness();
    const { headers, body } = binaryWith('content-type', undefined);
    // A string body would get text/plain from fetch; bytes get no Content-Type at all.
    const response = await app.request('/', { method: 'POST', headers, body: new TextEncoder().encode(body) });
    expect(response.status).toBe(202);
    expect(api.all(KERNEL_WHISPER)).toHaveLength(1);
  });

  it.each([
    ['binary, Latin-1 JSON', binaryWith('content-type', 'application/json; charset=iso-8859-1'), 415],
    ['binary, text/plain', binaryWith('content-type', 'text/plain'), 415],
    ['binary, not a media type', binaryWith('content-type', 'json'), 415],
    [
      'structured, UTF-16',
      {
        ...structuredEvent(THROTTLE, throttleData),
        headers: { 'content-type': 'application/cloudevents+json; charset=utf-16' },
      },
      415,
    ],
    [
      'another event format',
      { ...structuredEvent(THROTTLE, throttleData), headers: { 'content-type': 'application/cloudevents+avro' } },
      415,
    ],
    ['structured, XML data', structuredWith('datacontenttype', 'application/xml'), 415],
    ['structured, data a JSON string', structuredWith('data', JSON.stringify(throttleData)), 400],
  ])('%s: %i', async (_case, fixture, status) => {
    expect((await refused(fixture)).status).toBe(status);
  });
});

describe('the legacy webhook reads content types the same way', () => {
  const legacy = JSON.stringify({ type: 'cpu_throttle', ...throttleData });
  it.each([
    ['application/json;charset=UTF-8', 200],
    ['Application/JSON', 200],
    ['application/json; charset=latin1', 415],
    ['text/plain', 415],
  ])('%s: %i', async (contentType, status) => {
    const { app } = ingestHarness();
    const response = await send(app, '/webhook/ebpf', { headers: { 'content-type': contentType }, body: legacy });
    expect(response.status).toBe(status);
  });
});
