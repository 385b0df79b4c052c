// Provider settings: stack config (delivered by configure(), never captured in __provider) with
// environment-variable fallbacks. Resolved lazily, so a missing setting fails only the operation
// that needs it, with an error naming both the config key and the env var.
import * as fs from "node:fs";
import { registerCredentials } from "../errors/redaction";
import { TridionError } from "../errors/tridionError";
import { parseRouteOverrides, RouteOverrides } from "./routeProfile";
import { checkUrlTransport } from "./transport";

import type { SettingSpec } from "./settingSpec";

export type { SettingSpec } from "./settingSpec";

export const SETTINGS = {
  accessManagementUrl: {
    key: "tridion:accessManagementUrl",
    env: "TRIDION_ACCESS_MANAGEMENT_URL",
    example: "https://sites.example.com/access-management",
  },
  addonsUrl: { key: "tridion:addonsUrl", env: "TRIDION_ADDONS_URL", example: "https://sites.example.com:83/addon" },
  clientId: { key: "tridion:clientId", env: "TRIDION_CLIENT_ID", example: "<client id>" },
  clientSecret: { key: "tridion:clientSecret", env: "TRIDION_CLIENT_SECRET", secret: true, example: "<client secret>" },
  routes: { key: "tridion:routes", env: "TRIDION_ROUTES", example: '{"addons":"/api/v1/addons"}' },
  caCertificate: { key: "tridion:caCertificate", env: "TRIDION_CA_CERTIFICATE", example: "/etc/ssl/tridion-ca.pem" },
  allowInsecureHttp: { key: "tridion:allowInsecureHttp", env: "TRIDION_ALLOW_INSECURE_HTTP", example: "true" },
  requestTimeoutSeconds: { key: "tridion:requestTimeoutSeconds", env: "TRIDION_REQUEST_TIMEOUT_SECONDS", example: "60" },
  productVersion: { key: "tridion:productVersion", env: "TRIDION_PRODUCT_VERSION", example: "9.6" },
  tokenAuthMethod: { key: "tridion:tokenAuthMethod", env: "TRIDION_TOKEN_AUTH_METHOD", example: "client_secret_basic" },
  maxRetries: { key: "tridion:maxRetries", env: "TRIDION_MAX_RETRIES", example: "4" },
  retryBaseDelayMs: { key: "tridion:retryBaseDelayMs", env: "TRIDION_RETRY_BASE_DELAY_MS", example: "250" },
  pollIntervalMs: { key: "tridion:pollIntervalMs", env: "TRIDION_POLL_INTERVAL_MS", example: "500" },
  proxy: { key: "tridion:proxy", env: "TRIDION_PROXY", example: "http://proxy.example.com:3128" },
  verifyTimeoutSeconds: { key: "tridion:verifyTimeoutSeconds", env: "TRIDION_VERIFY_TIMEOUT_SECONDS", example: "60" },
} satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;

/** Where raw values come from: `config.get("tridion:x")` then `process.env`. */
export type ConfigSource = (key: string) => string | undefined;

export type TokenAuthMethod = "client_secret_basic" | "client_secret_post";

export interface ProviderSettings {
  accessManagementUrl?: string;
  addonsUrl?: string;
  clientId?: string;
  clientSecret?: string;
  routes: RouteOverrides;
  /** PEM text of extra trusted CA certificates. */
  caCertificate?: string;
  allowInsecureHttp: boolean;
  requestTimeoutMs: number;
  /** "9" | "10" when set; otherwise detected from the service. */
  productVersion?: "9" | "10";
  /** Forced token endpoint authentication; otherwise chosen from discovery (basic preferred). */
  tokenAuthMethod?: TokenAuthMethod;
  maxRetries: number;
  /** First backoff step before a retry (it doubles per attempt, with jitter). */
  retryBaseDelayMs: number;
  /** First pause while waiting for an add-on to activate (it grows by half per poll). */
  pollIntervalMs: number;
  /** A proxy URL for every call, or "direct"; unset = HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
  proxy?: string;
  /** How long a new client secret (or a role change) may take to show in a token before `up` gives up on it. */
  verifyTimeoutMs: number;
}

export function howToSet(spec: SettingSpec): string {
  const cmd = `pulumi config set ${spec.secret ? "--secret " : ""}${spec.key} ${spec.example}`;
  return `\`${cmd}\` (or the environment variable ${spec.env})`;
}

function invalid(spec: SettingSpec, value: string, why: string): TridionError {
  const shown = spec.secret ? "[secret]" : JSON.stringify(value);
  return new TridionError("SETTING_INVALID", `Provider setting ${spec.key} (env ${spec.env}) is ${shown}: ${why}.`, {
    fix: `${howToSet(spec)}.`,
    details: { setting: spec.key, env: spec.env },
  });
}

function parseProxy(value: string): string {
  if (value === "direct") return value;
  // The password is known before anything can quote the value: a message names the setting,
  // never what it holds.
  const { user, password } = proxyCredentials(value);
  registerCredentials(user, password);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(SETTINGS.proxy, redactProxyPassword(value), 'expected a proxy URL such as http://proxy.example.com:3128, or "direct"');
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw invalid(SETTINGS.proxy, redactProxyPassword(value), "expected an http:// or https:// proxy URL");
  }
  // As the proxy agents send it (Proxy-Authorization: Basic of the decoded user:password).
  registerCredentials(safeDecode(url.username), safeDecode(url.password));
  return value;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The user and password of a proxy URL as written, parsable or not: the user information runs
 * from "//" to the last "@" (a password may hold "@", "/" or ":"), the user to its first ":".
 */
