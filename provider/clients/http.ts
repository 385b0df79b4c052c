// HTTP transport: one axios instance per provider process with a timeout on every call, the
// custom CA, and retries with exponential backoff + jitter. Idempotent requests are retried on
// network failures and 408/429/500/502/503/504; a non-idempotent POST only when the server
// says it did not process it (429/503) or the connection never opened. Uploads are never
// retried blindly here: the Add-ons client looks at what the server holds first.
import * as https from "node:https";
import * as tls from "node:tls";
import axios, { AxiosInstance, AxiosRequestConfig, AxiosResponse } from "axios";
import { ProxyRouter } from "./proxy";

export type RetryPolicy =
  /** GET/PUT/DELETE/PATCH, and POSTs that are safe to repeat (a token request). */
  | "idempotent"
  /** Non-idempotent POST: retry only when the request certainly was not processed. */
  | "unprocessed-only"
  | "never";

export interface HttpRequest extends Omit<AxiosRequestConfig, "data"> {
  /** A body, or a factory building a fresh one per attempt (streams can be sent once). */
  data?: unknown | (() => { data: unknown; headers?: Record<string, string | number> });
  retry?: RetryPolicy;
}

export interface HttpOptions {
  timeoutMs: number;
  caCertificate?: string;
  /** tridion:proxy: a proxy URL for every call, or "direct"; unset = the proxy environment variables. */
  proxy?: string;
  maxRetries: number;
  /** First backoff step; doubles per attempt, with jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** Longest Retry-After honoured; a longer wait fails at once (its error says how long was asked). */
export const MAX_RETRY_AFTER_MS = 120_000;
export const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
// The server says it did not process the request: safe to repeat even a POST.
const UNPROCESSED_STATUS = new Set([429, 503]);
// The request never reached the server: safe to repeat even a POST.
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);

/**
 * What a failed request says about the server's side: it certainly did not act ("not-processed":
 * safe to send again, even a POST), it may have acted ("unclear": look before writing again), or
 * the answer is final (a 4xx, a cancelled call: do not retry).
 */
export type FailureKind = "not-processed" | "unclear" | "final";

export function classifyFailure(status: number | undefined, code: string | undefined): FailureKind {
  if (status === undefined) {
    if (!code || code === "ERR_CANCELED") return "final";
    return NOT_SENT_CODES.has(code) ? "not-processed" : "unclear";
  }
  if (UNPROCESSED_STATUS.has(status)) return "not-processed";
  return RETRYABLE_STATUS.has(status) ? "unclear" : "final";
}

export class HttpClient {
  readonly axios: AxiosInstance;
  private readonly opts: Required<Omit<HttpOptions, "caCertificate" | "proxy">>;
  private readonly proxies: ProxyRouter;

  constructor(options: HttpOptions) {
    this.opts = {
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
      baseDelayMs: options.baseDelayMs ?? Number(process.env.TRIDION_RETRY_BASE_DELAY_MS ?? 250),
      maxDelayMs: options.maxDelayMs ?? 10_000,
    };
    // Extra CA on top of the system roots (an on-premises CA), never instead of them.
    const ca = options.caCertificate ? [...tls.rootCertificates, options.caCertificate] : undefined;
    const httpsAgent = new https.Agent({ keepAlive: true, ca });
    this.proxies = new ProxyRouter(options.proxy, ca);
    this.axios = axios.create({
      timeout: options.timeoutMs,
      httpsAgent,
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
      maxRedirects: 0,
      proxy: false, // proxies go through ProxyRouter's agents (axios's own proxy cannot tunnel https)
      headers: { "User-Agent": "pulumi-tridion" },
    });
  }

  async send<T = unknown>(request: HttpRequest): Promise<AxiosResponse<T>> {
    const { retry, data, ...config } = request;
    const method = (config.method ?? "GET").toUpperCase();
    const policy: RetryPolicy = retry ?? (method === "POST" ? "unprocessed-only" : "idempotent");
    for (let attempt = 0; ; attempt++) {
      const body = typeof data === "function" ? (data as () => { data: unknown; headers?: Record<string, string | number> })() : { data };
      try {
        return await this.axios.request<T>({
          ...config,
          ...(config.url ? this.proxies.agentsFor(config.url) : undefined),
          method,
          data: body.data,
          headers: { ...(config.headers as Record<string, string> | undefined), ...(body.headers ?? {}) },
        });
      } catch (error) {
        const wait = this.retryDelay(error, policy, attempt);
        if (wait === undefined) throw error;
        await sleep(wait);
      }
    }
  }

  /** Milliseconds to wait before the next attempt, or undefined when not to retry. */
  private retryDelay(error: unknown, policy: RetryPolicy, attempt: number): number | undefined {
    if (policy === "never" || attempt >= this.opts.maxRetries || !axios.isAxiosError(error)) return undefined;
    const kind = classifyFailure(error.response?.status, error.code);
    if (kind === "final" || (policy === "unprocessed-only" && kind !== "not-processed")) return undefined;
    return this.retryWait(error.response?.headers?.["retry-after"], attempt);
  }

  /** The server's Retry-After when it gives one (undefined past the cap: give up), else backoff. */
  retryWait(retryAfter: unknown, attempt: number): number | undefined {
    const after = parseRetryAfter(retryAfter);
    if (after !== undefined) return after > MAX_RETRY_AFTER_MS ? undefined : after;
    return this.backoff(attempt);
  }

  /** Exponential backoff with jitter, with this client's base and ceiling. */
  backoff(attempt: number): number {
    return backoffDelay(attempt, this.opts.baseDelayMs, this.opts.maxDelayMs);
  }
}

/** Exponential backoff with equal jitter, which spreads the retries of resources running in parallel. */
function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
  return Math.round(cap / 2 + Math.random() * (cap / 2));
}

/** Retry-After: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: unknown): number | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - Date.now());
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
