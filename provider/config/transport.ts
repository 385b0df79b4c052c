// Transport rules: https everywhere, plain http only to loopback or with an explicit opt-in
// (tokens and client secrets would otherwise cross the network in clear text).
import * as net from "node:net";
import { TridionError } from "../errors/tridionError";
import type { SettingSpec } from "./settingSpec";

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/**
 * Whether a host name is this machine without asking a resolver: the name `localhost`, an address
 * in 127.0.0.0/8, or ::1 (also as an IPv4-mapped 127.x address). Not `*.localhost`: a resolver or
 * a hosts file may send such a name anywhere.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost") return true;
  if (net.isIPv4(host)) return LOOPBACK.check(host, "ipv4");
  if (net.isIPv6(host)) return LOOPBACK.check(host, "ipv6");
  return false;
}

/** Whether a URL is plain http to a loopback address (allowed without the opt-in). */
export function isLoopbackHttp(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" && isLoopbackHost(parsed.hostname);
  } catch {
    return false;
  }
}

/** Throws a TridionError when `url` is not a usable base URL under the transport rules. */
export function checkUrlTransport(url: string, spec: SettingSpec, allowInsecureHttp: boolean): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TridionError(
      "SETTING_INVALID",
      `Provider setting ${spec.key} (env ${spec.env}) is ${JSON.stringify(url)}: not an absolute URL.`,
      { fix: `\`pulumi config set ${spec.key} ${spec.example}\`.` },
    );
  }
  if (parsed.protocol === "https:") return;
  if (parsed.protocol !== "http:") {
    throw new TridionError(
      "SETTING_INVALID",
      `Provider setting ${spec.key} is ${JSON.stringify(url)}: only https (or http with opt-in) is supported.`,
      { fix: `\`pulumi config set ${spec.key} ${spec.example}\`.` },
    );
  }
  if (allowInsecureHttp || isLoopbackHost(parsed.hostname)) return;
  throw new TridionError(
    "SETTING_INVALID",
    `Refusing plain http for ${spec.key} (${url}): tokens and client secrets would cross the network unencrypted.`,
    {
      fix:
        "use an https URL (with tridion:caCertificate for an internal CA), or, if you accept the risk on a trusted network, " +
        "`pulumi config set tridion:allowInsecureHttp true` (or TRIDION_ALLOW_INSECURE_HTTP=true).",
    },
  );
}
