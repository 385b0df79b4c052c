// Access Management management API client (contract §2.1): users, service accounts, their
// client secrets, API resources. Runs as the provider's own identity, which needs
// Tridion.AccessManagement.Administrator.
import { OperationContext, ROLE_AM_ADMIN, TridionError } from "./errors";
import { registerSecret } from "./redaction";
import type { RouteKey } from "./routes";
import type { Session } from "./session";
import type { Identity } from "./tokens";
import { requireSetting } from "../config";

export interface AccessSetting { api: string; role: string }

export interface Account {
  id: string;
  name: string;
  clientId?: string;
  displayName?: string;
  email?: string;
  description?: string;
  accessSettings?: AccessSetting[];
  predefined?: boolean;
}

export interface SecretInfo { id: string; expiresAt: string; createdAt?: string; description?: string; expired?: boolean }
export interface NewSecret extends SecretInfo { clientId: string; secret: string }

export type AccountKind = "user" | "serviceAccount";

const ROUTES: Record<AccountKind, { list: RouteKey; one: RouteKey; secrets: RouteKey; secret: RouteKey; noun: string }> = {
  user: { list: "users", one: "user", secrets: "userSecrets", secret: "userSecret", noun: "user" },
  serviceAccount: { list: "serviceAccounts", one: "serviceAccount", secrets: "serviceAccountSecrets", secret: "serviceAccountSecret", noun: "service account" },
};

const SERVICE = "Access Management";

export class AccessManagementClient {
  private readonly base: string;
  readonly identity: Identity;

  constructor(private readonly session: Session, readonly kind: AccountKind) {
    this.base = requireSetting(session.settings, "accessManagementUrl", "reach Access Management");
    this.identity = session.defaultIdentity(`manage ${ROUTES[kind].noun}s in Access Management`);
  }

  private get r() { return ROUTES[this.kind]; }

  private ctx(action: string, extra: Partial<OperationContext> = {}): Omit<OperationContext, "identity"> {
    return { action, service: SERVICE, neededRole: ROLE_AM_ADMIN, ...extra };
  }

  /** Fail before any write if the provider identity cannot manage accounts. */
  preflight(action: string): Promise<void> {
    return this.session.preflight(this.identity, ROLE_AM_ADMIN, { action, service: SERVICE });
  }

  async list(): Promise<Account[]> {
    const res = await this.session.call<Account[] | { items?: Account[] }>(this.identity,
      { url: this.session.routes.url(this.base, this.r.list) }, this.ctx(`list ${this.r.noun}s`, { notFound: this.notFoundHint() }));
    return Array.isArray(res.data) ? res.data : res.data.items ?? [];
  }

  /** The account with exactly this name; one that differs only in case is an error, never a match. */
  async findByName(name: string): Promise<Account | undefined> {
    const all = await this.list();
    const exact = all.find((a) => a.name === name);
    if (exact) return exact;
    const nearly = all.find((a) => a.name.toLowerCase() === name.toLowerCase());
    if (nearly) {
      throw new TridionError(
        `Cannot use the ${this.r.noun} name "${name}": Access Management holds "${nearly.name}" (id ${nearly.id}), which differs only in case. ` +
          `Fix: write the name exactly as "${nearly.name}" (with adopt: true to take that account over), or choose a name that is clearly different.`,
        { status: 409 },
      );
    }
    return undefined;
  }

  async get(id: string): Promise<Account | undefined> {
    try {
      const res = await this.session.call<Account>(this.identity, { url: this.session.routes.url(this.base, this.r.one, { id }) }, this.ctx(`read the ${this.r.noun} ${id}`));
      return res.data;
    } catch (e) {
      if (e instanceof TridionError && e.status === 404) return undefined;
      throw e;
    }
  }

  async create(body: Record<string, unknown>): Promise<Account> {
    const res = await this.session.call<Account>(this.identity,
      { url: this.session.routes.url(this.base, this.r.list), method: "POST", data: body },
      this.ctx(`create the ${this.r.noun} "${String(body.name)}"`, { notFound: this.notFoundHint(), conflict: `A ${this.r.noun} named "${String(body.name)}" already exists. Fix: set \`adopt: true\` to take it over.` }));
    return res.data;
  }

