// 4. Access Management's management API with the provider identity's token: System/userInfo,
// the role keys that exist (ApiResources), and the product version as far as it can be told,
// and how.
import { AccessManagementClient, type UserInfo } from "../../clients/accessManagement";
import { PREDEFINED_ACCOUNTS } from "../../clients/productVersion";
import { ACCESS_MANAGEMENT, ROLE_ADDONS_ADMIN, ROLE_AM_ADMIN } from "../../clients/tridionApis";
import { causeAndFix, type Check } from "../report";
import { versionName, type DoctorContext } from "./context";

const GROUP = "Management API";

/** A check that failed with an error: its cause and fix. */
function failed(id: string, title: string, summary: string, error: unknown): Check {
  const { cause, fix } = causeAndFix(error);
  return { id, group: GROUP, title, verdict: "fail", summary, cause, fix };
}

export async function managementApiChecks(ctx: DoctorContext): Promise<Check[]> {
  const skip = (why: string): Check[] =>
    ["userInfo", "apiResources", "productVersion"].map((name) => ({
      id: `managementApi.${name}`,
      group: GROUP,
      title: name === "userInfo" ? "System/userInfo" : name === "apiResources" ? "role keys (ApiResources)" : "product version",
      verdict: "skip" as const,
      summary: why,
    }));
  const provider = ctx.provider;
  if (!ctx.settings?.accessManagementUrl) return skip("tridion:accessManagementUrl is not usable (see Settings).");
  if (!provider) return skip("no provider identity (tridion:clientId) to call it with.");
  const outcome = await ctx.token(provider);
  if (!outcome.token) return skip("the provider identity got no token (see Identities).");
  if (!(await ctx.amReader())) {
    const checks = skip(
      "the provider identity's token is not issued for Access Management's API (its aud lacks Tridion.AccessManagement).",
    );
    checks[0] = {
      ...checks[0],
      verdict: "warn",
      cause: "ClientCredentialUser and ServiceAccount need the provider identity to manage accounts in Access Management.",
      fix: `Give the provider identity access to the API Tridion.AccessManagement with ${ROLE_AM_ADMIN}, or leave identities to another stack and deploy add-ons only.`,
    };
    return checks;
  }
  const session = ctx.session!;
  const checks: Check[] = [];
  const userInfoUrl = session.routes.url(ctx.settings.accessManagementUrl, "userInfo");
  try {
    const res = await session.call<UserInfo>(
      provider,
      { url: userInfoUrl },
      { action: "read System/userInfo", service: ACCESS_MANAGEMENT },
    );
    const info = res.data ?? {};
    checks.push({
      id: "managementApi.userInfo",
      group: GROUP,
      title: "System/userInfo",
      verdict: "pass",
      summary: `GET ${userInfoUrl} answers with the provider identity's token: name ${JSON.stringify(info.name ?? null)}, subject ${JSON.stringify(info.subject ?? null)}, roles ${(info.roles ?? []).join(", ") || "none"}.`,
      details: { url: userInfoUrl, name: info.name, subject: info.subject, roles: info.roles },
    });
  } catch (error) {
    checks.push(failed("managementApi.userInfo", "System/userInfo", `GET ${userInfoUrl} fails.`, error));
  }

  try {
    const resources = await new AccessManagementClient(session, "user").apiResources();
    const roles = resources.flatMap((r) => (r.roles ?? []).map((role) => role.key));
    const missing = [ROLE_ADDONS_ADMIN, ROLE_AM_ADMIN].filter((k) => !roles.includes(k));
    checks.push({
      id: "managementApi.apiResources",
      group: GROUP,
      title: "role keys (ApiResources)",
      verdict: missing.length ? "fail" : "pass",
      summary: `${resources.length} APIs: ${resources.map((r) => `${r.key} (${(r.roles ?? []).map((role) => role.key.split(".").pop()).join(", ") || "no roles"})`).join("; ")}.`,
      cause: missing.length ? `The role keys the provider grants are missing: ${missing.join(", ")}.` : undefined,
      fix: missing.length
        ? "Check that this is the Access Management of a Tridion Sites with the Add-ons Service (its bootstrap data defines these APIs)."
        : undefined,
      details: { apiResources: resources.map((r) => ({ key: r.key, name: r.name, roles: (r.roles ?? []).map((role) => role.key) })) },
    });
  } catch (error) {
    checks.push(failed("managementApi.apiResources", "role keys (ApiResources)", "ApiResources cannot be read.", error));
  }

  const version = await ctx.productVersion();
  const told = version.detected && version.detected !== "unknown" ? version.detected : undefined;
  const mismatch = ctx.settings.productVersion && told && told !== ctx.settings.productVersion;
  const seen = version.names ? ` (service accounts listed: ${version.names.map((n) => JSON.stringify(n)).join(", ")})` : "";
  checks.push({
    id: "managementApi.productVersion",
    group: GROUP,
    title: "product version",
    verdict: mismatch || version.version === "unknown" ? "warn" : "pass",
    summary:
      version.version === "unknown"
        ? `unknown: ${version.how}${seen}.`
        : `Tridion Sites ${versionName(version.version)}, ${version.how}${seen}.`,
    cause: mismatch
      ? `tridion:productVersion says ${versionName(ctx.settings.productVersion!)}, but the predefined accounts are those of ${versionName(told!)} (${PREDEFINED_ACCOUNTS[told!].join(", ")}).`
      : version.version === "unknown"
        ? "ServiceAccount (10 only) and the version-specific fixes in error messages depend on it."
        : undefined,
    fix:
      mismatch || version.version === "unknown"
        ? "`pulumi config set tridion:productVersion 9.6` (or 10), as your installation is."
        : undefined,
    details: { productVersion: version.version, how: version.how, detected: version.detected, serviceAccounts: version.names },
  });
  return checks;
}
