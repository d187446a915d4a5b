/**
 * OpenAPI 3.0 schemas as JSON Schema for Ajv: `nullable` becomes a null type (and a null enum
 * value), `$ref`s into #/components/schemas point at the component registered under `refBase`,
 * annotations (description, example, x-...) are dropped so Ajv's strict mode holds, and `oneOf`
 * becomes `anyOf`: the spec's alternatives overlap (the activities list offers TradingActivities
 * or NonTradeActivities, and a FILL matches both), so a real answer would fail a strict oneOf.
 */

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/** True for a plain JSON object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const KEPT = new Set([
  'type',
  'enum',
  'format',
  'required',
  'maxLength',
  'minLength',
  'maximum',
  'minimum',
  'exclusiveMaximum',
  'exclusiveMinimum',
  'multipleOf',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxProperties',
  'minProperties',
  'pattern',
  'default',
]);

/** Options of the conversion. */
export interface ConvertOptions {
  /** Prefix a component name is appended to, e.g. https://alpaca.fake/schemas/ */
  refBase: string;
  /**
   * Forbid properties the schema does not list, in the schema's inline objects (not in components).
   * Stricter than the spec: used on request bodies, so a misspelt field is caught.
   */
  closeObjects?: boolean;
}

/** The JSON Schema of an OpenAPI 3.0 schema. */
export function toJsonSchema(schema: unknown, options: ConvertOptions): JsonObject {
  if (!isObject(schema)) return {};
  const ref = schema.$ref;
  if (typeof ref === 'string') return { $ref: rewriteRef(ref, options.refBase) };
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) if (KEPT.has(key)) out[key] = value;
  const convert = (child: unknown) => toJsonSchema(child, options);
  if (isObject(schema.properties)) {
    const properties: JsonObject = {};
    for (const [name, child] of Object.entries(schema.properties)) properties[name] = convert(child);
    out.properties = properties;
    if (options.closeObjects && schema.additionalProperties === undefined) out.additionalProperties = false;
  }
  if (schema.items !== undefined) out.items = convert(schema.items);
  if (isObject(schema.additionalProperties)) out.additionalProperties = convert(schema.additionalProperties);
  else if (typeof schema.additionalProperties === 'boolean')
    out.additionalProperties = schema.additionalProperties;
  if (schema.not !== undefined) out.not = convert(schema.not);
  if (Array.isArray(schema.allOf)) out.allOf = schema.allOf.map(convert);
  const alternatives = [
    ...(Array.isArray(schema.anyOf) ? schema.anyOf : []),
    ...(Array.isArray(schema.oneOf) ? schema.oneOf : []),
  ];
  if (alternatives.length > 0) out.anyOf = alternatives.map(convert);
  return schema.nullable === true ? nullable(out) : out;
}

function nullable(schema: JsonObject): JsonObject {
  if (typeof schema.type === 'string') {
    const enumValues = Array.isArray(schema.enum) ? { enum: [...schema.enum, null] } : {};
    return { ...schema, ...enumValues, type: [schema.type, 'null'] };
  }
  return { anyOf: [schema, { type: 'null' }] };
}

function rewriteRef(ref: string, refBase: string): string {
  const prefix = '#/components/schemas/';
  if (!ref.startsWith(prefix)) throw new Error(`unsupported $ref in the spec: ${ref}`);
  return `${refBase}${ref.slice(prefix.length)}`;
}
