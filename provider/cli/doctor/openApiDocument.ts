// Reading a service's OpenAPI 3 or Swagger 2.0 document the way doctor needs it: the operation
// of a path template whatever the service calls its parameters, `$ref`s followed, the request
// bodies by content type (Swagger 2's formData parameters as the multipart schema OpenAPI 3
// would write), the schema of a success answer, an object's properties (allOf merged) and enums.
// Nothing here knows this project's routes: that is routeMatching.ts and contractComparison.ts.

export type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);
export const isParam = (segment: string) => /^\{[^}]+\}$/.test(segment);

export const METHODS = ["get", "post", "put", "delete", "patch"] as const;
export type Method = (typeof METHODS)[number];

/** A request body or an answer of one content type. */
export interface Body {
  /** Lower case, e.g. "multipart/form-data". */
  contentType: string;
  schema?: Json;
}

const segmentsOf = (path: string) => path.split("/").filter(Boolean);

export class OpenApiDocument {
  constructor(readonly doc: Json) {}

  get paths(): Json {
    return isObject(this.doc.paths) ? this.doc.paths : {};
  }

  /** "OpenAPI 3.0.1" or "Swagger 2.0", as the document says. */
  get specification(): string {
    if (typeof this.doc.openapi === "string") return `OpenAPI ${this.doc.openapi}`;
    if (typeof this.doc.swagger === "string") return `Swagger ${this.doc.swagger}`;
    return "unknown";
  }

  /** The named schemas: OpenAPI 3's components.schemas, Swagger 2's definitions. */
  get schemas(): Json {
    const components = isObject(this.doc.components) ? this.doc.components : {};
    if (isObject(components.schemas)) return components.schemas;
    return isObject(this.doc.definitions) ? this.doc.definitions : {};
  }

  /** The document's path for a template (e.g. /api/v1/addons/{id} for /api/v1/addons/{addonId}): parameters match parameters. */
  findPath(template: string): string | undefined {
    const wanted = segmentsOf(template);
    return Object.keys(this.paths).find((path) => {
      const segments = segmentsOf(path);
      return (
        segments.length === wanted.length &&
        segments.every((s, i) => (isParam(s) ? isParam(wanted[i]) : !isParam(wanted[i]) && s.toLowerCase() === wanted[i].toLowerCase()))
      );
    });
  }

  operation(path: string, method: Method): Json | undefined {
    const item = this.paths[path];
    return isObject(item) && isObject(item[method]) ? item[method] : undefined;
  }

  /** A schema with its `$ref` followed (to the named schema), as far as the document goes. */
  resolve(schema: unknown, seen = new Set<string>()): Json | undefined {
    if (!isObject(schema)) return undefined;
    const ref = schema.$ref;
    if (typeof ref !== "string") return schema;
    const name = /^#\/(?:components\/schemas|definitions)\/(.+)$/.exec(ref)?.[1];
    if (!name || seen.has(name)) return undefined;
    seen.add(name);
    return this.resolve(this.schemas[decodeURIComponent(name.replace(/~1/g, "/").replace(/~0/g, "~"))], seen);
  }

  /** The properties of an object schema (its allOf parts merged), each resolved; empty when none are described. */
  properties(schema: unknown): Record<string, Json> {
    const resolved = this.resolve(schema);
    if (!resolved) return {};
    const out: Record<string, Json> = {};
    for (const part of Array.isArray(resolved.allOf) ? resolved.allOf : []) Object.assign(out, this.properties(part));
    if (isObject(resolved.properties)) {
      for (const [name, property] of Object.entries(resolved.properties)) {
        const p = this.resolve(property);
        if (p) out[name] = p;
      }
    }
    return out;
  }

  /** The names an object schema marks required (allOf parts included). */
  required(schema: unknown): string[] {
    const resolved = this.resolve(schema);
    if (!resolved) return [];
    const own = Array.isArray(resolved.required) ? resolved.required.filter((r): r is string => typeof r === "string") : [];
    return [...own, ...(Array.isArray(resolved.allOf) ? resolved.allOf.flatMap((p) => this.required(p)) : [])];
  }

