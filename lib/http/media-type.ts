/**
 * Content-Type headers read as RFC 9110 §8.3.1 defines them: type, subtype and
 * parameter names are case-insensitive, whitespace around ";" and "=" is
 * optional, and a parameter value may be a quoted string. So
 * `application/json;charset=UTF-8` (the Java/Spring default) and
 * `Application/CloudEvents+JSON; charset="utf-8"` are what they say.
 */
export type MediaType = {
  /** `type/subtype`, lower case, without parameters. */
  readonly essence: string;
  readonly type: string;
  readonly subtype: string;
  /** Parameter names in lower case; values as sent (unquoted). */
  readonly parameters: ReadonlyMap<string, string>;
};

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The parsed header, `undefined` when absent or empty, `'invalid'` when not a media type. */
export function parseMediaType(header: string | undefined): MediaType | 'invalid' | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const [essence = '', ...rest] = splitParameters(header);
  const [type = '', subtype = '', extra] = essence.trim().split('/');
  if (extra !== undefined || !TOKEN.test(type) || !TOKEN.test(subtype)) return 'invalid';
  const parameters = new Map<string, string>();
  for (const parameter of rest) {
    if (parameter.trim() === '') continue;
    const eq = parameter.indexOf('=');
    const name = parameter.slice(0, eq).trim().toLowerCase();
    const value = unquote(parameter.slice(eq + 1).trim());
    if (eq < 0 || !TOKEN.test(name) || value === undefined) return 'invalid';
    parameters.set(name, value);
  }
  return {
    essence: `${type}/${subtype}`.toLowerCase(),
    type: type.toLowerCase(),
    subtype: subtype.toLowerCase(),
    parameters,
  };
}

/**
 * JSON as the CloudEvents JSON format defines it (§3.1.1): a subtype `json` or
 * ending in `+json`, for any type, in UTF-8 (RFC 8259 §8.1: JSON exchanged
 * between systems is UTF-8; a charset naming anything else is not JSON we read).
 */
export function isJson(mediaType: MediaType): boolean {
  const charset = mediaType.parameters.get('charset')?.toLowerCase();
  const utf8 = charset === undefined || charset === 'utf-8' || charset === 'utf8';
  return utf8 && (mediaType.subtype === 'json' || mediaType.subtype.endsWith('+json'));
}

/** Splits at ";" outside quoted strings. */
function splitParameters(header: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const char = header[i];
    if (quoted && char === '\\') {
      current += char + (header[i + 1] ?? '');
      i++;
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (char === ';' && !quoted) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

/** A token, or a quoted-string with its backslash escapes undone (RFC 9110 §5.6.4). */
function unquote(value: string): string | undefined {
  if (TOKEN.test(value)) return value;
  const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(value);
  return quoted?.[1]?.replace(/\\(.)/g, '$1');
}
