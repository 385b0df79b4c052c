// 1. Settings: where they come from, that they parse (with the provider's own parser), that the
// ones every operation needs are there, and the transport rules they lead to: plain http, proxy,
// custom CA.
import { X509Certificate } from "node:crypto";
import { howToSet, redactProxyPassword, SETTINGS, type SettingName } from "../../config/settings";
import { isLoopbackHost } from "../../config/transport";
import { ProxyRouter } from "../../http/proxy";
import { causeAndFix, type Check } from "../report";
import type { DoctorContext } from "./context";

const GROUP = "Settings";

function sourceCheck(ctx: DoctorContext): Check {
  const shown: Record<string, { from: string; value?: string }> = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const from = ctx.source.origin(name);
    if (!from) continue;
    const spec = SETTINGS[name];
    const raw = ctx.source.get(spec.key) ?? process.env[spec.env] ?? "";
    const value =
      "secret" in spec
        ? "[secret]"
        : name === "proxy"
          ? redactProxyPassword(raw)
          : name === "caCertificate" && raw.includes("-----BEGIN")
            ? "(PEM text)"
            : raw;
    shown[spec.key] = { from: from === "environment" ? `environment ${spec.env}` : from === "flag" ? "flag" : "stack config", value };
  }
  return {
    id: "settings.source",
    group: GROUP,
    title: "source",
    verdict: "info",
    summary: `read from ${ctx.source.description}; ${Object.keys(shown).length} tridion settings set.`,
    details: { settings: shown, project: ctx.source.project },
  };
}

function presentCheck(ctx: DoctorContext): Check {
  const s = ctx.settings!;
  const missing: SettingName[] = (["accessManagementUrl", "addonsUrl"] as const).filter((n) => !s[n]);
  const identityMissing = (["clientId", "clientSecret"] as const).filter((n) => !s[n]);
  const extra = ctx.identities.some((i) => i.role === "extra");
  const all = [...missing, ...identityMissing];
  if (all.length === 0) {
    return {
      id: "settings.present",
      group: GROUP,
      title: "present",
      verdict: "pass",
      summary: "the URLs of both services and the provider's identity are set.",
    };
  }
  const names = all.map((n) => SETTINGS[n].key).join(", ");
  const fix = all.map((n) => howToSet(SETTINGS[n])).join("; ");
  const onlyIdentity = missing.length === 0;
  return {
    id: "settings.present",
    group: GROUP,
    title: "present",
    verdict: onlyIdentity && extra ? "warn" : "fail",
    summary: `missing: ${names}.`,
    cause: onlyIdentity
      ? "Without the provider's identity, ClientCredentialUser and ServiceAccount cannot run, nor an AddonPackage without `credentials`" +
        (extra ? "; the identities given with --identity are checked below." : ".")
      : "Every operation needs the URL of the service it calls.",
    fix: `${fix}.`,
  };
}

function transportCheck(ctx: DoctorContext): Check {
  const s = ctx.settings!;
  const proxies = new ProxyRouter(s.proxy, undefined);
  const notes: string[] = [];
  const warnings: string[] = [];
  const failures: string[] = [];
  const urls: Record<string, unknown> = {};
  for (const name of ["accessManagementUrl", "addonsUrl"] as const) {
    const url = s[name];
    if (!url) continue;
    const parsed = new URL(url);
    const key = SETTINGS[name].key;
    const proxy = proxies.proxyFor(url);
    urls[key] = { url, proxy: proxy ? redactProxyPassword(proxy) : null };
    const route = proxy ? `through the proxy ${redactProxyPassword(proxy)}` : "direct";
    if (parsed.protocol === "https:") notes.push(`${key}: https, ${route}`);
    else if (isLoopbackHost(parsed.hostname))
      notes.push(`${key}: plain http to a loopback address (allowed: nothing crosses the network), ${route}`);
    else
      warnings.push(
        `${key}: plain http to ${parsed.hostname}, ${route}, allowed by tridion:allowInsecureHttp: tokens and client secrets cross the network unencrypted`,
      );
  }
  const origins = [s.accessManagementUrl, s.addonsUrl].filter((u): u is string => !!u).map((u) => new URL(u).origin);
  if (origins.length === 2) notes.push(origins[0] === origins[1] ? "both services on one origin" : "the two services on their own origins");
  let certificates: Array<Record<string, string>> | undefined;
  if (s.caCertificate) {
    const pems = s.caCertificate.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    certificates = [];
    for (const pem of pems) {
      try {
        const cert = new X509Certificate(pem);
        certificates.push({ subject: cert.subject.replace(/\n/g, ", "), validTo: new Date(cert.validTo).toISOString() });
        if (new Date(cert.validTo).getTime() < Date.now())
          failures.push(`the custom CA "${cert.subject.replace(/\n/g, ", ")}" expired on ${cert.validTo}`);
      } catch {
        failures.push("tridion:caCertificate holds a PEM block that is not a readable X.509 certificate");
      }
    }
    notes.push(`custom CA: ${certificates.map((c) => c.subject).join("; ") || "none readable"} (trusted besides the system's roots)`);
  } else if ([s.accessManagementUrl, s.addonsUrl].some((u) => u?.startsWith("https:"))) {
    notes.push("the system's trusted CAs only (set tridion:caCertificate for a private CA)");
  }
  // Node switches certificate checks off for the whole process when this is "0"; the provider
  // sets them on explicitly, but the variable says someone meant to trust an unknown certificate.
  const tlsOverride = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  const fixes: string[] = [];
  if (warnings.length) fixes.push("Use https URLs (with tridion:caCertificate for an internal CA).");
  if (tlsOverride !== undefined) {
    warnings.push(
      `NODE_TLS_REJECT_UNAUTHORIZED is set (${JSON.stringify(tlsOverride)}): the provider and this command ignore it and check every certificate (only tridion:caCertificate adds a CA), but other tools run with this environment may accept any certificate`,
    );
    fixes.push(
      "Unset NODE_TLS_REJECT_UNAUTHORIZED; for a private CA set tridion:caCertificate (env TRIDION_CA_CERTIFICATE) to the PEM of the CA that signed the services' certificates.",
    );
  }
  const verdict = failures.length ? "fail" : warnings.length ? "warn" : "pass";
  return {
    id: "settings.transport",
    group: GROUP,
    title: "transport",
    verdict,
    summary: `${[...failures, ...warnings, ...notes].join("; ")}.`,
    cause: failures.length ? failures.join("; ") : warnings.length ? warnings.join("; ") : undefined,
    fix: failures.length
      ? "Set tridion:caCertificate (env TRIDION_CA_CERTIFICATE) to the current PEM of the CA that signed the services' certificates."
      : fixes.length
        ? fixes.join(" ")
        : undefined,
    details: { urls, caCertificates: certificates, nodeTlsRejectUnauthorized: tlsOverride },
  };
}

export async function settingsChecks(ctx: DoctorContext): Promise<Check[]> {
  const checks = [sourceCheck(ctx)];
  if (ctx.settingsError) {
    const { cause, fix } = causeAndFix(ctx.settingsError);
    checks.push({
      id: "settings.valid",
      group: GROUP,
      title: "well-formed",
      verdict: "fail",
      summary: "a setting cannot be used.",
      cause,
      fix,
    });
    return checks;
  }
  checks.push({
    id: "settings.valid",
    group: GROUP,
    title: "well-formed",
    verdict: "pass",
    summary: "every setting parses under the provider's own rules.",
  });
  checks.push(presentCheck(ctx), transportCheck(ctx));
  return checks;
}
