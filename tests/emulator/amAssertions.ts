// Assertions shared by the emulator's Access Management tests: its error answers (an
// errorMessage body for 400/404/500, an empty body for 401/403 and unknown routes), and a check of
// answers against the emulator's own component schemas (emulator/accessManagement/schemas.ts).
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import type { ExecutionContext } from "ava";
import type { AxiosResponse } from "axios";
import { componentSchemas } from "../../emulator/accessManagement/schemas";

export interface ErrorMessage {
  code: string;
  message: string;
  localizedMessage: string;
  target: string | null;
  details: ErrorMessage[] | null;
  innerError?: unknown;
  stackTrace?: string | null;
}

/**
 * A 400/404/500 of Access Management: application/json with {"errorMessage": {...}}, the code, and
 * (when given) the target and a message pattern. Returns the errorMessage.
 */
export function amError(
  t: ExecutionContext,
  res: AxiosResponse,
  status: 400 | 404 | 500,
  code: string,
  target?: string | null,
  message?: RegExp,
): ErrorMessage {
  t.is(res.status, status, JSON.stringify(res.data));
  t.regex(String(res.headers["content-type"]), /^application\/json/);
  const error = (res.data as { errorMessage?: ErrorMessage })?.errorMessage;
  if (!error) {
    t.fail(`no errorMessage in ${JSON.stringify(res.data)}`);
    return {} as ErrorMessage;
  }
  t.deepEqual(Object.keys(res.data as object), ["errorMessage"]);
  t.is(error.code, code, error.message);
  if (target !== undefined) t.is(error.target, target, error.message);
  if (message) t.regex(error.message, message);
  t.is(error.localizedMessage, error.message);
  return error;
}

/** An answer without a body (ASP.NET Core's 401/403 and unknown routes). */
export function emptyAnswer(t: ExecutionContext, res: AxiosResponse, status: number, message?: string) {
  t.is(res.status, status, message);
  t.is(res.data, "", message);
  // 204 No Content carries no Content-Length; the others say 0.
  t.is(res.headers["content-length"], status === 204 ? undefined : "0", message);
  t.is(res.headers["content-type"], undefined, message);
}

const base = "https://emulator.invalid/access-management/schemas/";

/** ajv (strict) holding every component schema, references resolved among them. */
function buildAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  for (const [name, schema] of Object.entries(componentSchemas)) {
    ajv.addSchema({
      ...JSON.parse(JSON.stringify(schema).replace(/"#\/components\/schemas\/(\w+)"/g, (_m, ref: string) => `"${base}${ref}"`)),
      $id: base + name,
    });
  }
  return ajv;
}

let shared: Ajv | undefined;
const cache = new Map<string, ValidateFunction>();

/**
 * A validator for an answer: a component name, [name] for a list of them, or an OpenAPI schema
 * object whose references point at #/components/schemas (as the emulator's document has them).
 */
export function schemaValidator(schema: string | [string] | Record<string, unknown>): ValidateFunction {
  shared ??= buildAjv();
  const key = JSON.stringify(schema);
  let validate = cache.get(key);
  if (!validate) {
    const ref = (name: string) => ({ $ref: base + name });
    const resolved =
      typeof schema === "string"
        ? ref(schema)
        : Array.isArray(schema)
          ? { type: "array", items: ref(schema[0]) }
          : JSON.parse(JSON.stringify(schema).replace(/"#\/components\/schemas\/(\w+)"/g, (_m, name: string) => `"${base}${name}"`));
    validate = shared.compile(resolved);
    cache.set(key, validate);
  }
  return validate;
}

/** Asserts that `body` matches the schema (no property the schema lacks, every required one). */
export function matchesSchema(t: ExecutionContext, schema: string | [string] | Record<string, unknown>, body: unknown, message = "") {
  const validate = schemaValidator(schema);
  const ok = validate(body);
  t.true(ok, `${message} ${JSON.stringify(schema)}: ${JSON.stringify(validate.errors)} in ${JSON.stringify(body).slice(0, 600)}`);
}
