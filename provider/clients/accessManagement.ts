// Access Management management API client, after RWS's published OpenAPI document: users (read,
// PUT; they come from sign-in), service accounts, their client secrets (generateClientSecret,
// PUT expiresAt, DELETE), ApiResources, System/userInfo. Runs as the provider's own identity,
// which needs Tridion.AccessManagement.Administrator. Every id is an int32 (the document's type):
// each id in an answer is checked before it is used, since ids go into URLs (`isInt32`).
import { requireSetting } from "../config";
import { clip, registerSecret } from "../errors/redaction";
import { TridionError, unlessNotFound } from "../errors/tridionError";
import type { AxiosResponse } from "axios";
import type { HttpRequest } from "../http/httpClient";
import type { OperationContext } from "./errorTranslation";
import type { RouteKey } from "./routes";
import type { Session } from "./session";
import type { Identity } from "./tokens";
import { ACCESS_MANAGEMENT, AM_AUDIENCE, ROLE_AM_ADMIN } from "./tridionApis";

/** A link to another object by id; `name` comes back in answers and is never sent. */
export interface Link {
  id: number;
  name?: string | null;
}

export interface AccessControlEntry {
  apiResources?: Link[] | null;
  apiResourceRoles?: Link[] | null;
  applications?: Link[] | null;
}

/** A client secret as accounts list it: the value is a placeholder except right after generation. */
export interface ClientSecret {
  id: number;
  clientSecret?: string;
  expiresAt: string;
  lastLoginAt?: string | null;
}

interface AccountFields {
  id: number;
  name: string;
  clientId?: string | null;
  createdAt?: string;
  modifiedAt?: string;
  lastLoginAt?: string | null;
  clientSecrets?: ClientSecret[] | null;
  accessControlEntry?: AccessControlEntry | null;
}

export type ServiceAccount = AccountFields;

export interface User extends AccountFields {
  email?: string | null;
  language?: string | null;
  region?: string | null;
  subject: string;
  identityProvider: Link;
  identityProviderKey: string;
  isEnabled?: boolean;
}

export type Account = User | ServiceAccount;
export type AccountKind = "user" | "serviceAccount";

export interface ApiResource {
  id: number;
  key: string;
  name: string;
  roles?: Array<{ id: number; key: string; name: string }> | null;
}

export interface UserInfo {
  name?: string | null;
  subject?: string | null;
  roles?: string[] | null;
  isAnonymous?: boolean;
}

const ROUTES: Record<AccountKind, { list: RouteKey; one: RouteKey; generate: RouteKey; secret: RouteKey; noun: string }> = {
  user: { list: "users", one: "user", generate: "userGenerateSecret", secret: "userSecret", noun: "user" },
  serviceAccount: {
    list: "serviceAccounts",
    one: "serviceAccount",
    generate: "serviceAccountGenerateSecret",
    secret: "serviceAccountSecret",
    noun: "service account",
  },
};

const SERVICE = ACCESS_MANAGEMENT;

/** What a PUT of a user sends: the writable fields, those the identity provider owns unchanged. */
export function userUpdateBody(user: User, accessControlEntry: AccessControlEntry): Record<string, unknown> {
  return {
    name: user.name,
    email: user.email ?? null,
    language: user.language ?? null,
    region: user.region ?? null,
    subject: user.subject,
    identityProvider: { id: user.identityProvider.id },
    identityProviderKey: user.identityProviderKey,
    isEnabled: user.isEnabled ?? true,
    accessControlEntry: linksOnly(accessControlEntry),
  };
}

/** What a POST or PUT of a service account sends. */
export function serviceAccountBody(
  name: string,
  clientId: string | null | undefined,
  accessControlEntry: AccessControlEntry,
): Record<string, unknown> {
  return { name, ...(clientId ? { clientId } : {}), accessControlEntry: linksOnly(accessControlEntry) };
}

