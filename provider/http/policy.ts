// The one place for retrying and waiting: which failures are retried, how long to wait before the
// next attempt (exponential backoff with jitter, or the server's Retry-After up to a cap), how a
// poll paces itself, and what that adds up to at worst. Every retry loop and every poll of the
// provider uses it; its numbers come from the provider settings (tridion:maxRetries,
// tridion:requestTimeoutSeconds, tridion:retryBaseDelayMs, tridion:pollIntervalMs).
import { TridionError } from "../errors/tridionError";

export interface WaitPolicy {
  /** Attempts after the first. */
  maxRetries: number;
  /** Timeout of one HTTP request. */
  requestTimeoutMs: number;
  /** First backoff step; it doubles per attempt, up to maxDelayMs, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After honoured; a longer one fails at once (its error says how long was asked). */
  maxRetryAfterMs: number;
  /** First pause of a poll; it grows by half per poll, up to pollMaxIntervalMs. */
  pollIntervalMs: number;
  pollMaxIntervalMs: number;
}

export const MAX_RETRY_AFTER_MS = 120_000;
const MAX_DELAY_MS = 10_000;
const POLL_MAX_INTERVAL_MS = 5_000;

export function waitPolicy(settings: {
  maxRetries: number;
  requestTimeoutMs: number;
  retryBaseDelayMs: number;
  pollIntervalMs: number;
}): WaitPolicy {
  return {
    maxRetries: settings.maxRetries,
    requestTimeoutMs: settings.requestTimeoutMs,
    baseDelayMs: settings.retryBaseDelayMs,
    maxDelayMs: Math.max(MAX_DELAY_MS, settings.retryBaseDelayMs),
    maxRetryAfterMs: MAX_RETRY_AFTER_MS,
    pollIntervalMs: settings.pollIntervalMs,
    pollMaxIntervalMs: Math.max(POLL_MAX_INTERVAL_MS, settings.pollIntervalMs),
  };
}

// ---- what a failure says about the server --------------------------------------------------

/**
 * What a failed request says about the server's side: it certainly did not act ("not-processed":
 * safe to send again, even a POST), it may have acted ("unclear": look before writing again), or
 * the answer is final (a 4xx, a cancelled call: do not retry).
 */
export type FailureKind = "not-processed" | "unclear" | "final";

export const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
// The server says it did not process the request: safe to repeat even a POST.
const UNPROCESSED_STATUS = new Set([429, 503]);
// The request never reached the server: safe to repeat even a POST.
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);

export function classifyFailure(status: number | undefined, code: string | undefined): FailureKind {
  if (status === undefined) {
    if (!code || code === "ERR_CANCELED") return "final";
    return NOT_SENT_CODES.has(code) ? "not-processed" : "unclear";
  }
  if (UNPROCESSED_STATUS.has(status)) return "not-processed";
  return RETRYABLE_STATUS.has(status) ? "unclear" : "final";
}

/** The kind of a failure our clients reported (anything else is final). */
export function failureKind(error: unknown): FailureKind {
  if (!(error instanceof TridionError) || (error.status === undefined && error.transport === undefined)) return "final";
  return classifyFailure(error.status, error.transport?.code);
}

/**
 * A write that failed without a clear answer (connection dropped, timeout, 500/502/504) may
 * still have been carried out: look at what the server holds before writing again.
 */
export function isAmbiguousFailure(error: unknown): boolean {
  return failureKind(error) === "unclear";
}

/** How a request may be repeated. */
export type Idempotency =
  /** GET/PUT/DELETE, and POSTs that are safe to repeat (a token request). */
  | "idempotent"
  /** Non-idempotent POST: retry only when the request certainly was not processed. */
  | "unprocessed-only"
  | "never";

export function mayRetry(kind: FailureKind, idempotency: Idempotency): boolean {
  if (idempotency === "never" || kind === "final") return false;
  return idempotency === "idempotent" || kind === "not-processed";
}

// ---- how long to wait ------------------------------------------------------------------------

/** Retry-After: delta-seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown): number | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - Date.now());
}

/** When the server asks for a longer pause than the provider waits: how long, and the cap. */
export function retryAfterTooLong(value: unknown, capMs = MAX_RETRY_AFTER_MS): { askedMs: number; capMs: number } | undefined {
  const asked = parseRetryAfter(value);
  return asked !== undefined && asked > capMs ? { askedMs: asked, capMs } : undefined;
}

/** Exponential backoff with equal jitter, which spreads the retries of resources running in parallel. */
export function backoff(policy: WaitPolicy, attempt: number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(cap / 2 + Math.random() * (cap / 2));
}

/** The pause before attempt `attempt + 1`: the server's Retry-After when it gives one (undefined past the cap: give up), else backoff. */
export function delayBeforeRetry(policy: WaitPolicy, attempt: number, retryAfter?: unknown): number | undefined {
  const asked = parseRetryAfter(retryAfter);
  if (asked !== undefined) return asked > policy.maxRetryAfterMs ? undefined : asked;
  return backoff(policy, attempt);
}

/** The pauses of a poll: pollIntervalMs, then half again each time, up to pollMaxIntervalMs. */
export function* pollPauses(policy: WaitPolicy): Generator<number, never> {
  for (let pause = policy.pollIntervalMs; ; pause = Math.min(pause * 1.5, policy.pollMaxIntervalMs)) yield pause;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---- what it adds up to ----------------------------------------------------------------------

/**
 * The longest one operation can take before it gives up, on a service that never answers well
 * (every attempt times out, every pause is the longest allowed):
 * - "call": one request with its retries: (maxRetries + 1) timeouts and maxRetries pauses of at
 *   most the Retry-After cap;
 * - "upload": each of the (maxRetries + 1) attempts is a call, and after each failure the provider
 *   looks at what the server holds (another call) before it sends again;
 * - "activation": activationTimeoutSeconds of polling, plus the call that may be under way.
 */
export function worstCaseMs(policy: WaitPolicy, operation: "call" | "upload" | "activation", activationTimeoutSeconds = 0): number {
  const call = (policy.maxRetries + 1) * policy.requestTimeoutMs + policy.maxRetries * policy.maxRetryAfterMs;
  switch (operation) {
    case "call":
      return call;
    case "upload":
      return (policy.maxRetries + 1) * (policy.requestTimeoutMs + Math.max(policy.maxDelayMs, policy.maxRetryAfterMs) + call);
    case "activation":
      return activationTimeoutSeconds * 1000 + call;
  }
}
