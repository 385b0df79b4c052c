// 2. Access Management: the discovery document, its issuer (letter case), the JWKS, the token
// endpoint, and which client authentication method works (with the provider's identity).
import { issuerMismatch } from "../../clients/tokens";
import { isLoopbackHost } from "../../config/transport";
import { translateHttpError } from "../../clients/errorTranslation";
import { causeAndFix, type Check } from "../report";
import type { DoctorContext } from "./context";

const GROUP = "Access Management";

const skipped = (id: string, title: string, why: string): Check => ({ id, group: GROUP, title, verdict: "skip", summary: why });

async function jwksCheck(ctx: DoctorContext, jwksUri: string | undefined): Promise<Check> {
  const id = "accessManagement.jwks";
  if (!jwksUri) {
    return {
      id,
      group: GROUP,
      title: "JWKS",
      verdict: "fail",
      summary: "the discovery document names no jwks_uri.",
      cause: "The services verify tokens with the keys published there.",
      fix: "Check that tridion:accessManagementUrl is Access Management's authority.",
    };
  }
  try {
    const res = await ctx.session!.http.send<{ keys?: Array<{ kid?: string; alg?: string; kty?: string }> }>({
      url: jwksUri,
      method: "GET",
    });
    const keys = Array.isArray(res.data?.keys) ? res.data.keys : [];
    if (keys.length === 0) {
      return {
        id,
        group: GROUP,
        title: "JWKS",
        verdict: "fail",
        summary: `${jwksUri} holds no keys.`,
        cause: "Without signing keys no service can verify a token of this Access Management.",
        fix: "Check Access Management's signing credential (its logs), or that jwks_uri points at it.",
      };
    }
    const described = keys.map((k) => `${k.alg ?? k.kty ?? "?"}${k.kid ? ` (kid ${k.kid})` : ""}`).join(", ");
    return {
      id,
      group: GROUP,
      title: "JWKS",
      verdict: "pass",
      summary: `${jwksUri}: ${keys.length} signing key(s): ${described}.`,
      details: { jwksUri, keys: keys.length },
    };
  } catch (error) {
    const { cause, fix } = causeAndFix(translateHttpError(error, { action: "read the signing keys (JWKS)", service: "Access Management" }));
    return {
      id,
      group: GROUP,
      title: "JWKS",
      verdict: "warn",
      summary: `${jwksUri} cannot be read from here.`,
      cause: `${cause} The provider needs no JWKS, but the services verify tokens with it: if they cannot reach it either, they refuse every token (401).`,
      fix,
    };
  }
}

function tokenEndpointCheck(ctx: DoctorContext, endpoint: string, methods: string[] | undefined): Check {
  const authority = new URL(ctx.settings!.accessManagementUrl!);
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return {
      id: "accessManagement.tokenEndpoint",
      group: GROUP,
      title: "token endpoint",
      verdict: "fail",
      summary: `the discovery document names the token endpoint ${JSON.stringify(endpoint)}, which is not a URL.`,
      fix: "Check Access Management's configuration (its public origin).",
    };
  }
  const notes = [`${endpoint}`];
  if (methods) notes.push(`client authentication: ${methods.join(", ")}`);
  let verdict: Check["verdict"] = "pass";
  let cause: string | undefined;
  let fix: string | undefined;
  if (url.protocol === "http:" && authority.protocol === "https:") {
    verdict = "fail";
    cause =
      "Discovery, read over https, sends token requests to plain http: client secrets would cross the network unencrypted, and the provider refuses it.";
    fix = "Configure Access Management's public origin as https (behind a TLS-terminating proxy: forward the scheme, X-Forwarded-Proto).";
  } else if (url.protocol === "http:" && !isLoopbackHost(url.hostname) && !ctx.settings!.allowInsecureHttp) {
    verdict = "fail";
    cause = `Token requests would go to plain http on ${url.hostname}.`;
    fix = "Use https for Access Management (or, on a trusted network, tridion:allowInsecureHttp true).";
  } else if (url.origin !== authority.origin) {
    verdict = "warn";
    cause = `The token endpoint is on another origin (${url.origin}) than tridion:accessManagementUrl (${authority.origin}): token requests go there, so that host must be reachable from where \`pulumi up\` runs (a proxy in front of Access Management often shows its internal name here).`;
    fix =
      "If it cannot be reached, configure Access Management's public origin (forwarded headers) so that discovery names the URL clients use.";
  }
  return {
    id: "accessManagement.tokenEndpoint",
    group: GROUP,
    title: "token endpoint",
    verdict,
    summary: `${notes.join("; ")}.`,
    cause,
    fix,
    details: { tokenEndpoint: endpoint, methods },
  };
}