/** Links carry only their id in a request (`name` is read only). */
function linksOnly(entry: AccessControlEntry): AccessControlEntry {
  const ids = (links: Link[] | null | undefined) => (links ?? []).map((l) => ({ id: l.id }));
  return { apiResources: ids(entry.apiResources), apiResourceRoles: ids(entry.apiResourceRoles), applications: ids(entry.applications) };
}

export class AccessManagementClient {
  private readonly base: string;
  readonly identity: Identity;
  /** Access Management's clock as its last answer's Date header told it, and our clock then. */
  private lastDate?: { server: number; local: number };

  constructor(
    private readonly session: Session,
    readonly kind: AccountKind,
  ) {
    this.base = requireSetting(session.settings, "accessManagementUrl", "reach Access Management");
    this.identity = session.defaultIdentity(`manage ${ROUTES[kind].noun}s in Access Management`);
  }

  /** The Access Management authority (its base URL). */
  get authority(): string {
    return this.base;
  }

  private get r() {
    return ROUTES[this.kind];
  }

  private url(key: RouteKey, params: { id?: number; secretId?: number } = {}): string {
    for (const [name, value] of Object.entries(params)) {
      if (value !== undefined && !isInt32(value)) {
        throw new TridionError(
          "UNSAFE_ID",
          `Refusing to call ${this.session.routes.template(key)} with ${name} = ${shown(value)}: an Access Management id is an integer (int32), and this one would put the call on another URL than the ${this.r.noun}'s.`,
          {
            fix: "if the value came from Pulumi state, run `pulumi refresh` (or remove the resource from the state with `pulumi state delete` and adopt it again); ids come only from Access Management's answers.",
          },
        );
      }
    }
    return this.session.routes.url(this.base, key, params);
  }

  private ctx(action: string, extra: Partial<OperationContext> = {}): Omit<OperationContext, "identity"> {
    return { action, service: SERVICE, neededRole: ROLE_AM_ADMIN, audience: AM_AUDIENCE, ...extra };
  }

  /** Every call of this client, through the session; the Date header of each answer is noted (serverNow). */
  private async send<T>(identity: Identity, request: HttpRequest, ctx: Omit<OperationContext, "identity">): Promise<AxiosResponse<T>> {
    const res = await this.session.call<T>(identity, request, ctx);
    const date = Date.parse(String((res.headers as Record<string, unknown> | undefined)?.date ?? ""));
    if (Number.isFinite(date)) this.lastDate = { server: date, local: Date.now() };
    return res;
  }

  /**
   * Now on Access Management's clock: our clock corrected by how far its last answer's Date header
   * was off (our own clock before any answer). A build agent's skewed clock then decides nothing.
   * The header has whole seconds: the server's time was within the second it names, so a clock
   * inside that second is not off at all.
   */
  serverNow(): number {
    if (!this.lastDate) return Date.now();
    const { server, local } = this.lastDate;
    const skew = local >= server && local < server + 1000 ? 0 : server + 500 - local;
    return Date.now() + skew;
  }

  /** Fail before any write if the provider identity cannot manage accounts. */
  preflight(action: string): Promise<void> {
    return this.session.preflight(this.identity, ROLE_AM_ADMIN, { action, service: SERVICE, audience: AM_AUDIENCE });
  }

  async list(): Promise<Account[]> {
    const res = await this.send<Account[]>(this.identity, { url: this.url(this.r.list) }, this.ctx(`list the ${this.r.noun}s`));
    const action = `list the ${this.r.noun}s`;
    if (!Array.isArray(res.data)) throw unexpectedAnswer(action, "a JSON array");
    res.data.forEach((account, i) => checkAccount(account, `[${i}]`, action));
    return res.data;
  }

  get(id: number): Promise<Account | undefined> {
    const action = `read the ${this.r.noun} ${id}`;
    return unlessNotFound(async () =>
      checkAccount((await this.send<Account>(this.identity, { url: this.url(this.r.one, { id }) }, this.ctx(action))).data, "", action),
    );
  }

