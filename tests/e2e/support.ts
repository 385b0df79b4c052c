// What the end-to-end stories share: the admin identity talking to the real emulator API (to make
// out-of-band changes and to see what the server holds), add-on folders on disk, a snapshot of
// the server, and the quickstart program with its knobs in stack config.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { bearer, buildZip, getToken, http, manifest, packageFiles, requestToken, uploadPackage } from "../helpers/emulator";
import type { TestEmulator } from "../helpers/emulator";
import { amAdmin, type AmAccount } from "../helpers/accessManagement";

export const ADDON_ID = "acme-publishing-tools";
export const ADDONS_ADMIN = "Tridion.AddonService.Administrator";
export const DEPLOYER = "addon-deployer";

/** The admin identity on the real API (a fresh token per call: tests may move the clock). */
export function adminApi(emulator: TestEmulator) {
  const token = () => getToken(emulator, emulator.credentials.admin);
  const access = () => amAdmin(emulator);
  const addons = (p = "") => `${emulator.addonsUrl}/api/v1/addons${p}`;
  const ok = <T>(what: string, r: { status: number; data: T }, ...expected: number[]): T => {
    if (!expected.includes(r.status)) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.data)}`);
    return r.data;
  };
  return {
    async users(): Promise<AmAccount[]> {
      return (await access()).list("Users");
    },
    async userByName(name: string): Promise<AmAccount | undefined> {
      return (await this.users()).find((u) => u.name === name);
    },
    /** The role keys a user holds (from its accessControlEntry links). */
    async rolesOf(name: string): Promise<string[]> {
      const am = await access();
      const user = await this.userByName(name);
      return user ? am.rolesOf(user) : [];
    },
    /** An administrator replaces the user's roles in the Access Management UI. */
    async setUserRoles(id: number, roleKeys: string[]) {
      return (await access()).setRoles("Users", id, roleKeys);
    },
    async secrets(userId: number): Promise<Array<{ id: number; expiresAt: string }>> {
      return ((await (await access()).account("Users", userId))?.clientSecrets ?? []).map((s) => ({ id: s.id, expiresAt: s.expiresAt }));
    },
    async revokeSecret(userId: number, secretId: number) {
      return ok("revoke secret", await (await access()).revokeSecret("Users", userId, secretId), 204);
    },
    async shortenSecret(userId: number, secretId: number, expiresAt: string) {
      return ok("shorten secret", await (await access()).setSecretExpiry("Users", userId, secretId, expiresAt), 200);
    },
    async addons(): Promise<Array<Record<string, any>>> {
      return ok("list add-ons", await http.get(addons(), bearer(await token())), 200);
    },
    async addon(id = ADDON_ID): Promise<Record<string, any> | undefined> {
      const r = await http.get(addons(`/${id}`), bearer(await token()));
      return r.status === 404 ? undefined : ok("get add-on", r, 200);
    },
    async configuration(id = ADDON_ID): Promise<unknown> {
      return ok("get configuration", await http.get(addons(`/${id}/configuration`), bearer(await token())), 200);
    },
    async putConfiguration(config: unknown, id = ADDON_ID) {
      return ok("put configuration", await http.put(addons(`/${id}/configuration`), config, bearer(await token())), 200);
    },
    async deleteAddon(id = ADDON_ID) {
      return ok("delete add-on", await http.delete(addons(`/${id}`), bearer(await token())), 204);
    },
    async replacePackage(zip: Buffer, fileName: string, id = ADDON_ID) {
      return ok("replace package", await uploadPackage(addons(`/${id}`), await token(), zip, fileName, "PUT"), 200);
    },
  };
}

/** Whether a client id/secret pair gets a token, and the roles in it. */
export async function tokenRoles(emulator: TestEmulator, clientId: string, clientSecret: string): Promise<string[] | "rejected"> {
  const r = await requestToken(emulator.accessManagementUrl, clientId, clientSecret);
  if (r.status !== 200) return "rejected";
  const payload = JSON.parse(Buffer.from(String(r.data.access_token).split(".")[1], "base64url").toString("utf8"));
  return ([] as string[]).concat(payload.role ?? []);
}

/** Everything a stack could leave behind: users (with their roles and secrets) and add-ons. */
export async function snapshot(emulator: TestEmulator) {
  const am = await amAdmin(emulator);
  // A user's clientId is left out: Access Management gives a user one with its first secret and
  // keeps it (read only), so a user a stack gave credentials keeps the id after destroy.
  const users = (await am.list("Users")).map((u) => ({
    id: u.id,
    name: u.name,
    roles: am.rolesOf(u),
    secrets: u.clientSecrets.map((s) => s.id).sort((a, b) => a - b),
  }));
  const addons = [];
  for (const a of await adminApi(emulator).addons()) {
    addons.push({ id: a.id, version: a.version, packageSha256: a.packageSha256, configurationSha256: a.configurationSha256 ?? null });
  }
  return { users: users.sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id), addons };
}

/** Writes an add-on folder (the quickstart layout) for the manifest fields given; returns its path. */
export function writeAddonFolder(dir: string, fields: Record<string, unknown> = {}, files = packageFiles(manifest(fields))): string {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, ...name.split("/"));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return dir;
}

/** A ZIP of the quickstart layout with other manifest fields (an out-of-band replacement). */
export function addonZip(fields: Record<string, unknown>): Promise<Buffer> {
  return buildZip(packageFiles(manifest(fields)));
}

/** The quickstart's configuration, with the threshold given. */
export function quickstartConfiguration(threshold: number) {
  return {
    configuration: { AcmeEventHandler: { threshold } },
    sitesCm: { isEnabled: true, AcmeEventHandler: {} },
    live: { isEnabled: true, "acme-action": {} },
  };
}

type Tridion = typeof import("../../provider");

/**
 * The quickstart story: the pipeline user (who signed in once) gets client credentials and the
 * Add-ons Administrator role; the add-on is deployed *as that user*. Knobs in stack config under `e2e:` (source, threshold,
 * secret lifetime and version), so every change is a config change, as a user would make it.
 */
export function quickstartProgram(tridion: Tridion = require("pulumi-tridion")) {
  return async () => {
    const config = new pulumi.Config("e2e");
    const deployer = new tridion.ClientCredentialUser("addon-deployer", {
      userName: DEPLOYER,
      roles: [ADDONS_ADMIN],
      secretExpiresInDays: config.getNumber("secretExpiresInDays") ?? 90,
      rotateBeforeDays: config.getNumber("rotateBeforeDays") ?? 30,
      secretVersion: config.get("secretVersion"),
    });
    const addon = new tridion.AddonPackage("acme-publishing-tools", {
      source: config.require("addonSource"),
      configuration: quickstartConfiguration(config.getNumber("threshold") ?? 5),
      credentials: { clientId: deployer.clientId, clientSecret: deployer.clientSecret },
      activationTimeoutSeconds: 30,
    });
    return {
      deployerUserId: deployer.userId,
      deployerClientId: deployer.clientId,
      deployerClientSecret: deployer.clientSecret,
      deployerSecretId: deployer.secretId,
      deployerSecretExpiresAt: deployer.secretExpiresAt,
      addonId: addon.addonId,
      addonVersion: addon.version,
      addonStatus: addon.status,
      packageSha256: addon.packageSha256,
      packageFileName: addon.packageFileName,
      configurationSha256: addon.configurationSha256,
    };
  };
}

/** Output values of a stack as a plain object (decrypted; never print it). */
export function values(outputs: Record<string, { value: unknown }>): Record<string, any> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
}

/** Where in a JSON value a known secret appears in plain text: paths only, never the values. */
export function plaintextSecretPaths(value: unknown, findIn: (text: string) => string[], at = "$"): string[] {
  if (typeof value === "string") return findIn(value).length ? [at] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => plaintextSecretPaths(v, findIn, `${at}[${i}]`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => plaintextSecretPaths(v, findIn, `${at}.${k}`));
  }
  return [];
}