  /** The items of an array schema, resolved. */
  items(schema: unknown): Json | undefined {
    const resolved = this.resolve(schema);
    return resolved?.type === "array" || resolved?.items ? this.resolve(resolved.items) : undefined;
  }

  /** An enum's values (a schema's own, or the one it refers to); undefined when it has none. */
  enumOf(schema: unknown): unknown[] | undefined {
    const resolved = this.resolve(schema);
    if (!resolved) return undefined;
    if (Array.isArray(resolved.enum)) return resolved.enum;
    for (const key of ["allOf", "oneOf", "anyOf"]) {
      const parts = resolved[key];
      if (Array.isArray(parts)) {
        for (const part of parts) {
          const values = this.enumOf(part);
          if (values) return values;
        }
      }
    }
    return undefined;
  }

  /** The request bodies an operation takes, one per content type (Swagger 2: consumes with its body or formData parameters). */
  requestBodies(op: Json): Body[] {
    if (isObject(op.requestBody)) {
      const content = isObject(op.requestBody.content) ? op.requestBody.content : {};
      return Object.entries(content).map(([type, media]) => ({
        contentType: type.toLowerCase(),
        schema: isObject(media) ? this.resolve(media.schema) : undefined,
      }));
    }
    const parameters = (Array.isArray(op.parameters) ? op.parameters : []).filter(isObject);
    const form = parameters.filter((p) => p.in === "formData");
    const body = parameters.find((p) => p.in === "body");
    if (!form.length && !body) return [];
    const declared = Array.isArray(op.consumes) ? op.consumes : Array.isArray(this.doc.consumes) ? this.doc.consumes : [];
    const types = declared.filter((c): c is string => typeof c === "string").map((c) => c.toLowerCase());
    if (form.length) {
      // formData parameters: the object OpenAPI 3 would write, a `type: file` one as a binary string.
      const schema: Json = {
        type: "object",
        properties: Object.fromEntries(
          form.map((p) => [String(p.name), p.type === "file" ? { type: "string", format: "binary" } : { type: p.type ?? "string" }]),
        ),
        required: form.filter((p) => p.required === true).map((p) => String(p.name)),
      };
      const formTypes = types.filter((t) => t.startsWith("multipart/") || t === "application/x-www-form-urlencoded");
      return (formTypes.length ? formTypes : ["multipart/form-data"]).map((contentType) => ({ contentType, schema }));
    }
    return (types.length ? types : ["application/json"]).map((contentType) => ({ contentType, schema: this.resolve(body!.schema) }));
  }

  /** What an operation's success answers (the first 2xx that has content), one per content type. */
  successBodies(op: Json): Body[] {
    const responses = isObject(op.responses) ? op.responses : {};
    for (const [code, response] of Object.entries(responses)) {
      if (!/^2\d\d$/.test(code) || !isObject(response)) continue;
      if (isObject(response.content)) {
        const bodies = Object.entries(response.content).map(([type, media]) => ({
          contentType: type.toLowerCase(),
          schema: isObject(media) ? this.resolve(media.schema) : undefined,
        }));
        if (bodies.length) return bodies;
      } else if (response.schema !== undefined) {
        const declared = Array.isArray(op.produces) ? op.produces : Array.isArray(this.doc.produces) ? this.doc.produces : [];
        const types = declared.filter((c): c is string => typeof c === "string").map((c) => c.toLowerCase());
        return (types.length ? types : ["application/json"]).map((contentType) => ({ contentType, schema: this.resolve(response.schema) }));
      }
    }
    return [];
  }

  /** The names of the file parts of a multipart schema (a binary string, or a Swagger 2 file). */
  fileParts(schema: unknown): string[] {
    return Object.entries(this.properties(schema))
      .filter(([, p]) => (p.type === "string" && p.format === "binary") || p.type === "file")
      .map(([name]) => name);
  }
}

export const isJsonType = (contentType: string) => /^application\/(.+\+)?json\b|^text\/json\b/.test(contentType);
export const isMultipart = (contentType: string) => contentType.startsWith("multipart/form-data");
