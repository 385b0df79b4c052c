// What the checks share: the settings, a provider session built from them (the same HTTP client,
// route profile, token cache and error translation `pulumi up` uses), and facts learnt once and
// read by several checks (discovery, each identity's token, the accounts Access Management
// lists). Read-only by construction: every request here is a GET, except the token requests.
import type * as OpenIdClient from "openid-client";
import { AccessManagementClient, type Account, type ServiceAccount, type User } from "../../clients/accessManagement";
import { versionFromAccountNames, type ProductVersion } from "../../clients/productVersion";
import { Session } from "../../clients/session";
import { AM_AUDIENCE } from "../../clients/tridionApis";
import { chooseAuthMethod, decodeJwtClaims, TokenSource, type AccessToken, type Identity } from "../../clients/tokens";
import type { ProviderSettings, TokenAuthMethod } from "../../config/settings";
import { hasCode, toTridionError, type TridionError } from "../../errors/tridionError";
import type { SettingsSource } from "../settingsSource";

/** An identity doctor is asked about: the provider's own, or one given with --identity. */
export interface IdentityUnderTest extends Identity {
  /** "provider identity (tridion:clientId)" or "--identity <clientId>" */
  label: string;
  role: "provider" | "extra";
}

/** What asking for a token gave: the token and its claims, or the error; and which auth method. */
export interface TokenOutcome {
  method: TokenAuthMethod;
  token?: AccessToken;
  claims?: Record<string, unknown>;
  error?: TridionError;
  /** When the method the provider uses was refused: whether the other one works. */
  other?: { method: TokenAuthMethod; works: boolean };
}

/** A result or the error that kept it from us (never thrown: a check reports it). */
export type Outcome<T> = { value: T; error?: undefined } | { value?: undefined; error: TridionError };

async function outcome<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { value: await run() };
  } catch (error) {
    return { error: toTridionError(error) };
  }
}

const OTHER: Record<TokenAuthMethod, TokenAuthMethod> = {
  client_secret_basic: "client_secret_post",
  client_secret_post: "client_secret_basic",
};

export class DoctorContext {
  readonly session?: Session;
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(
    readonly source: SettingsSource,
    /** Undefined when the settings could not be parsed (settingsError says why). */
    readonly settings: ProviderSettings | undefined,
    readonly settingsError: TridionError | undefined,
    readonly identities: IdentityUnderTest[],
  ) {
    if (settings) this.session = new Session(settings);
  }

  private once<T>(key: string, run: () => Promise<T>): Promise<T> {
    let value = this.memo.get(key) as Promise<T> | undefined;
    if (!value) {
      value = run();
      this.memo.set(key, value);
    }
    return value;
  }

  get provider(): IdentityUnderTest | undefined {
    return this.identities.find((i) => i.role === "provider");
  }

  /** The discovery document as the provider reads it (without its issuer check: that is a check of its own). */
  discovery(): Promise<Outcome<OpenIdClient.ServerMetadata>> {
    return this.once("discovery", () => outcome(() => this.session!.tokens.discoveryDocument()));
  }

  /** A token for the identity, asked for as the provider would (and, if refused, once with the other auth method). */
  token(identity: IdentityUnderTest): Promise<TokenOutcome> {
    return this.once(`token:${identity.clientId}`, async () => {
      const discovery = await this.discovery();
      const method = chooseAuthMethod(discovery.value, this.settings!.tokenAuthMethod);
      const result: TokenOutcome = { method };
      const got = await outcome(() => this.session!.token(identity));
      if (got.value) return { ...result, token: got.value, claims: decodeJwtClaims(got.value.value) };
      result.error = got.error;
      if (hasCode(got.error, "CREDENTIALS_REJECTED")) {
        const other = OTHER[method];
        const supported = discovery.value?.token_endpoint_auth_methods_supported;
        if (!supported || supported.includes(other)) {
          const source = new TokenSource(this.session!.http, this.settings!.accessManagementUrl!, {
            authMethod: other,
            allowInsecureHttp: this.settings!.allowInsecureHttp,
          });
          result.other = { method: other, works: (await outcome(() => source.get(identity))).value !== undefined };
        }
      }
      return result;
    });
  }

  /** The provider identity, when its token grants Access Management's API (listing accounts needs it). */
  async amReader(): Promise<IdentityUnderTest | undefined> {
    const provider = this.provider;
    if (!provider || !this.settings?.accessManagementUrl) return undefined;
    const { token } = await this.token(provider);
    if (!token) return undefined;
    return token.audiences.length === 0 || token.audiences.includes(AM_AUDIENCE) ? provider : undefined;
  }

  /** Users and service accounts as Access Management lists them to the provider identity. */
  accounts(): Promise<Outcome<{ users: User[]; serviceAccounts: ServiceAccount[] }>> {
    return this.once("accounts", async () => {
      if (!(await this.amReader())) return { error: toTridionError(new Error("the provider identity has no access to Access Management")) };
      return outcome(async () => {
        const [users, serviceAccounts] = await Promise.all([
          new AccessManagementClient(this.session!, "user").list() as Promise<User[]>,
          new AccessManagementClient(this.session!, "serviceAccount").list() as Promise<ServiceAccount[]>,
        ]);
        return { users, serviceAccounts };
      });
    });
  }

  /** The account holding this client id, when Access Management can be asked. */
  async accountOf(clientId: string): Promise<{ kind: "user" | "service account"; account: Account } | undefined> {
    const { value } = await this.accounts();
    if (!value) return undefined;
    const user = value.users.find((u) => u.clientId === clientId);
    if (user) return { kind: "user", account: user };
    const sa = value.serviceAccounts.find((a) => a.clientId === clientId);
    return sa ? { kind: "service account", account: sa } : undefined;
  }

  /** The product version and how it is known: the setting, or the predefined service accounts' names. */
  productVersion(): Promise<{ version: ProductVersion; how: string; detected?: ProductVersion; names?: string[] }> {
    return this.once("version", async () => {
      const setting = this.settings?.productVersion;
      const { value, error } = await this.accounts();
      const names = value?.serviceAccounts.map((a) => a.name);
      const detected = names ? versionFromAccountNames(names) : undefined;
      if (setting) return { version: setting, how: "from the setting tridion:productVersion", detected, names };
      if (detected && detected !== "unknown") {
        return { version: detected, how: "from the names of the predefined service accounts Access Management lists", detected, names };
      }
      return {
        version: "unknown",
        how: names
          ? "not told: the service accounts Access Management lists carry neither version's predefined names"
          : `not told: the service accounts could not be listed (${error?.message ?? "no identity with access to Access Management"})`,
        detected,
        names,
      };
    });
  }
}

/** "9.5/9.6", "10" or "unknown", as people say it. */
export function versionName(version: ProductVersion): string {
  return version === "9" ? "9.5/9.6" : version;
}
