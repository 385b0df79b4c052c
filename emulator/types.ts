// Public types of the emulator: options, fault settings, request log entries.
import type { RouteKey } from "./routes";

export type ProductVersion = "9.6" | "10";

/** One burst of injected errors: the next `count` requests matching method/path answer `status`. */
export interface ErrorBurst {
  status: 500 | 502 | 503 | 429;
  count: number;
  /** HTTP method to match (any when omitted). */
  method?: string;
  /** Regular expression (source text) tested against the request path (any when omitted). */
  path?: string;
  /** Retry-After header value in seconds (429 defaults to 1). */
  retryAfterSeconds?: number;
}

/**
 * Lost answers: the next `count` requests matching method/path (after letting `skip` of them pass)
 * are carried out, but their connection closes before the response is sent, as when a proxy or
 * the network drops it. The caller cannot tell whether the write happened.
 */
export interface LostResponses {
  count: number;
  method?: string;
  path?: string;
  skip?: number;
}

/** Fault injection for reliability tests; everything is off when omitted. */
export interface FaultSettings {
  errorBursts?: ErrorBurst[];
  /** Added latency before every product request (not the test controls). */
  latencyMs?: number;
  /** Drop the TCP connection of the next `count` package uploads after `afterBytes` bytes of the file. */
  dropUploads?: { count: number; afterBytes?: number };
  /** Carry out matching requests, then close the connection instead of answering. */
  lostResponses?: LostResponses[];
  /** Carried out, then never answered: the connection stays open until the caller gives up (or is killed). */
  hangResponses?: LostResponses[];
  /** The token endpoint answers 503 temporarily_unavailable while true. */
  tokenEndpointDown?: boolean;
  /** Lifetime of newly issued tokens, overriding tokenLifetimeSeconds (e.g. 2 to expire mid-run). */
  tokenLifetimeSeconds?: number;
  /**
   * New client secrets, and new grants (an account's access written), reach the token endpoint
   * only this many milliseconds (real time) later: until then the secret is refused
   * (invalid_client) and tokens carry the access as it was before.
   */
  propagationDelayMs?: number;
}

export interface RequestLogEntry {
  time: string;
  method: string;
  path: string;
  status: number;
  /** Client id of the authenticated caller, or null. */
  identity: string | null;
  /** Set when a lostResponses fault kept the answer from the caller (the request was carried out). */
  lost?: true;
  /** Set when a hangResponses fault holds the answer back (the request was carried out). */
  hung?: true;
}

/** A user who signs in through an identity provider (see README "Users"). */
export interface SeedUser {
  name: string;
  email?: string;
  /** The identity provider's key (default "EntraId"; the emulator also knows "Windows"). */
  identityProvider?: string;
}

/** How this installation's Add-ons Service spells its JSON, statuses and forms (installations differ; emulator/README.md). */
export interface AddonsDialect {
  /** Property names of every Add-ons JSON answer (and accepted in JSON requests): "camel" (default, System.Text.Json) or "pascal" (Newtonsoft's default). */
  jsonCase?: "camel" | "pascal";
  /** Status values: "10" (default: PendingActivation, WaitingForConfiguration, Success, Failed, Disabled), "9.5" (Fail instead of Failed), "display" (as the UI shows them: "Pending Activation", "Waiting for configuration", "Success", "Failed", "Disabled"). */
  statusSpelling?: "10" | "9.5" | "display";
  /** The multipart form field of the package upload (default "file"). */
  uploadField?: string;
  /** How the configuration is sent: "json" (default: a JSON body) or "file" (a multipart file part). */
  configurationTransport?: "json" | "file";
  /** The multipart part name when configurationTransport is "file" (default "configuration"). */
  configurationField?: string;
}

export interface EmulatorOptions {
  /** Port of Access Management (and the /__emulator test controls); 0 = any free port. */
  port?: number;
  /** Port of the Add-ons Service's own listener (served under /addon); 0 = any free port. */
  addonsPort?: number;
  host?: string;
  /**
   * "self-signed": serve both listeners over HTTPS with a certificate generated at start, signed
   * by a CA generated with it (its PEM is `caCertificate` of the result). Default: plain http.
   */
  tls?: "self-signed";
  productVersion?: ProductVersion;
  dataDir?: string;
  routes?: Partial<Record<RouteKey, string>>;
  adminClientId?: string;
  adminClientSecret?: string;
  tokenLifetimeSeconds?: number;
  activationDelayMs?: number;
  maxPackageBytes?: number;
  faults?: FaultSettings;
  /** Users who sign in before the emulator serves (Access Management creates users at sign-in). */
  seedUsers?: Array<string | SeedUser>;
  /** Where Access Management lives (default /access-management; Tridion Docs uses /ISHAM). */
  accessManagementBasePath?: string;
  /**
   * Lower-case the issuer in discovery and tokens, as IdentityServer does by default
   * (LowerCaseIssuerUri): with a mixed-case base path the issuer then differs from the URL in case.
   * Default true.
   */
  lowerCaseIssuer?: boolean;
  /** How this installation's Add-ons Service spells its JSON, statuses and forms (installations differ; emulator/README.md). */
  addonsDialect?: AddonsDialect;
}

export interface Credential {
  clientId: string;
  clientSecret: string;
}

/**
 * A bootstrap credential as the emulator reports it at start. `note` says why the secret is not
 * usable as printed (revoked, expired, or set by an earlier --admin-client-secret). When the value
 * is unknown, reading `clientSecret` throws with that note and JSON shows `"clientSecret": null`.
 */
export interface BootstrapCredential extends Credential {
  note?: string;
}

export interface RunningEmulator {
  accessManagementUrl: string;
  /** The Add-ons Service: its own listener, under /addon (e.g. http://127.0.0.1:40123/addon). */
  addonsUrl: string;
  /** With `tls: "self-signed"`: the PEM of the CA that signed both listeners' certificate (for tridion:caCertificate). */
  caCertificate?: string;
  productVersion: ProductVersion;
  credentials: { admin: BootstrapCredential; addonsService: BootstrapCredential };
  requestLog(): RequestLogEntry[];
  clearRequestLog(): void;
  setFaults(f: FaultSettings): void;
  advanceClock(seconds: number): void;
  close(): Promise<void>;
}
