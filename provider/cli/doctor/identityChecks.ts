// 3. Each identity: a token (and, when refused, what Access Management says of the account: an
// unknown client id, only expired secrets, a deactivated user), its audiences, its roles and in
// words what it may and may not do, per product version; the account it belongs to.
import type { Account, ClientSecret, User } from "../../clients/accessManagement";
import { missingRoleFix } from "../../clients/errorTranslation";
import { isPredefinedAccountName } from "../../clients/productVersion";
import { issuerMismatch, listClaim } from "../../clients/tokens";
import { ADDONS_AUDIENCE, AM_AUDIENCE, ROLE_ADDONS_ADMIN, ROLE_AM_ADMIN } from "../../clients/tridionApis";
import { hasCode } from "../../errors/tridionError";
import { causeAndFix, type Check } from "../report";
import { capabilitiesOf, describeCapabilities } from "./capabilities";
import { versionName, type DoctorContext, type IdentityUnderTest } from "./context";

const GROUP = "Identities";
const DAY_MS = 86_400_000;

const secretsOf = (account: Account): ClientSecret[] => account.clientSecrets ?? [];
const describeSecret = (s: ClientSecret) => `id ${s.id}, expire${Date.parse(s.expiresAt) < Date.now() ? "d" : "s"} ${s.expiresAt}`;

function accountName(found: { kind: string; account: Account }): string {
  return `the ${found.kind} "${found.account.name}" (id ${found.account.id})`;
}

/** Why a refused secret was refused, as far as Access Management tells (an administrator's view). */
async function refusalCause(ctx: DoctorContext, identity: IdentityUnderTest): Promise<string | undefined> {
  if (!(await ctx.amReader())) return undefined;
  const found = await ctx.accountOf(identity.clientId);
  const { value } = await ctx.accounts();
  if (!value) return undefined;
  if (!found)
    return `No user or service account of this Access Management has the client id "${identity.clientId}": it is mistyped, or its account was deleted.`;
  const secrets = secretsOf(found.account);
  const active = secrets.filter((s) => Date.parse(s.expiresAt) > Date.now());
  if ((found.account as User).isEnabled === false)
    return `${accountName(found)} is deactivated: its client credentials get no token until it is activated again.`;
  if (secrets.length === 0) return `${accountName(found)} holds no client secret: it was revoked (or never issued).`;
  if (active.length === 0)
    return `${accountName(found)} holds only expired client secrets (${secrets.map(describeSecret).join("; ")}): the secret expired.`;
  return `${accountName(found)} holds ${active.length} active client secret(s) (${active.map(describeSecret).join("; ")}), so the secret given is not one of them: it is mistyped, or an older one that was revoked.`;
}

function refusalFix(identity: IdentityUnderTest, defaultFix: string | undefined): string | undefined {
  if (identity.role === "provider") return defaultFix;
  return `Check the secret in the environment variable named for --identity ${identity.clientId}; if it expired or was revoked, issue a new one (bump secretVersion on the ClientCredentialUser/ServiceAccount that owns it, or generate one in the Access Management UI).`;
}

