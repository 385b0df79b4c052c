// Access tokens from Access Management: OIDC discovery + the client_credentials grant through
// openid-client (ESM-only, loaded at call time). One token per identity per provider process,
// cached until shortly before it expires; callers invalidate it once on a 401.
import { createHash } from "node:crypto";
import { pathToFileURL } from "node:url";
import type * as OpenIdClient from "openid-client";
import type { TokenAuthMethod } from "../config/settings";
import { isLoopbackHttp } from "../config/transport";
import { registerCredentials, registerSecret } from "../errors/redaction";
import { TridionError } from "../errors/tridionError";
import { HttpClient } from "../http/httpClient";
import { translateHttpError, translateTokenError } from "./errorTranslation";

export interface Identity {
  clientId: string;
  clientSecret: string;
}

export interface AccessToken {
  value: string;
  /** epoch ms */
  expiresAt: number;
  /** role keys from the token's `role` claim */
  roles: string[];
  audiences: string[];
  /** renew this long before expiry: a minute, or a tenth of a short lifetime */
  renewMarginMs: number;
}

// openid-client is ESM-only; a Function-wrapped import() survives tsc's CommonJS output, and an
// absolute file URL makes it resolve from this package rather than from the caller. The provider
// plugin's tarball (scripts/pack-plugin.js) carries one bundled file and no node_modules: there a
// plain import(), which the bundler resolves at build time, loads the copy inside the bundle.
declare const PULUMI_TRIDION_BUNDLED_VERSION: string | undefined;
let openIdClient: Promise<typeof OpenIdClient> | undefined;
function loadOpenIdClient(): Promise<typeof OpenIdClient> {
  if (typeof PULUMI_TRIDION_BUNDLED_VERSION === "string") return (openIdClient ??= import("openid-client"));
  const importEsm = new Function("specifier", "return import(specifier)") as (s: string) => Promise<typeof OpenIdClient>;
  openIdClient ??= importEsm(pathToFileURL(require.resolve("openid-client")).href);
  return openIdClient;
}