  /** POST a service account (201, Location names it). Not retried blindly: see the resource. */
  async create(body: Record<string, unknown>): Promise<Account> {
    const res = await this.send<Account>(
      this.identity,
      { url: this.url(this.r.list), method: "POST", data: body },
      this.ctx(`create the ${this.r.noun} "${String(body.name)}"`),
    );
    return checkAccount(res.data, "", `create the ${this.r.noun} "${String(body.name)}"`);
  }

  /** PUT takes the whole object. `name`: the account's name now (the body may rename it). */
  async update(id: number, body: Record<string, unknown>, name = String(body.name)): Promise<Account> {
    const res = await this.send<Account>(
      this.identity,
      { url: this.url(this.r.one, { id }), method: "PUT", data: body },
      this.ctx(`update the ${this.r.noun} "${name}" (id ${id})`),
    );
    // PUT may answer 204 with no body: only an answer that is an object is checked.
    return res.data && typeof res.data === "object"
      ? checkAccount(res.data, "", `update the ${this.r.noun} "${name}" (id ${id})`)
      : res.data;
  }

  /** Delete the account; false when it was already gone. */
  async delete(id: number): Promise<boolean> {
    return (
      (await unlessNotFound(() =>
        this.send(this.identity, { url: this.url(this.r.one, { id }), method: "DELETE" }, this.ctx(`delete the ${this.r.noun} ${id}`)),
      )) !== undefined
    );
  }

  /** A new secret (no body: the server picks its value and expiry); its value is returned only here. */
  async generateSecret(id: number): Promise<ClientSecret & { clientSecret: string }> {
    const res = await this.send<ClientSecret & { clientSecret: string }>(
      this.identity,
      { url: this.url(this.r.generate, { id }), method: "POST" },
      this.ctx(`generate a client secret for the ${this.r.noun} ${id}`, {
        badRequest: { explain: "Access Management holds at most two client secrets per account." },
      }),
    );
    const secret: unknown = res.data;
    if (secret && typeof secret === "object") registerSecret((secret as { clientSecret?: unknown }).clientSecret as string);
    const action = `generate a client secret for the ${this.r.noun} ${id}`;
    if (!secret || typeof secret !== "object") throw unexpectedAnswer(action, "a client secret (a JSON object)");
    const { clientSecret } = secret as { clientSecret?: unknown };
    if (typeof clientSecret !== "string" || clientSecret.length === 0) {
      throw unexpectedAnswer(action, "a client secret whose clientSecret is its value (a non-empty string)");
    }
    checkId((secret as { id?: unknown }).id, "id", action, "generateClientSecret");
    return res.data;
  }

  /** Shorten a secret's expiry (PUT is idempotent, so it is retried like a GET). */
  async setSecretExpiry(id: number, secretId: number, expiresAt: string): Promise<ClientSecret> {
    const res = await this.send<ClientSecret>(
      this.identity,
      { url: this.url(this.r.secret, { id, secretId }), method: "PUT", data: { expiresAt } },
      this.ctx(`set the expiry of the client secret ${secretId} of the ${this.r.noun} ${id}`),
    );
    const answer: unknown = res.data;
    if (answer && typeof answer === "object" && (answer as { id?: unknown }).id !== undefined) {
      checkId((answer as { id?: unknown }).id, "id", `set the expiry of the client secret ${secretId} of the ${this.r.noun} ${id}`);
    }
    return res.data;
  }

  /** Revoke a secret; false when it was already gone. */
  async revokeSecret(id: number, secretId: number): Promise<boolean> {
    return (
      (await unlessNotFound(() =>
        this.send(
          this.identity,
          { url: this.url(this.r.secret, { id, secretId }), method: "DELETE" },
          this.ctx(`revoke the client secret ${secretId} of the ${this.r.noun} ${id}`),
        ),
      )) !== undefined
    );
  }