  /** PUT takes the whole object. */
  async update(id: string, body: Record<string, unknown>): Promise<Account> {
    const res = await this.session.call<Account>(this.identity,
      { url: this.session.routes.url(this.base, this.r.one, { id }), method: "PUT", data: body },
      this.ctx(`update the ${this.r.noun} "${String(body.name)}"`));
    return res.data;
  }

  async delete(id: string): Promise<boolean> {
    try {
      await this.session.call(this.identity, { url: this.session.routes.url(this.base, this.r.one, { id }), method: "DELETE" }, this.ctx(`delete the ${this.r.noun} ${id}`));
      return true;
    } catch (e) {
      if (e instanceof TridionError && e.status === 404) return false;
      throw e;
    }
  }

  async listSecrets(id: string): Promise<SecretInfo[]> {
    const res = await this.session.call<SecretInfo[] | { items?: SecretInfo[] }>(this.identity,
      { url: this.session.routes.url(this.base, this.r.secrets, { id }) }, this.ctx(`list the client secrets of the ${this.r.noun} ${id}`));
    return Array.isArray(res.data) ? res.data : res.data.items ?? [];
  }

  /** A new secret; its value is returned only here. Never retried blindly (a POST). */
  async createSecret(id: string, expiresAt: string, description: string): Promise<NewSecret> {
    const res = await this.session.call<NewSecret>(this.identity,
      { url: this.session.routes.url(this.base, this.r.secrets, { id }), method: "POST", data: { expiresAt, description } },
      this.ctx(`create a client secret for the ${this.r.noun} ${id}`, { conflict: "Access Management holds at most two client secrets per account." }));
    registerSecret(res.data.secret);
    return res.data;
  }

  /** Revoke a secret; false when it was already gone. */
  async revokeSecret(id: string, secretId: string): Promise<boolean> {
    try {
      await this.session.call(this.identity, { url: this.session.routes.url(this.base, this.r.secret, { id, secretId }), method: "DELETE" },
        this.ctx(`revoke the client secret ${secretId} of the ${this.r.noun} ${id}`));
      return true;
    } catch (e) {
      if (e instanceof TridionError && e.status === 404) return false;
      throw e;
    }
  }

  /**
   * The roles each API offers (GET api-resources), e.g. "Tridion.AddonService" -> ["Administrator",
   * "Service", "ReadOnly"]; undefined when the answer has no shape we recognise. Read once per session.
   */
  apiRoles(): Promise<Map<string, string[]> | undefined> {
    let known = apiRolesBySession.get(this.session);
    if (!known) {
      known = this.session.call<unknown>(this.identity, { url: this.session.routes.url(this.base, "apiResources") }, this.ctx("list the APIs and their roles"))
        .then((res) => parseApiRoles(res.data));
      known.catch(() => apiRolesBySession.delete(this.session));
      apiRolesBySession.set(this.session, known);
    }
    return known;
  }

  private notFoundHint(): string | undefined {
    return this.kind === "serviceAccount"
      ? "Service accounts cannot be created before Tridion Sites 10.0. Fix: on 9.5/9.6 use ClientCredentialUser (a user with client credentials) instead."
      : undefined;
  }
}

const apiRolesBySession = new WeakMap<Session, Promise<Map<string, string[]> | undefined>>();

/** `[{ name, roles: ["Administrator"] | [{ key, name }] }]` (or `{ items: [...] }`) -> api -> role names. */
function parseApiRoles(data: unknown): Map<string, string[]> | undefined {
  const list = Array.isArray(data) ? data : (data as { items?: unknown } | null)?.items;
  if (!Array.isArray(list)) return undefined;
  const out = new Map<string, string[]>();
  for (const resource of list as Array<{ name?: unknown; roles?: unknown }>) {
    if (typeof resource?.name !== "string" || !Array.isArray(resource.roles)) return undefined;
    const roles = resource.roles.map((r: unknown) => {
      const role = r as { name?: unknown; key?: unknown } | string;
      // The key ("Tridion.AddonService.Administrator") is what role inputs use; a name may be a display name.
      if (typeof role === "string") return role.slice(role.lastIndexOf(".") + 1);
      if (typeof role?.key === "string") return role.key.slice(role.key.lastIndexOf(".") + 1);
      return typeof role?.name === "string" ? role.name : undefined;
    });
    if (roles.some((r) => r === undefined)) return undefined;
    out.set(resource.name, roles as string[]);
  }
  return out.size ? out : undefined;
}