/** Claims of a JWT, decoded without verification (the services verify; we only read roles). */
export function decodeJwtClaims(token: string): Record<string, unknown> {
  const parts = token.split(".");
  if (parts.length < 2) return {};
  try {
    return JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** A claim that holds one value as a plain string, or several as an array (IdentityServer's way), as a list. */
export function listClaim(value: unknown): string[] {
  if (typeof value === "string") return value.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return [];
}

// Renew this long before expiry so a token does not run out in the middle of an upload.
const EXPIRY_MARGIN_MS = 60_000;

export class TokenSource {
  private metadata?: Promise<OpenIdClient.ServerMetadata>;
  private document?: Promise<OpenIdClient.ServerMetadata>;
  private readonly cache = new Map<string, Promise<AccessToken>>();
  private readonly current = new Map<string, string>();
  /** Token requests actually sent (for tests and benchmarks: one per identity). */
  requests = 0;

  constructor(
    private readonly http: HttpClient,
    private readonly authority: string,
    /** `allowInsecureHttp`: tridion:allowInsecureHttp, the opt-in to plain http beyond loopback. */
    private readonly options: { authMethod?: TokenAuthMethod; allowInsecureHttp: boolean },
  ) {}

  async get(identity: Identity): Promise<AccessToken> {
    registerCredentials(identity.clientId, identity.clientSecret);
    const key = cacheKey(identity);
    const cached = this.cache.get(key);
    if (cached) {
      const token = await cached.catch(() => undefined);
      if (token && token.expiresAt - token.renewMarginMs > Date.now()) return token;
      if (this.cache.get(key) !== cached) return this.get(identity); // someone else renewed it
    }
    const pending = this.fetch(identity);
    this.cache.set(key, pending);
    pending.then(
      (t) => {
        if (this.cache.get(key) === pending) this.current.set(key, t.value);
      },
      () => undefined,
    );
    pending.catch(() => {
      if (this.cache.get(key) === pending) this.cache.delete(key);
    });
    return pending;
  }

  /**
   * A token requested now, never the cached one: what Access Management issues for these
   * credentials at this moment (to prove that a secret just generated works). It becomes the
   * identity's cached token, so proving a secret costs no second token when it is used.
   */
  async fresh(identity: Identity): Promise<AccessToken> {
    registerCredentials(identity.clientId, identity.clientSecret);
    const token = await this.fetch(identity);
    const key = cacheKey(identity);
    this.cache.set(key, Promise.resolve(token));
    this.current.set(key, token.value);
    return token;
  }

  /** Forget a token the server rejected (401), so the next get() fetches a fresh one (once). */
  invalidate(identity: Identity, tokenValue: string): void {
    const key = cacheKey(identity);
    // Only if the cache still holds the rejected token: a parallel caller may have renewed it already.
    if (this.current.get(key) === tokenValue) {
      this.cache.delete(key);
      this.current.delete(key);
    }
  }

  private async fetch(identity: Identity): Promise<AccessToken> {
    const oidc = await loadOpenIdClient();
    let response: OpenIdClient.TokenEndpointResponse;
    try {
      const metadata = await this.serverMetadata();
      const plainHttp = this.checkTokenEndpoint(metadata.token_endpoint!, identity.clientId);
      const method = chooseAuthMethod(metadata, this.options.authMethod);
      const auth =
        method === "client_secret_basic" ? oidc.ClientSecretBasic(identity.clientSecret) : oidc.ClientSecretPost(identity.clientSecret);
      const config = new oidc.Configuration(metadata, identity.clientId, undefined, auth);
      config[oidc.customFetch] = this.fetchViaAxios();
      if (plainHttp) oidc.allowInsecureRequests(config);
      this.requests++;
      response = await oidc.clientCredentialsGrant(config);
    } catch (e) {
      throw translateTokenError(unwrapCause(e), identity.clientId, this.authority);
    }
    registerSecret(response.access_token);
    const claims = decodeJwtClaims(response.access_token);
    const lifetimeMs = (typeof response.expires_in === "number" ? response.expires_in : 300) * 1000;
    const exp = typeof claims.exp === "number" ? claims.exp * 1000 : Date.now() + lifetimeMs;
    return {
      value: response.access_token,
      expiresAt: Math.min(exp, Date.now() + lifetimeMs),
      roles: listClaim(claims.role ?? claims.roles),
      audiences: listClaim(claims.aud),
      renewMarginMs: Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 10),
    };
  }

  /**
   * Whether the token endpoint that discovery names may receive client credentials; true when it
   * is plain http that the transport rules allow: with tridion:allowInsecureHttp, or from a
   * loopback authority to a loopback endpoint (nothing crosses the network). A loopback
   * authority does not vouch for another host, nor an https one for plain http anywhere.
   */
  private checkTokenEndpoint(endpoint: string, clientId: string): boolean {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      url = new URL("about:blank");
    }
    if (url.protocol === "https:") return false;
    const where = `${this.authority.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    if (url.protocol !== "http:") {
      throw new TridionError(
        "DISCOVERY_FAILED",
        `Cannot get a token for "${clientId}": Access Management's discovery document (${where}) names the token endpoint ${JSON.stringify(endpoint)}, which is not an https URL.`,
        {
          fix: "check tridion:accessManagementUrl: it must be the Access Management authority, whose discovery names its own token endpoint.",
        },
      );
    }
    if (this.options.allowInsecureHttp) return true;
    if (isLoopbackHttp(this.authority) && isLoopbackHttp(endpoint)) return true;
    const why = isLoopbackHttp(this.authority)
      ? "the configured authority is on a loopback address, but that endpoint is not, so the credentials would cross the network unencrypted"
      : "the credentials would cross the network unencrypted";
    throw new TridionError(
      "DISCOVERY_FAILED",
      `Refusing to send the client credentials of "${clientId}" over plain http to ${url.origin}${url.pathname}, the token endpoint that Access Management's discovery document (${where}) names: ${why}.`,
      {
        fix: "configure Access Management's public origin as https (behind a TLS-terminating proxy, forward the scheme: X-Forwarded-Proto), or, if you accept the risk on a trusted network, `pulumi config set tridion:allowInsecureHttp true` (or TRIDION_ALLOW_INSECURE_HTTP=true).",
      },
    );
  }

  /**
   * The authority's discovery document, read through our HTTP client. Its issuer may differ from
   * the configured authority in letter case only (IdentityServer lower-cases it by default; Tridion
   * Docs serves Access Management under /ISHAM): that is the same authority. openid-client's own
   * discovery compares exactly, so the metadata is read here and handed to it.
   */
  private serverMetadata(): Promise<OpenIdClient.ServerMetadata> {
    this.metadata ??= this.readDiscovery();
    this.metadata.catch(() => {
      this.metadata = undefined;
    });
    return this.metadata;
  }

  private async readDiscovery(): Promise<OpenIdClient.ServerMetadata> {
    const metadata = await this.discoveryDocument();
    const mismatch = issuerMismatch(metadata, this.authority);
    if (mismatch) throw mismatch;
    return metadata;
  }

  /**
   * The discovery document as read and checked for the fields the provider needs (issuer,
   * token_endpoint), but without the issuer check, which readDiscovery adds (and `doctor` reports
   * on its own).
   */
  discoveryDocument(): Promise<OpenIdClient.ServerMetadata> {
    this.document ??= this.fetchDiscoveryDocument();
    this.document.catch(() => {
      this.document = undefined;
    });
    return this.document;
  }

  private async fetchDiscoveryDocument(): Promise<OpenIdClient.ServerMetadata> {
    let url: URL;
    try {
      url = new URL(this.authority);
    } catch {
      throw new TridionError("SETTING_INVALID", `tridion:accessManagementUrl is not a URL: ${this.authority}`, {
        fix: "set tridion:accessManagementUrl (env TRIDION_ACCESS_MANAGEMENT_URL) to the Access Management authority, e.g. https://host/access-management.",
      });
    }
    const where = `${url.href.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    const fix =
      "set tridion:accessManagementUrl (env TRIDION_ACCESS_MANAGEMENT_URL) to the Access Management authority, e.g. https://host/access-management, whose /.well-known/openid-configuration answers.";
    let data: unknown;
    try {
      const res = await this.http.send<unknown>({
        url: where,
        method: "GET",
        retry: "idempotent",
        headers: { Accept: "application/json" },
      });
      data = typeof res.data === "string" ? JSON.parse(res.data) : res.data;
    } catch (e) {
      if (e instanceof SyntaxError)
        throw new TridionError(
          "DISCOVERY_FAILED",
          `Cannot read the discovery document of Access Management (${where}): the answer is not JSON.`,
          { fix, details: { url: where } },
        );
      const status = (e as { response?: { status?: number } }).response?.status;
      if (status !== undefined && status < 500 && status !== 429) {
        throw new TridionError(
          "DISCOVERY_FAILED",
          `Cannot read the discovery document of Access Management (${where}): it answered ${status}.`,
          { fix, status, details: { url: where } },
        );
      }
      throw translateHttpError(e, { action: "read the discovery document of Access Management", service: "Access Management" });
    }
    const metadata = data as OpenIdClient.ServerMetadata | null;
    if (!metadata || typeof metadata !== "object" || typeof metadata.issuer !== "string" || typeof metadata.token_endpoint !== "string") {
      throw new TridionError(
        "DISCOVERY_FAILED",
        `Cannot use the discovery document of Access Management (${where}): it names no issuer or token_endpoint.`,
        { fix, details: { url: where } },
      );
    }
    return metadata;
  }

  /** openid-client's HTTP goes through our axios: same CA, timeout and retries. */
  private fetchViaAxios(): OpenIdClient.CustomFetch {
    return async (url, options) => {
      const body = options.body instanceof URLSearchParams ? options.body.toString() : options.body;
      try {
        const res = await this.http.send<ArrayBuffer>({
          url,
          method: options.method,
          headers: options.headers as Record<string, string>,
          data: body,
          responseType: "arraybuffer",
          retry: "idempotent", // discovery is a GET; a client_credentials grant can be repeated safely
        });
        return toFetchResponse(res.status, res.headers as Record<string, unknown>, res.data);
      } catch (e) {
        const r = (e as { response?: { status: number; headers: Record<string, unknown>; data: ArrayBuffer } }).response;
        if (r) return toFetchResponse(r.status, r.headers, r.data);
        throw e;
      }
    };
  }
}

function toFetchResponse(status: number, headers: Record<string, unknown>, data: ArrayBuffer | undefined): Response {
  const h = new Headers();
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v !== undefined && v !== null) h.set(k, Array.isArray(v) ? v.join(", ") : String(v));
  }
  const body = status === 204 || status === 304 || !data ? null : Buffer.from(data);
  return new Response(body, { status, headers: h });
}

function unwrapCause(e: unknown): unknown {
  const err = e as { cause?: unknown; error?: unknown };
  if (err && !err.error && err.cause && typeof err.cause === "object" && (err.cause as { isAxiosError?: boolean }).isAxiosError)
    return err.cause;
  return e;
}

/** The auth method of token requests: the setting, else from discovery (HTTP Basic preferred, as RFC 6749 asks). */
export function chooseAuthMethod(
  metadata: Pick<OpenIdClient.ServerMetadata, "token_endpoint_auth_methods_supported"> | undefined,
  forced: TokenAuthMethod | undefined,
): TokenAuthMethod {
  if (forced) return forced;
  const supported = metadata?.token_endpoint_auth_methods_supported;
  return !supported || supported.includes("client_secret_basic") ? "client_secret_basic" : "client_secret_post";
}

/** The error when discovery's issuer is not the configured authority (letter case and a trailing slash aside). */
export function issuerMismatch(metadata: Pick<OpenIdClient.ServerMetadata, "issuer">, authority: string): TridionError | undefined {
  let normalized = authority;
  try {
    normalized = new URL(authority).href; // a default port or an upper-case host are the same authority
  } catch {
    /* compared as written */
  }
  if (sameAuthority(metadata.issuer, normalized)) return undefined;
  const where = `${authority.replace(/\/+$/, "")}/.well-known/openid-configuration`;
  return new TridionError(
    "ISSUER_MISMATCH",
    `Access Management's discovery document (${where}) names the issuer ${metadata.issuer}, which is not the configured authority ${authority}.`,
    {
      fix: `set tridion:accessManagementUrl to ${metadata.issuer} (the authority as Access Management names itself).`,
      details: { issuer: metadata.issuer, authority },
    },
  );
}

/** Two authority URLs are the same when they differ at most in letter case and a trailing slash. */
export function sameAuthority(a: string, b: string): boolean {
  const norm = (u: string) => u.trim().replace(/\/+$/, "").toLowerCase();
  return norm(a) === norm(b);
}

function cacheKey(identity: Identity): string {
  // the secret is part of the key (rotation keeps the client id) but never stored as such
  return `${identity.clientId}\u0000${createHash("sha256").update(identity.clientSecret).digest("hex")}`;
}
