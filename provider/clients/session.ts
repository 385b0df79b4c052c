// A session binds the settings to the shared pieces of one provider process: the HTTP client,
// the route profile, the token cache, the detected product version. Every authenticated call
// goes through `call()`: bearer token, one fresh token on 401, error translation.
import type { AxiosResponse } from "axios";
import { currentSettings, ProviderSettings, requireSetting, settingsGeneration } from "../config";
import { isIdentityRefused } from "../errors/tridionError";
import { HttpClient, HttpRequest } from "../http/httpClient";
import { waitPolicy } from "../http/policy";
import { missingAudienceError, missingRoleError, OperationContext, translateHttpError } from "./errorTranslation";
import { ProductVersion, versionFromAccountNames } from "./productVersion";
import { RouteProfile } from "./routes";
import { AccessToken, Identity, TokenSource } from "./tokens";

export class Session {
  readonly http: HttpClient;
  readonly routes: RouteProfile;
  private tokenSource?: TokenSource;
  private detectedVersion?: Promise<ProductVersion>;

  constructor(readonly settings: ProviderSettings) {
    this.http = new HttpClient({ policy: waitPolicy(settings), caCertificate: settings.caCertificate, proxy: settings.proxy });
    this.routes = new RouteProfile(settings.routes);
  }

  get tokens(): TokenSource {
    if (!this.tokenSource) {
      const authority = requireSetting(this.settings, "accessManagementUrl", "get tokens from Access Management");
      this.tokenSource = new TokenSource(this.http, authority, {
        authMethod: this.settings.tokenAuthMethod,
        allowInsecureHttp: this.settings.allowInsecureHttp,
      });
    }
    return this.tokenSource;
  }

  /** The provider's own identity (tridion:clientId / tridion:clientSecret). */
  defaultIdentity(purpose: string): Identity {
    return {
      clientId: requireSetting(this.settings, "clientId", purpose),
      clientSecret: requireSetting(this.settings, "clientSecret", purpose),
    };
  }

  hasDefaultIdentity(): boolean {
    return !!(this.settings.clientId && this.settings.clientSecret);
  }

  token(identity: Identity): Promise<AccessToken> {
    return this.tokens.get(identity);
  }

  /**
   * Fail before a write when the identity's token is not for this service (its aud lacks the
   * API: a 401 foretold) or lacks the role (the 403 the predefined Add-ons API account gets on upload).
   */
  async preflight(identity: Identity, neededRole: string, ctx: Omit<OperationContext, "identity" | "neededRole">): Promise<void> {
    const token = await this.token(identity);
    if (ctx.audience && token.audiences.length > 0 && !token.audiences.includes(ctx.audience)) {
      const productVersion = ctx.productVersion ?? (await this.productVersion());
      throw missingAudienceError(
        { ...ctx, productVersion, audience: ctx.audience, identity: identity.clientId, neededRole },
        token.audiences,
      );
    }
    // A token without any role claim tells us nothing: let the service decide.
    if (token.roles.length === 0 || token.roles.includes(neededRole)) return;
    const productVersion = ctx.productVersion ?? (await this.productVersion());
    throw missingRoleError({ ...ctx, productVersion, identity: identity.clientId, neededRole }, token.roles);
  }

  /** An authenticated request; a 401 gets one fresh token and one more try. */
  async call<T>(identity: Identity, request: HttpRequest, ctx: Omit<OperationContext, "identity">): Promise<AxiosResponse<T>> {
    const context: OperationContext = { ...ctx, identity: identity.clientId };
    for (let attempt = 0; ; attempt++) {
      const token = await this.token(identity);
      try {
        return await this.http.send<T>({
          ...request,
          headers: { ...(request.headers as Record<string, string> | undefined), Authorization: `Bearer ${token.value}` },
        });
      } catch (error) {
        const status = (error as { response?: { status?: number } }).response?.status;
        if (status === 401 && attempt === 0) {
          this.tokens.invalidate(identity, token.value);
          continue;
        }
        if (status === 403 && context.neededRole && !context.productVersion) {
          context.productVersion = await this.productVersion();
        }
        throw translateHttpError(error, context);
      }
    }
  }

  /**
   * "9" or "10": from tridion:productVersion, else detected once, read-only, from the names of
   * the predefined service accounts (they differ between 9.x and 10).
   */
  productVersion(): Promise<ProductVersion> {
    if (this.settings.productVersion) return Promise.resolve(this.settings.productVersion);
    // Only a definite answer is kept: after a passing failure the next caller asks again.
    this.detectedVersion ??= this.detectVersion().then(({ version, definite }) => {
      if (!definite) this.detectedVersion = undefined;
      return version;
    });
    return this.detectedVersion;
  }

  private async detectVersion(): Promise<{ version: ProductVersion; definite: boolean }> {
    if (!this.hasDefaultIdentity() || !this.settings.accessManagementUrl) return { version: "unknown", definite: true };
    try {
      const identity = this.defaultIdentity("detect the product version");
      const res = await this.call<Array<{ name?: unknown }>>(
        identity,
        { url: this.routes.url(this.settings.accessManagementUrl, "serviceAccounts") },
        { action: "detect the product version", service: "Access Management" },
      );
      const names = Array.isArray(res.data) ? res.data.map((a) => String(a?.name)) : [];
      return { version: versionFromAccountNames(names), definite: true };
    } catch (e) {
      // A 401/403 (not allowed to look) will not change in this process; anything else may pass.
      return {
        version: "unknown",
        definite: isIdentityRefused(e),
      };
    }
  }
}

let session: Session | undefined;
let sessionGeneration = -1;

/** The process-wide session for the current settings (rebuilt after configure()). */
export function getSession(): Session {
  if (!session || sessionGeneration !== settingsGeneration()) {
    session = new Session(currentSettings());
    sessionGeneration = settingsGeneration();
  }
  return session;
}
