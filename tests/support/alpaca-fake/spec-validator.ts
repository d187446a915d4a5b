/**
 * Validates HTTP requests and answers against Alpaca's OpenAPI 3.0 spec with Ajv: the path and
 * method must exist, path and query parameters must match their declared schemas (no undeclared
 * query parameters, required ones present), and a JSON body must match the requestBody schema with
 * no property the schema does not list. Answers are checked against the schema of their status.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { isObject, type JsonObject, toJsonSchema } from './openapi-schema.ts';

const REF_BASE = 'https://alpaca.fake/schemas/';

/** An operation of the spec matched by a request. */
export interface RouteMatch {
  /** The spec's path template, e.g. /v2/orders/{order_id}. */
  template: string;
  params: Record<string, string>;
}

/** A request as the validator sees it. */
export interface CheckedRequest {
  method: string;
  pathname: string;
  query: URLSearchParams;
  /** The raw body ('' when none) and its content type. */
  body: string;
  contentType: string | undefined;
}

/** The outcome of validating a request: the route when there is one, and every problem found. */
export interface RequestCheck {
  route: RouteMatch | undefined;
  errors: string[];
}

interface Template {
  template: string;
  pattern: RegExp;
  names: string[];
  item: JsonObject;
}

/** Alpaca's spec, ready to validate against. */
export class SpecValidator {
  private readonly ajv: Ajv;
  private readonly templates: Template[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly spec: JsonObject) {
    this.ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictTuples: false });
    addFormats.default(this.ajv);
    this.ajv.addFormat('decimal', /^-?\d+(\.\d+)?$/);
    this.ajv.addFormat('ulid', /^[0-9A-HJKMNP-TV-Z]{26}$/);
    this.ajv.addFormat('int64', { type: 'number', validate: Number.isInteger });
    this.ajv.addFormat('double', { type: 'number', validate: Number.isFinite });
    const schemas = child(child(spec, 'components'), 'schemas');
    for (const [name, schema] of Object.entries(schemas)) {
      this.ajv.addSchema({ ...toJsonSchema(schema, { refBase: REF_BASE }), $id: `${REF_BASE}${name}` });
    }
    this.templates = Object.entries(child(spec, 'paths'))
      .map(([template, item]) => compileTemplate(template, isObject(item) ? item : {}))
      .sort((a, b) => a.names.length - b.names.length);
  }

  /** Loads the spec from a JSON file. */
  static fromFile(path: string | URL): SpecValidator {
    const spec: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (!isObject(spec)) throw new Error('the spec is not a JSON object');
    return new SpecValidator(spec);
  }

  /** The spec operation for a method and path, or undefined when the spec has none. */
  match(method: string, pathname: string): RouteMatch | undefined {
    for (const { template, pattern, names, item } of this.templates) {
      const found = pattern.exec(pathname);
      if (!found || !isObject(item[method.toLowerCase()])) continue;
      const params: Record<string, string> = {};
      names.forEach((name, index) => {
        params[name] = decodeURIComponent(found[index + 1] ?? '');
      });
      return { template, params };
    }
    return undefined;
  }

  /** Every way `request` departs from the spec. */
  checkRequest(request: CheckedRequest): RequestCheck {
    const route = this.match(request.method, request.pathname);
    if (!route) return { route, errors: [`${request.method} ${request.pathname} is not in the spec`] };
    const operation = this.operation(request.method, route.template);
    const errors = [...this.checkParameters(request, route), ...this.checkBody(request, route, operation)];
    return { route, errors };
  }

  /** Every way an answer departs from the schema the spec gives for its status. */
  checkResponse(method: string, template: string, status: number, body: unknown): string[] {
    const responses = child(this.operation(method, template), 'responses');
    const declared = this.resolve(responses[String(status)] ?? responses.default, 'responses');
    const schema = child(child(declared, 'content'), 'application/json').schema;
    if (schema === undefined) return [];
    return this.validate(`${method} ${template} ${status}`, schema, body, 'response', false);
  }

  /** Compiles the schemas of these operations now, so no request pays for it (and times out). */
  prepare(operations: readonly (readonly [method: string, template: string])[]): void {
    for (const [method, template] of operations) {
      const operation = this.operation(method, template);
      for (const status of Object.keys(child(operation, 'responses'))) {
        if (/^\d+$/.test(status)) this.checkResponse(method, template, Number(status), null);
      }
      const requestBody = this.resolve(operation.requestBody, 'requestBodies');
      const schema = child(child(requestBody, 'content'), 'application/json').schema;
      if (schema !== undefined) this.validate(`${method} ${template} body`, schema, null, 'body', true);
    }
  }

  private operation(method: string, template: string): JsonObject {
    return child(child(child(this.spec, 'paths'), template), method.toLowerCase());
  }

  private checkParameters(request: CheckedRequest, route: RouteMatch): string[] {
    const item = child(child(this.spec, 'paths'), route.template);
    const declared = [
      ...asArray(item.parameters),
      ...asArray(this.operation(request.method, route.template).parameters),
    ]
      .map((parameter) => this.resolve(parameter, 'parameters'))
      .filter((parameter) => typeof parameter.name === 'string');
    const errors: string[] = [];
    const queryNames = new Set<string>();
    for (const parameter of declared) {
      const name = String(parameter.name);
      const key = `${request.method} ${route.template} ${parameter.in} ${name}`;
      const schema = isObject(parameter.schema) ? parameter.schema : {};
      let values: string[];
      if (parameter.in === 'path') values = [route.params[name] ?? ''];
      else if (parameter.in === 'query') {
        queryNames.add(name);
        values = request.query.getAll(name);
      } else continue;
      if (values.length === 0) {
        if (parameter.required === true) errors.push(`query parameter ${name} is required`);
        continue;
      }
      const value = this.coerce(schema, values, parameter.explode !== false);
      if (value === undefined) errors.push(`${parameter.in} parameter ${name} is given more than once`);
      else errors.push(...this.validate(key, schema, value, `${parameter.in} parameter ${name}`, false));
    }
    for (const name of new Set(request.query.keys())) {
      if (!queryNames.has(name)) errors.push(`query parameter ${name} is not in the spec`);
    }
    return errors;
  }

  private checkBody(request: CheckedRequest, route: RouteMatch, operation: JsonObject): string[] {
    const requestBody = this.resolve(operation.requestBody, 'requestBodies');
    const schema = child(child(requestBody, 'content'), 'application/json').schema;
    if (request.body === '') return requestBody.required === true ? ['a JSON body is required'] : [];
    if (schema === undefined) return ['a body was sent where the spec declares none'];
    if (!request.contentType?.toLowerCase().startsWith('application/json')) {
      return [`the body's content type is ${request.contentType ?? 'missing'}, not application/json`];
    }
    let json: unknown;
    try {
      json = JSON.parse(request.body);
    } catch {
      return ['the body is not JSON'];
    }
    return this.validate(`${request.method} ${route.template} body`, schema, json, 'body', true);
  }

  /** A query or path value typed as its schema says; undefined when a single value is repeated. */
  private coerce(schema: JsonObject, values: string[], explode: boolean): unknown {
    const type = this.resolve(schema, 'schemas').type;
    if (type === 'array') {
      const items = explode ? values : values.flatMap((value) => value.split(','));
      const itemType = this.resolve(child(this.resolve(schema, 'schemas'), 'items'), 'schemas').type;
      return items.map((item) => scalar(itemType, item));
    }
    if (values.length > 1) return undefined;
    return scalar(type, values[0] ?? '');
  }

  private validate(key: string, schema: unknown, data: unknown, what: string, closed: boolean): string[] {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(schema, { refBase: REF_BASE, closeObjects: closed }));
      this.compiled.set(key, validate);
    }
    if (validate(data)) return [];
    return (validate.errors ?? []).map((error) => {
      const extra = isObject(error.params) ? ` ${JSON.stringify(error.params)}` : '';
      return `${what}${error.instancePath} ${error.message ?? 'is invalid'}${extra}`;
    });
  }

  /** A spec object, following a local $ref into #/components/<section>. */
  private resolve(value: unknown, section: string): JsonObject {
    if (!isObject(value)) return {};
    const ref = value.$ref;
    if (typeof ref !== 'string') return value;
    const prefix = `#/components/${section}/`;
    if (!ref.startsWith(prefix)) throw new Error(`unsupported $ref ${ref} where ${section} are expected`);
    return child(child(child(this.spec, 'components'), section), ref.slice(prefix.length));
  }
}

function compileTemplate(template: string, item: JsonObject): Template {
  const names: string[] = [];
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1];
      if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(name);
      return '([^/]+)';
    })
    .join('');
  return { template, pattern: new RegExp(`^${source}$`), names, item };
}

function scalar(type: unknown, value: string): unknown {
  if (type === 'integer' && /^-?\d+$/.test(value)) return Number(value);
  if (type === 'number' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function child(value: unknown, key: string): JsonObject {
  if (!isObject(value)) return {};
  const found = value[key];
  return isObject(found) ? found : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
