import * as v from 'valibot';
import { rfc3339 } from './fields.js';

/**
 * The CloudEvents 1.0 context attributes we read, validated at the edge so that
 * nothing after it meets `undefined` where a string is promised. REQUIRED
 * attributes are non-empty strings; OPTIONAL ones, when present, are too
 * (CloudEvents spec §3.1, "Context Attributes"); `time` is RFC 3339. Extension
 * attributes pass through unchecked: a Broker adds its own.
 */
const attribute = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'));

/** Stored as spec.observer and logged: printable ASCII (a URI reference has no raw spaces) and bounded. */
const source = v.pipe(
  attribute,
  v.maxLength(256, 'must be at most 256 characters'),
  v.regex(/^[\x21-\x7e]+$/, 'must be a URI reference of printable characters'),
);

export const CloudEventEnvelopeSchema = v.looseObject(
  {
    specversion: v.literal('1.0', 'must be 1.0'),
    id: attribute,
    source,
    type: attribute,
    subject: v.optional(attribute),
    time: v.optional(rfc3339),
    datacontenttype: v.optional(attribute),
    dataschema: v.optional(attribute),
  },
  (issue) => (issue.expected === 'Object' ? 'must be a JSON object' : 'missing'),
);
export type CloudEventEnvelope = v.InferOutput<typeof CloudEventEnvelopeSchema>;

/** The attributes above by name, for reading them from `ce-` headers (binary mode). */
export const ENVELOPE_ATTRIBUTES = Object.keys(CloudEventEnvelopeSchema.entries);
