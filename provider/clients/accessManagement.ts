// Access Management management API client, after RWS's published OpenAPI document: users (read,
// PUT; they come from sign-in), service accounts, their client secrets (generateClientSecret,
// PUT expiresAt, DELETE), ApiResources, System/userInfo. Runs as the provider's own identity,
// which needs Tridion.AccessManagement.Administrator. Every id is an int32.
import { requireSetting } from "../config";
import { registerSecret } from "../errors/redaction";
import { TridionError, unlessNotFound } from "../errors/tridionError";
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
    return this.session.routes.url(this.base, key, params);
  }

  private ctx(action: string, extra: Partial<OperationContext> = {}): Omit<OperationContext, "identity"> {
    return { action, service: SERVICE, neededRole: ROLE_AM_ADMIN, audience: AM_AUDIENCE, ...extra };
  }

  /** Fail before any write if the provider identity cannot manage accounts. */
  preflight(action: string): Promise<void> {
    return this.session.preflight(this.identity, ROLE_AM_ADMIN, { action, service: SERVICE, audience: AM_AUDIENCE });
  }

  async list(): Promise<Account[]> {
    const res = await this.session.call<Account[]>(this.identity, { url: this.url(this.r.list) }, this.ctx(`list the ${this.r.noun}s`));
    if (!Array.isArray(res.data)) throw unexpectedAnswer(`list the ${this.r.noun}s`, "a JSON array");
    return res.data;
  }

  get(id: number): Promise<Account | undefined> {
    return unlessNotFound(
      async () =>
        (await this.session.call<Account>(this.identity, { url: this.url(this.r.one, { id }) }, this.ctx(`read the ${this.r.noun} ${id}`)))
          .data,
    );
  }

  /** POST a service account (201, Location names it). Not retried blindly: see the resource. */
  async create(body: Record<string, unknown>): Promise<Account> {
    const res = await this.session.call<Account>(
      this.identity,
      { url: this.url(this.r.list), method: "POST", data: body },
      this.ctx(`create the ${this.r.noun} "${String(body.name)}"`),
    );
    return res.data;
  }

  /** PUT takes the whole object. `name`: the account's name now (the body may rename it). */
  async update(id: number, body: Record<string, unknown>, name = String(body.name)): Promise<Account> {
    const res = await this.session.call<Account>(
      this.identity,
      { url: this.url(this.r.one, { id }), method: "PUT", data: body },
      this.ctx(`update the ${this.r.noun} "${name}" (id ${id})`),
    );
    return res.data;
  }

  /** Delete the account; false when it was already gone. */
  async delete(id: number): Promise<boolean> {
    return (
      (await unlessNotFound(() =>
        this.session.call(
          this.identity,
          { url: this.url(this.r.one, { id }), method: "DELETE" },
          this.ctx(`delete the ${this.r.noun} ${id}`),
        ),
      )) !== undefined
    );
  }

  /** A new secret (no body: the server picks its value and expiry); its value is returned only here. */
  async generateSecret(id: number): Promise<ClientSecret & { clientSecret: string }> {
    const res = await this.session.call<ClientSecret & { clientSecret: string }>(
      this.identity,
      { url: this.url(this.r.generate, { id }), method: "POST" },
      this.ctx(`generate a client secret for the ${this.r.noun} ${id}`, {
        badRequest: { explain: "Access Management holds at most two client secrets per account." },
      }),
    );
    registerSecret(res.data.clientSecret);
    return res.data;
  }

  /** Shorten a secret's expiry (PUT is idempotent, so it is retried like a GET). */
  async setSecretExpiry(id: number, secretId: number, expiresAt: string): Promise<ClientSecret> {
    const res = await this.session.call<ClientSecret>(
      this.identity,
      { url: this.url(this.r.secret, { id, secretId }), method: "PUT", data: { expiresAt } },
      this.ctx(`set the expiry of the client secret ${secretId} of the ${this.r.noun} ${id}`),
    );
    return res.data;
  }

  /** Revoke a secret; false when it was already gone. */
  async revokeSecret(id: number, secretId: number): Promise<boolean> {
    return (
      (await unlessNotFound(() =>
        this.session.call(
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
          if (!Array.isArray(res.data) || res.data.some((r) => typeof r?.id !== "number" || typeof r?.key !== "string")) {
            throw unexpectedAnswer("list the APIs and their roles (ApiResources)", "a JSON array of {id, key, name, roles}");
          }
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
  return new TridionError(
    "UNEXPECTED_ANSWER",
    `Cannot ${action}: Access Management answered, but not with ${expected}. ` +
      "Fix: check that tridion:accessManagementUrl is the Access Management authority (e.g. https://host/access-management) and that tridion:routes matches your installation.",
  );
}
