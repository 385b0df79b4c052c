// Transport rules: https everywhere, plain http only to loopback or with an explicit opt-in
// (tokens and client secrets would otherwise cross the network in clear text).
import * as net from "node:net";
import { TridionError } from "../errors/tridionError";
import type { SettingSpec } from "./settingSpec";

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (net.isIPv4(host)) return host.startsWith("127.");
  if (net.isIPv6(host)) return host === "::1" || host === "0:0:0:0:0:0:0:1" || /^::ffff:127\./.test(host);
  return false;
}

/** Throws a TridionError when `url` is not a usable base URL under the transport rules. */
export function checkUrlTransport(url: string, spec: SettingSpec, allowInsecureHttp: boolean): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TridionError(
      "SETTING_INVALID",
      `Provider setting ${spec.key} (env ${spec.env}) is ${JSON.stringify(url)}: not an absolute URL. Fix: \`pulumi config set ${spec.key} ${spec.example}\`.`,
    );
  }
  if (parsed.protocol === "https:") return;
  if (parsed.protocol !== "http:") {
    throw new TridionError(
      "SETTING_INVALID",
      `Provider setting ${spec.key} is ${JSON.stringify(url)}: only https (or http with opt-in) is supported. Fix: \`pulumi config set ${spec.key} ${spec.example}\`.`,
    );
  }
  if (allowInsecureHttp || isLoopbackHost(parsed.hostname)) return;
  throw new TridionError(
    "SETTING_INVALID",
    `Refusing plain http for ${spec.key} (${url}): tokens and client secrets would cross the network unencrypted. ` +
      `Fix: use an https URL (with tridion:caCertificate for an internal CA), or, if you accept the risk on a trusted network, ` +
      `\`pulumi config set tridion:allowInsecureHttp true\` (or TRIDION_ALLOW_INSECURE_HTTP=true).`,
  );
}