async function authMethodCheck(ctx: DoctorContext): Promise<Check> {
  const id = "accessManagement.authMethod";
  const provider = ctx.provider ?? ctx.identities[0];
  if (!provider) return skipped(id, "auth method", "no identity to ask for a token with.");
  const outcome = await ctx.token(provider);
  const forced = ctx.settings!.tokenAuthMethod;
  const chosen = `${outcome.method} (${forced ? "tridion:tokenAuthMethod" : "chosen from discovery, HTTP Basic preferred"})`;
  if (outcome.token)
    return {
      id,
      group: GROUP,
      title: "auth method",
      verdict: "pass",
      summary: `${chosen} works (for ${provider.label}).`,
      details: { method: outcome.method },
    };
  if (outcome.other?.works) {
    return {
      id,
      group: GROUP,
      title: "auth method",
      verdict: "fail",
      summary: `${chosen} is refused for ${provider.label}, but ${outcome.other.method} works with the same credentials.`,
      cause:
        "Access Management accepts these credentials only in the other form (e.g. a secret whose characters a Basic header does not carry as this installation expects).",
      fix: `\`pulumi config set tridion:tokenAuthMethod ${outcome.other.method}\` (or TRIDION_TOKEN_AUTH_METHOD=${outcome.other.method}).`,
      details: { method: outcome.method, works: outcome.other.method },
    };
  }
  return {
    id,
    group: GROUP,
    title: "auth method",
    verdict: "info",
    summary: `${chosen}: no token for ${provider.label}${outcome.other ? ` with either method` : ""}; see the identity's token below.`,
    details: { method: outcome.method },
  };
}

export async function accessManagementChecks(ctx: DoctorContext): Promise<Check[]> {
  if (!ctx.settings?.accessManagementUrl) {
    return [skipped("accessManagement.discovery", "discovery", "tridion:accessManagementUrl is not usable (see Settings).")];
  }
  const authority = ctx.settings.accessManagementUrl;
  const where = `${authority}/.well-known/openid-configuration`;
  const discovery = await ctx.discovery();
  if (!discovery.value) {
    const { cause, fix } = causeAndFix(discovery.error);
    return [
      {
        id: "accessManagement.discovery",
        group: GROUP,
        title: "discovery",
        verdict: "fail",
        summary: `${where} cannot be used.`,
        cause,
        fix,
        details: { code: discovery.error.code },
      },
      skipped("accessManagement.issuer", "issuer", "no discovery document."),
      skipped("accessManagement.jwks", "JWKS", "no discovery document."),
      skipped("accessManagement.tokenEndpoint", "token endpoint", "no discovery document."),
    ];
  }
  const metadata = discovery.value;
  const checks: Check[] = [
    {
      id: "accessManagement.discovery",
      group: GROUP,
      title: "discovery",
      verdict: "pass",
      summary: `${where} answers.`,
      details: { url: where },
    },
  ];
  const mismatch = issuerMismatch(metadata, authority);
  if (mismatch) {
    const { cause, fix } = causeAndFix(mismatch);
    checks.push({
      id: "accessManagement.issuer",
      group: GROUP,
      title: "issuer",
      verdict: "fail",
      summary: `the issuer is ${metadata.issuer}.`,
      cause,
      fix,
      details: { issuer: metadata.issuer },
    });
    return checks; // the provider stops here too
  }
  const exact = metadata.issuer.replace(/\/+$/, "") === authority.replace(/\/+$/, "");
  checks.push({
    id: "accessManagement.issuer",
    group: GROUP,
    title: "issuer",
    verdict: "pass",
    summary: exact
      ? `${metadata.issuer}, exactly the configured authority.`
      : `${metadata.issuer}: differs from tridion:accessManagementUrl only in letter case (IdentityServer lower-cases it by default); the provider compares case-insensitively, so it is the same authority.`,
    details: { issuer: metadata.issuer, exactCase: exact },
  });
  checks.push(await jwksCheck(ctx, metadata.jwks_uri));
  checks.push(tokenEndpointCheck(ctx, metadata.token_endpoint!, metadata.token_endpoint_auth_methods_supported));
  checks.push(await authMethodCheck(ctx));
  return checks;
}