function proxyCredentials(value: string): { user?: string; password?: string; start: number; end: number } {
  const start = value.indexOf("//");
  const end = value.lastIndexOf("@");
  if (start < 0 || end < start + 2) return { start: -1, end: -1 };
  const info = value.slice(start + 2, end);
  const colon = info.indexOf(":");
  if (colon < 0) return { start: -1, end: -1 };
  return { user: info.slice(0, colon), password: info.slice(colon + 1), start: start + 2 + colon + 1, end };
}

/** A proxy URL with its password (if any) shown as [secret], whatever characters it holds. */
export function redactProxyPassword(value: string): string {
  const { start, end } = proxyCredentials(value);
  return start < 0 ? value : `${value.slice(0, start)}[secret]${value.slice(end)}`;
}

function parseBoolean(spec: SettingSpec, value: string | undefined): boolean {
  if (value === undefined || value === "") return false;
  const v = value.trim().toLowerCase();
  if (["true", "1", "yes"].includes(v)) return true;
  if (["false", "0", "no"].includes(v)) return false;
  throw invalid(spec, value, "expected true or false");
}

function parsePositiveNumber(spec: SettingSpec, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw invalid(spec, value, `expected a number from ${min} to ${max}`);
  return n;
}

function parseProductVersion(value: string | undefined): "9" | "10" | undefined {
  if (value === undefined || value === "") return undefined;
  const major = value.trim().split(".")[0];
  if (major === "9" || major === "10") return major;
  throw invalid(SETTINGS.productVersion, value, 'expected "9.5", "9.6" or "10" (or leave it unset to detect it)');
}

function loadCaCertificate(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const spec = SETTINGS.caCertificate;
  if (value.includes("-----BEGIN CERTIFICATE-----")) return value;
  let text: string;
  try {
    text = fs.readFileSync(value.trim(), "utf8");
  } catch (e) {
    throw invalid(spec, value, `it is neither PEM text nor a readable file (${(e as NodeJS.ErrnoException).code ?? "unreadable"})`);
  }
  if (!text.includes("-----BEGIN CERTIFICATE-----"))
    throw invalid(spec, value, "the file holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
  return text;
}

/** Read and validate every setting. Required ones are checked by `requireSetting` at use. */
export function resolveSettings(source: ConfigSource): ProviderSettings {
  const raw = (name: SettingName): string | undefined => {
    const spec = SETTINGS[name];
    const v = source(spec.key);
    return v !== undefined && v !== "" ? v : process.env[spec.env] || undefined;
  };
  const allowInsecureHttp = parseBoolean(SETTINGS.allowInsecureHttp, raw("allowInsecureHttp"));
  const settings: ProviderSettings = {
    accessManagementUrl: raw("accessManagementUrl")?.trim().replace(/\/+$/, ""),
    addonsUrl: raw("addonsUrl")?.trim().replace(/\/+$/, ""),
    clientId: raw("clientId")?.trim(),
    clientSecret: raw("clientSecret"),
    routes: {},
    caCertificate: loadCaCertificate(raw("caCertificate")),
    allowInsecureHttp,
    requestTimeoutMs: parsePositiveNumber(SETTINGS.requestTimeoutSeconds, raw("requestTimeoutSeconds"), 60, 1, 3600) * 1000,
    productVersion: parseProductVersion(raw("productVersion")),
    maxRetries: parsePositiveNumber(SETTINGS.maxRetries, raw("maxRetries"), 4, 0, 10),
    retryBaseDelayMs: parsePositiveNumber(SETTINGS.retryBaseDelayMs, raw("retryBaseDelayMs"), 250, 1, 60_000),
    pollIntervalMs: parsePositiveNumber(SETTINGS.pollIntervalMs, raw("pollIntervalMs"), 500, 10, 60_000),
    verifyTimeoutMs: parsePositiveNumber(SETTINGS.verifyTimeoutSeconds, raw("verifyTimeoutSeconds"), 60, 0, 3600) * 1000,
  };
  const routes = raw("routes");
  if (routes) {
    try {
      settings.routes = parseRouteOverrides(routes);
    } catch (e) {
      throw invalid(SETTINGS.routes, routes, (e as Error).message);
    }
  }
  const proxy = raw("proxy")?.trim();
  if (proxy) settings.proxy = parseProxy(proxy);
  const method = raw("tokenAuthMethod");
  if (method) {
    if (method !== "client_secret_basic" && method !== "client_secret_post") {
      throw invalid(SETTINGS.tokenAuthMethod, method, "expected client_secret_basic or client_secret_post");
    }
    settings.tokenAuthMethod = method;
  }
  for (const name of ["accessManagementUrl", "addonsUrl"] as const) {
    const url = settings[name];
    if (url) checkUrlTransport(url, SETTINGS[name], allowInsecureHttp);
  }
  return settings;
}

/** A setting the current operation cannot do without. */
export function requireSetting<K extends "accessManagementUrl" | "addonsUrl" | "clientId" | "clientSecret">(
  settings: ProviderSettings,
  name: K,
  purpose: string,
): string {
  const value = settings[name];
  if (value) return value;
  const spec = SETTINGS[name];
  throw new TridionError("SETTING_MISSING", `Missing provider setting ${spec.key}: it is needed to ${purpose}.`, {
    fix: `${howToSet(spec)}.`,
    details: { setting: spec.key, env: spec.env },
  });
}
