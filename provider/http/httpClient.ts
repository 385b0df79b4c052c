// HTTP transport: one axios instance per provider process with a timeout on every call, the
// custom CA, proxies, and retries as the wait policy (policy.ts) says: idempotent requests on
// network failures and 408/429/500/502/503/504; a non-idempotent POST only when the server
// says it did not process it (429/503) or the connection never opened. Uploads are never
// retried blindly here: the Add-ons client looks at what the server holds first.
import * as https from "node:https";
import * as tls from "node:tls";
import axios, { AxiosInstance, AxiosRequestConfig, AxiosResponse } from "axios";
import { classifyFailure, delayBeforeRetry, mayRetry, sleep, type Idempotency, type WaitPolicy } from "./policy";
import { ProxyRouter } from "./proxy";

export interface HttpRequest extends Omit<AxiosRequestConfig, "data"> {
  /** A body, or a factory building a fresh one per attempt (streams can be sent once). */
  data?: unknown | (() => { data: unknown; headers?: Record<string, string | number> });
  /** Default: "unprocessed-only" for POST, "idempotent" otherwise. */
  retry?: Idempotency;
}

export interface HttpOptions {
  policy: WaitPolicy;
  caCertificate?: string;
  /** tridion:proxy: a proxy URL for every call, or "direct"; unset = the proxy environment variables. */
  proxy?: string;
}

export class HttpClient {
  readonly axios: AxiosInstance;
  readonly policy: WaitPolicy;
  private readonly proxies: ProxyRouter;

  constructor(options: HttpOptions) {
    this.policy = options.policy;
    // Extra CA on top of the system roots (an on-premises CA), never instead of them. Certificates
    // are checked whatever NODE_TLS_REJECT_UNAUTHORIZED says: only tridion:caCertificate widens
    // the trust (the variable, set for some other tool, would otherwise switch the checks off).
    const ca = options.caCertificate ? [...tls.rootCertificates, options.caCertificate] : undefined;
    const httpsAgent = new https.Agent({ keepAlive: true, ca, rejectUnauthorized: true });
    this.proxies = new ProxyRouter(options.proxy, ca);
    this.axios = axios.create({
      timeout: options.policy.requestTimeoutMs,
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
    const idempotency: Idempotency = retry ?? (method === "POST" ? "unprocessed-only" : "idempotent");
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
        const wait = this.retryDelay(error, idempotency, attempt);
        if (wait === undefined) throw error;
        await sleep(wait);
      }
    }
  }

  /** Milliseconds to wait before the next attempt, or undefined when not to retry. */
  private retryDelay(error: unknown, idempotency: Idempotency, attempt: number): number | undefined {
    if (attempt >= this.policy.maxRetries || !axios.isAxiosError(error)) return undefined;
    if (!mayRetry(classifyFailure(error.response?.status, error.code), idempotency)) return undefined;
    return delayBeforeRetry(this.policy, attempt, error.response?.headers?.["retry-after"]);
  }
}
