import { describe, expect, it } from 'vitest';
import { isJson, parseMediaType } from '../../../lib/http/media-type.js';

describe('parseMediaType (RFC 9110 §8.3.1)', () => {
  it.each([
    ['application/json', 'application/json', {}],
    ['application/json;charset=UTF-8', 'application/json', { charset: 'UTF-8' }],
    ['APPLICATION/JSON ; Charset = "utf-8"', 'application/json', { charset: 'utf-8' }],
    ['Application/CloudEvents+JSON;charset=utf-8;', 'application/cloudevents+json', { charset: 'utf-8' }],
    ['text/json; q="a;b"; x=1', 'text/json', { q: 'a;b', x: '1' }],
    ['application/json;\tcharset=utf-8', 'application/json', { charset: 'utf-8' }],
    ['application/json;;charset=utf-8', 'application/json', { charset: 'utf-8' }],
    ['application/vnd.kernel+json; v="\\"1\\""', 'application/vnd.kernel+json', { v: '"1"' }],
  ])('reads %s', (header, essence, parameters) => {
    const parsed = parseMediaType(header);
    expect(parsed).toMatchObject({ essence });
    expect(typeof parsed === 'object' ? Object.fromEntries(parsed.parameters) : parsed).toEqual(parameters);
  });

  it.each([[undefined], [''], ['   ']])('treats %j as absent', (header) => {
    expect(parseMediaType(header)).toBeUndefined();
  });

  it.each([['json'], ['application/'], ['application/json/x'], ['application /json'], ['a/b; charset'], ['a/b; c="x']])(
    'refuses %j as not a media type',
    (header) => {
      expect(parseMediaType(header)).toBe('invalid');
    },
  );
});

describe('isJson (CloudEvents JSON format §3.1.1)', () => {
  it.each([
    ['application/json', true],
    ['application/json; charset=UTF-8', true],
    ['application/json; charset=utf8', true],
    ['text/json', true],
    ['application/cloudevents+json', true],
    ['application/vnd.kernel+json', true],
    ['application/json; charset=iso-8859-1', false],
    ['application/json; charset=utf-16', false],
    ['application/jsonx', false],
    ['application/json-seq', false],
    ['text/plain', false],
  ])('%s is JSON: %s', (header, json) => {
    const parsed = parseMediaType(header);
    expect(typeof parsed === 'object' && isJson(parsed)).toBe(json);
  });
});
