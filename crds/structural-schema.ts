import { toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';

type JsonSchema = { [key: string]: unknown };

/**
 * Converts a valibot schema to a CRD structural schema. The CRD rules
 * (kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema)
 * forbid `$schema`, and `additionalProperties` beside `properties`, so those are
 * dropped; unknown fields are pruned by the API server instead.
 */
export function structuralSchema(schema: v.GenericSchema): JsonSchema {
  const converted: unknown = toJsonSchema(schema, { target: 'openapi-3.0', errorMode: 'throw' });
  return clean(converted) as JsonSchema;
}

function clean(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(clean);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema') continue;
    if (key === 'additionalProperties' && 'properties' in node) continue;
    out[key] = clean(value);
  }
  return out;
}
