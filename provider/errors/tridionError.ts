// The provider's one error type: a message that is the whole story for people (what happened,
// why, the fix), a stable code for code, and the cause. Behaviour branches on codes, never on
// message text, so rewording a message changes nothing but the words.
import { redactSecrets } from "./redaction";

export type ErrorCode =
  // provider settings
  | "SETTING_MISSING"
  | "SETTING_INVALID"
  // reaching a service
  | "UNREACHABLE"
  | "TLS_UNTRUSTED"
  | "REDIRECTED"
  | "UNEXPECTED_ANSWER"
  // Access Management's discovery and token endpoint
  | "DISCOVERY_FAILED"
  | "ISSUER_MISMATCH"
  | "CREDENTIALS_REJECTED"
  | "NO_API_ACCESS"
  | "TOKEN_REFUSED"
  // the deploying identity, looked at before a call
  | "AUDIENCE_MISSING"
  | "ROLE_MISSING"
  // an answer of a service
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "TOO_LARGE"
  | "RATE_LIMITED"
  | "SERVER_ERROR"
  | "UNEXPECTED_STATUS"
  // what the provider finds on the server
  | "USER_NOT_SIGNED_IN"
  | "USER_AMBIGUOUS"
  | "USER_NOT_OF_PROVIDER"
  | "USER_DEACTIVATED"
  | "NAME_DIFFERS_IN_CASE"
  | "ACCOUNT_EXISTS"
  | "ACCOUNT_PREDEFINED"
  | "ACCOUNT_GONE"
  | "SECRET_SLOTS_FULL"
  | "UNSUPPORTED_VERSION"
  // a value that would put a call on another URL than the object's (an id of `..`, say)
  | "UNSAFE_ID"
  | "ROLE_UNKNOWN"
  | "ADDON_EXISTS"
  | "ADDON_FOREIGN_CONTENT"
  | "PACKAGE_MISMATCH"
  | "ACTIVATION_FAILED"
  | "ACTIVATION_TIMEOUT"
  // anything else our code threw
  | "INTERNAL";

/** Transport facts of a failed request, for retry decisions (never the request: it holds the token). */
export interface TransportFacts {
  /** Node's or axios's error code, e.g. ECONNRESET, ECONNABORTED. */
  code?: string;
  retryAfter?: string;
}

export interface TridionErrorOptions {
  /** HTTP status of the answer that caused it, when there was one. */
  status?: number;
  /** What caused it (kept out of the message and of serialization: it may hold a request). */
  cause?: unknown;
  transport?: TransportFacts;
}

export class TridionError extends Error {
  readonly code: ErrorCode;
  readonly status?: number;
  transport?: TransportFacts;
  declare readonly cause?: unknown;

  constructor(code: ErrorCode, message: string, options: TridionErrorOptions = {}) {
    super(redactSecrets(message));
    this.name = "TridionError";
    this.code = code;
    this.status = options.status;
    this.transport = options.transport;
    // Not enumerable: a cause (an HTTP error) may carry headers with a token, and tools print an
    // error's own properties.
    Object.defineProperty(this, "cause", { value: options.cause, enumerable: false, writable: false });
    // The dynamic-provider host prints `${e}: ${e.stack}`; keep it to the message.
    Object.defineProperty(this, "stack", { value: `${this.name}: ${this.message}`, writable: true, enumerable: false });
  }
}

/**
 * A create or update that stopped part-way: the engine records `id` and `properties` as a
 * partially created resource instead of losing it, and the next `up` finishes the job.
 */
export class PartialFailure extends TridionError {
  readonly id: string;
  /** The state to record (typed per resource; plain data to the engine). */
  properties: object;
  /** What the engine shows for a partial failure (the dynamic-provider host reads `reasons`). */
  readonly reasons: string[];

  constructor(cause: unknown, id: string, properties: object) {
    const base = toTridionError(cause);
    super(
      base.code,
      `${base.message}\nThe resource was partly created/updated (id ${id}); Pulumi keeps it in state, and the next \`pulumi up\` finishes the remaining steps.`,
      {
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
 * again in this process, and another identity may still be allowed.
 */
export function isIdentityRefused(error: unknown): error is TridionError {
  return hasCode(error, "CREDENTIALS_REJECTED", "NO_API_ACCESS", "UNAUTHORIZED", "FORBIDDEN", "ROLE_MISSING", "AUDIENCE_MISSING");
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
