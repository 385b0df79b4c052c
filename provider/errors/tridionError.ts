// The provider's one error type, for every layer (HTTP, tokens, packaging, resources): a stable
// code for code, what happened (message) and what to do about it (fix) as separate fields for
// people, structured details for machines, and the cause. Behaviour branches on codes (through the
// table in codes.ts), never on message text, so rewording a message changes nothing but the words.
// The faces (the dynamic provider, the CLI) render message and fix for people: render.ts.
import { ruleOf, type ErrorCode } from "./codes";
import { redactSecrets } from "./redaction";

export type { ErrorCode } from "./codes";

/** Transport facts of a failed request, for retry decisions (never the request: it holds the token). */
export interface TransportFacts {
  /** Node's or axios's error code, e.g. ECONNRESET, ECONNABORTED. */
  code?: string;
  retryAfter?: string;
}

export interface TridionErrorOptions {
  /** What the user can do about it (a sentence or two, without a "Fix:" label). */
  fix?: string;
  /** Facts for machines (a URL, a status, a role key, ...): plain data, never a secret. */
  details?: Record<string, unknown>;
  /** HTTP status of the answer that caused it, when there was one. */
  status?: number;
  /** What caused it (kept out of the message and of serialization: it may hold a request). */
  cause?: unknown;
  transport?: TransportFacts;
}

export class TridionError extends Error {
  readonly code: ErrorCode;
  /** What to do about it; absent only where there is nothing the user can do. */
  readonly fix?: string;
  readonly details?: Record<string, unknown>;
  readonly status?: number;
  transport?: TransportFacts;
  declare readonly cause?: unknown;

  constructor(code: ErrorCode, message: string, options: TridionErrorOptions = {}) {
    super(redactSecrets(message));
    this.name = "TridionError";
    this.code = code;
    if (options.fix !== undefined) this.fix = redactSecrets(options.fix);
    if (options.details !== undefined) this.details = redactedData(options.details) as Record<string, unknown>;
    this.status = options.status;
    this.transport = options.transport;
    // Not enumerable: a cause (an HTTP error) may carry headers with a token, and tools print an
    // error's own properties.
    Object.defineProperty(this, "cause", { value: options.cause, enumerable: false, writable: false });
    // The dynamic-provider host prints `${e}: ${e.stack}`; keep it to the message.
    Object.defineProperty(this, "stack", { value: `${this.name}: ${this.message}`, writable: true, enumerable: false });
  }
}

/** Plain data with every string passed through the secret redaction (details are printed by tools). */
function redactedData(value: unknown): unknown {
  if (typeof value === "string") return redactSecrets(value);
  if (Array.isArray(value)) return value.map(redactedData);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactedData(v)]));
  return value;
}

/**
 * A create or update that stopped part-way: the engine records `id` and `properties` as a
 * partially created resource instead of losing it, and the next `up` finishes the job.
 */
export class PartialFailure extends TridionError {
  readonly id: string;
  /** The state to record (typed per resource; plain data to the engine). */
  properties: object;
  /** What the engine shows for a partial failure (the dynamic-provider host reads `reasons`; the face renders them). */
  reasons: string[];
  /** The failure that stopped the create or update (its fix is this error's fix). */
  declare readonly cause: TridionError;

  constructor(cause: unknown, id: string, properties: object) {
    const base = toTridionError(cause);
    super(
      base.code,
      `${base.message}\nThe resource was partly created/updated (id ${id}); Pulumi keeps it in state, and the next \`pulumi up\` finishes the remaining steps.`,
      {
        fix: base.fix,
        details: base.details,
        status: base.status,
        cause: base,
        transport: base.transport,
      },
    );
    this.name = "TridionError";
    this.id = id;
    this.properties = properties;
    this.reasons = [base.message];
  }
}

/** Anything thrown, as a TridionError (ours pass through; others keep their message). */
export function toTridionError(error: unknown): TridionError {
  if (error instanceof TridionError) return error;
  return new TridionError("INTERNAL", error instanceof Error ? error.message : String(error), { cause: error });
}

/** Whether `error` is one of ours with one of these codes. */
export function hasCode(error: unknown, ...codes: ErrorCode[]): error is TridionError {
  return error instanceof TridionError && codes.includes(error.code);
}

/**
 * The identity was refused (401/403 and their token-endpoint forms): it will not change by asking
 * again in this process, and another identity may still be allowed (codes.ts, `identity: "refused"`).
 */
export function isIdentityRefused(error: unknown): error is TridionError {
  return error instanceof TridionError && ruleOf(error.code).identity === "refused";
}

/** A definite answer: a check in preview that meets it fails the preview (codes.ts, `definite`). */
export function isDefinite(error: unknown): error is TridionError {
  return error instanceof TridionError && ruleOf(error.code).definite === true;
}

/**
 * A definite answer about the deploying identity or the token it gets (codes.ts, `definite` with
 * `identity`): what a preview that looks at the identity only (AddonPackage's) fails on.
 */
export function isDefiniteAboutIdentity(error: unknown): error is TridionError {
  return isDefinite(error) && ruleOf(error.code).identity !== undefined;
}

/** Something found on the server about the account the inputs name (codes.ts, `inputFinding`). */
export function isInputFinding(error: unknown): error is TridionError {
  return error instanceof TridionError && ruleOf(error.code).inputFinding === true;
}

/** The one "not found" rule: the service answered that the object (or route) is not there. */
export function isNotFound(error: unknown): boolean {
  return hasCode(error, "NOT_FOUND");
}

/** The result of `call`, or undefined when what it asks for is not found. */
export async function unlessNotFound<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