async function tokenCheck(ctx: DoctorContext, identity: IdentityUnderTest): Promise<Check[]> {
  const base = { group: GROUP, subject: identity.label };
  const outcome = await ctx.token(identity);
  if (!outcome.token) {
    const error = outcome.error!;
    const { cause, fix } = causeAndFix(error);
    const why = hasCode(error, "CREDENTIALS_REJECTED") ? await refusalCause(ctx, identity) : undefined;
    return [
      {
        ...base,
        id: "identity.token",
        title: "token",
        verdict: "fail",
        summary: `no token for "${identity.clientId}" (${outcome.method}).`,
        cause: why ? `${cause} Access Management says: ${why}` : cause,
        fix: hasCode(error, "CREDENTIALS_REJECTED") ? refusalFix(identity, fix) : fix,
        details: { clientId: identity.clientId, code: error.code, method: outcome.method },
      },
    ];
  }
  const claims = outcome.claims ?? {};
  const exp = typeof claims.exp === "number" ? new Date(claims.exp * 1000).toISOString() : undefined;
  const lifetime = typeof claims.exp === "number" && typeof claims.iat === "number" ? claims.exp - claims.iat : undefined;
  const kind =
    typeof claims.user_id === "string"
      ? `a user's client credentials (user id ${claims.user_id})`
      : "a service account's client credentials";
  const audiences = outcome.token.audiences;
  const roles = outcome.token.roles;
  const checks: Check[] = [
    {
      ...base,
      id: "identity.token",
      title: "token",
      verdict: "pass",
      summary: `issued for "${identity.clientId}", ${kind}${exp ? `; expires ${exp}${lifetime ? ` (lives ${Math.round(lifetime / 60)} min; the provider renews it a minute before)` : ""}` : ""}.`,
      details: {
        clientId: identity.clientId,
        iss: claims.iss,
        sub: claims.sub,
        user_id: claims.user_id,
        exp,
        lifetimeSeconds: lifetime,
        scope: listClaim(claims.scope),
      },
    },
  ];
  const lacks = [AM_AUDIENCE, ADDONS_AUDIENCE].filter((a) => audiences.length > 0 && !audiences.includes(a));
  checks.push({
    ...base,
    id: "identity.audience",
    title: "audience",
    verdict: audiences.length === 0 ? "warn" : "info",
    summary:
      audiences.length === 0
        ? "the token has no aud claim: whether a service accepts it, only the service can tell."
        : `aud ${audiences.join(", ")}${lacks.length ? `; not ${lacks.join(" nor ")}, so ${lacks.map((a) => (a === AM_AUDIENCE ? "Access Management's API" : "the Add-ons Service")).join(" and ")} would answer 401` : ""}.`,
    details: { aud: audiences },
  });
  checks.push(await rolesCheck(ctx, identity, audiences, roles));
  return checks;
}

async function rolesCheck(ctx: DoctorContext, identity: IdentityUnderTest, audiences: string[], roles: string[]): Promise<Check> {
  const base = { group: GROUP, subject: identity.label, id: "identity.roles", title: "roles" };
  const { version } = await ctx.productVersion();
  const capabilities = capabilitiesOf(audiences, roles);
  const words = describeCapabilities(capabilities, roles);
  const product = version === "unknown" ? "" : ` (Tridion Sites ${versionName(version)})`;
  const details = { role: roles, can: capabilities.can, cannot: capabilities.cannot, productVersion: version };
  if (capabilities.rolesUnknown) {
    return {
      ...base,
      verdict: "warn",
      summary: "the token carries no role claim: the services decide what it may do, which cannot be told in advance.",
      cause: "Without roles in the token the provider cannot foretell a 403 either.",
      fix: "Give the identity the role it needs (Tridion.AddonService.Administrator to deploy, Tridion.AccessManagement.Administrator to manage identities).",
      details,
    };
  }
  // Can list but cannot upload (the predefined Add-ons API account): told before the 403 happens.
  const listsOnly = capabilities.can.includes("list add-ons") && !capabilities.deploysAddons;
  const headline = capabilities.deploysAddons
    ? `can deploy add-ons (upload, replace, configure, delete)${capabilities.managesIdentities ? " and manage identities" : ""}`
    : listsOnly
      ? `can list add-ons but cannot upload: holds ${roles.join(", ")}; an upload needs ${ROLE_ADDONS_ADMIN}`
      : capabilities.managesIdentities
        ? "can manage identities but cannot use the Add-ons Service"
        : "can do nothing the provider needs";
  const summary = `${headline}${product}. In full: ${words}.`;
  if (identity.role === "extra") {
    if (capabilities.deploysAddons) return { ...base, verdict: "pass", summary, details };
    return {
      ...base,
      verdict: "fail",
      summary,
      cause: `Deploying with it (AddonPackage \`credentials\`) needs ${ROLE_ADDONS_ADMIN}.`,
      fix: missingRoleFix(ROLE_ADDONS_ADMIN, version),
      details,
    };
  }
  if (capabilities.deploysAddons && capabilities.managesIdentities) return { ...base, verdict: "pass", summary, details };
  if (capabilities.managesIdentities) {
    return {
      ...base,
      verdict: "warn",
      summary,
      cause: `It manages ClientCredentialUser and ServiceAccount, but an AddonPackage without \`credentials\` would be refused (403): that needs ${ROLE_ADDONS_ADMIN}.`,
      fix: "Deploy add-ons with the credentials of a deployment identity (AddonPackage `credentials`: a ClientCredentialUser's or ServiceAccount's clientId/clientSecret), as the quickstart does.",
      details,
    };
  }
  if (capabilities.deploysAddons) {
    return {
      ...base,
      verdict: "warn",
      summary,
      cause: `It deploys add-ons, but ClientCredentialUser and ServiceAccount would be refused: they need ${ROLE_AM_ADMIN}.`,
      fix: missingRoleFix(ROLE_AM_ADMIN, version),
      details,
    };
  }
  return {
    ...base,
    verdict: "fail",
    summary,
    cause: `\`pulumi up\` would be refused (403): deploying an add-on needs ${ROLE_ADDONS_ADMIN}, managing identities needs ${ROLE_AM_ADMIN}.`,
    fix: missingRoleFix(ROLE_ADDONS_ADMIN, version),
    details,
  };
}