  /** The APIs and their roles (read once per session): role keys become link ids through it. */
  apiResources(): Promise<ApiResource[]> {
    let known = apiResourcesBySession.get(this.session);
    if (!known) {
      known = this.session
        .call<ApiResource[]>(this.identity, { url: this.url("apiResources") }, this.ctx("list the APIs and their roles (ApiResources)"))
        .then((res) => {
          const action = "list the APIs and their roles (ApiResources)";
          if (!Array.isArray(res.data) || res.data.some((r) => typeof r?.key !== "string")) {
            throw unexpectedAnswer(action, "a JSON array of {id, key, name, roles}");
          }
          res.data.forEach((api, i) => {
            checkId(api.id, `[${i}].id`, action);
            if (Array.isArray(api.roles)) api.roles.forEach((role, j) => checkId(role?.id, `[${i}].roles[${j}].id`, action));
          });
          return res.data;
        });
      known.catch(() => apiResourcesBySession.delete(this.session));
      apiResourcesBySession.set(this.session, known);
    }
    return known;
  }
}

const apiResourcesBySession = new WeakMap<Session, Promise<ApiResource[]>>();

function unexpectedAnswer(action: string, expected: string): TridionError {
  return new TridionError("UNEXPECTED_ANSWER", `Cannot ${action}: Access Management answered, but not with ${expected}.`, {
    fix: "check that tridion:accessManagementUrl is the Access Management authority (e.g. https://host/access-management) and that tridion:routes matches your installation.",
  });
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** An id as RWS's OpenAPI document types every Access Management id: an integer, int32. */
export function isInt32(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX;
}

/** A value from an answer, short and as JSON (it may be anything a server sends). */
function shown(value: unknown): string {
  return value === undefined ? "nothing" : clip(JSON.stringify(value) ?? String(value), 40);
}

/**
 * Refuse an id from an answer that is not an int32: ids go into URLs, and an id such as ".."
 * would put the next call on another URL (the account's own, say).
 */
function checkId(value: unknown, field: string, action: string, answer = "answer"): void {
  if (isInt32(value)) return;
  throw new TridionError(
    "UNEXPECTED_ANSWER",
    `Cannot ${action}: Access Management's ${answer} holds ${field} = ${shown(value)}, which is not an id as its OpenAPI document types ids (an integer from ${INT32_MIN} to ${INT32_MAX}). ` +
      "The provider puts ids into URLs, so it uses nothing from this answer.",
    {
      fix: "check that tridion:accessManagementUrl is the Access Management authority and that nothing between (a proxy, a gateway) rewrites its answers, then run the command again.",
    },
  );
}

const LINK_LISTS = ["apiResources", "apiResourceRoles", "applications"] as const;

/** Every id in an account (user or service account) answer, checked; the account, typed. */
function checkAccount(value: unknown, at: string, action: string): Account {
  if (!value || typeof value !== "object" || Array.isArray(value)) throw unexpectedAnswer(action, "an account (a JSON object)");
  const account = value as Record<string, unknown>;
  const field = (name: string) => (at ? `${at}.${name}` : name);
  checkId(account.id, field("id"), action);
  const secrets = account.clientSecrets;
  if (Array.isArray(secrets))
    secrets.forEach((s, i) => checkId((s as { id?: unknown } | null)?.id, field(`clientSecrets[${i}].id`), action));
  else if (secrets !== undefined && secrets !== null) throw unexpectedAnswer(action, "an account whose clientSecrets is a list");
  const entry = account.accessControlEntry as Record<string, unknown> | null | undefined;
  if (entry && typeof entry === "object") {
    for (const list of LINK_LISTS) {
      const links = entry[list];
      if (Array.isArray(links))
        links.forEach((l, i) => checkId((l as { id?: unknown } | null)?.id, field(`accessControlEntry.${list}[${i}].id`), action));
    }
  }
  for (const link of ["identityProvider", "createdBy", "modifiedBy"]) {
    const linked = account[link] as { id?: unknown } | null | undefined;
    if (linked && typeof linked === "object" && linked.id !== undefined) checkId(linked.id, field(`${link}.id`), action);
  }
  return value as Account;
}