async function accountCheck(ctx: DoctorContext, identity: IdentityUnderTest): Promise<Check | undefined> {
  const { token } = await ctx.token(identity);
  if (!token || !(await ctx.amReader())) return undefined;
  const found = await ctx.accountOf(identity.clientId);
  const base = { group: GROUP, subject: identity.label, id: "identity.account", title: "account" };
  if (!found)
    return {
      ...base,
      verdict: "info",
      summary: "Access Management lists no user or service account with this client id to the provider identity.",
    };
  const predefined = found.kind === "service account" && isPredefinedAccountName(found.account.name);
  const secrets = secretsOf(found.account);
  const active = secrets.filter((s) => Date.parse(s.expiresAt) > Date.now());
  const latest = Math.max(...active.map((s) => Date.parse(s.expiresAt)));
  const soon = active.length > 0 && latest - Date.now() < 30 * DAY_MS;
  const summary =
    `${accountName(found)}${predefined ? ", a predefined account of Access Management (its access cannot be changed in 9.5/9.6)" : ""}; ` +
    `client secrets: ${secrets.length ? secrets.map(describeSecret).join("; ") : "none listed"}.`;
  return {
    ...base,
    verdict: soon ? "warn" : "info",
    summary,
    cause: soon
      ? `Every active client secret of this account expires within 30 days (the last on ${new Date(latest).toISOString()}).`
      : undefined,
    fix: soon
      ? "Rotate the secret before it expires (bump secretVersion on the resource that owns it), and hand the new one to whoever uses it."
      : undefined,
    details: {
      kind: found.kind,
      name: found.account.name,
      id: found.account.id,
      predefined,
      clientSecrets: secrets.map((s) => ({ id: s.id, expiresAt: s.expiresAt })),
    },
  };
}

export async function identityChecks(ctx: DoctorContext): Promise<Check[]> {
  if (ctx.identities.length === 0) {
    return [
      {
        id: "identity.token",
        group: GROUP,
        title: "token",
        verdict: "skip",
        summary: "no identity to check: tridion:clientId / tridion:clientSecret are not set, and no --identity was given.",
      },
    ];
  }
  const discovery = ctx.settings?.accessManagementUrl ? await ctx.discovery() : undefined;
  const broken = !discovery?.value || issuerMismatch(discovery.value, ctx.settings!.accessManagementUrl!);
  const checks: Check[] = [];
  for (const identity of ctx.identities) {
    if (broken) {
      checks.push({
        id: "identity.token",
        group: GROUP,
        subject: identity.label,
        title: "token",
        verdict: "skip",
        summary: "Access Management's discovery cannot be used (see above), so no token can be asked for.",
      });
      continue;
    }
    checks.push(...(await tokenCheck(ctx, identity)));
    const account = await accountCheck(ctx, identity);
    if (account) checks.push(account);
  }
  return checks;
}
