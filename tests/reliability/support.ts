// Shared by the reliability tests: the admin identity on the real Access Management and Add-ons
// APIs (to arrange accounts and to see what the server holds), a snapshot of everything a
// deployment could change, and the writes in the emulator's request log.
import * as fs from "node:fs";
import * as path from "node:path";
import { amAdmin, signIn } from "../helpers/accessManagement";
import { bearer, getToken, http, manifest, packageFiles, type TestEmulator } from "../helpers/emulator";
import type { RequestLogEntry } from "../../emulator";

type Json = Record<string, any>;

function ok<T>(what: string, r: { status: number; data: T }, ...expected: number[]): T {
  if (!expected.includes(r.status)) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.data)}`);
  return r.data;
}

/** The bootstrap admin on the management and Add-ons APIs; a fresh token per call (tests move the clock). */
export async function amApi(emulator: TestEmulator) {
  const token = () => getToken(emulator, emulator.credentials.admin);
  const am = (p: string) => `${emulator.accessManagementUrl}/api/v1${p}`;
  const addons = (p = "") => `${emulator.addonsUrl}/api/v1/addons${p}`;
  const access = await amAdmin(emulator);
  return {
    access,
    async users(): Promise<Json[]> {
      return ok("list users", await http.get(am("/Users"), bearer(await token())), 200);
    },
    async serviceAccounts(): Promise<Json[]> {
      return ok("list service accounts", await http.get(am("/ServiceAccounts"), bearer(await token())), 200);
    },
    /** A user who signed in, with these roles and a secret of their own (made in the Access Management UI, say). */
    async userWithSecret(
      name: string,
      roleKeys: string[],
      days: number,
    ): Promise<{ id: number; clientId: string; secret: string; secretId: number; expiresAt: string }> {
      const user = await signIn(emulator, name);
      await access.setRoles("Users", user.id, roleKeys);
      const generated = await access.generateSecret("Users", user.id);
      const expiresAt = new Date(Date.now() + days * 86_400_000).toISOString();
      ok("shorten the secret", await access.setSecretExpiry("Users", user.id, generated.id, expiresAt), 200);
      return { id: user.id, clientId: generated.clientId, secret: generated.clientSecret, secretId: generated.id, expiresAt };
    },
    async revokeSecret(userId: number, secretId: number) {
      return ok("revoke secret", await access.revokeSecret("Users", userId, secretId), 204);
    },
    async addons(): Promise<Json[]> {
      return ok("list add-ons", await http.get(addons(), bearer(await token())), 200);
    },
    async addon(id: string): Promise<Json | undefined> {
      const r = await http.get(addons(`/${encodeURIComponent(id)}`), bearer(await token()));
      return r.status === 404 ? undefined : ok("get add-on", r, 200);
    },
    async configuration(id: string): Promise<unknown> {
      const r = await http.get(addons(`/${encodeURIComponent(id)}/configuration`), bearer(await token()));
      return r.status === 404 ? undefined : ok("get configuration", r, 200);
    },
  };
}

/**
 * Everything a deployment could change: users and service accounts (access links, secrets with
 * expiry), add-ons (package, configuration, enabled). Status and last-login times are left out:
 * they move on their own.
 */
export async function serverSnapshot(emulator: TestEmulator) {
  const api = await amApi(emulator);
  const accounts = (list: Json[]) =>
    list
      .map((a) => ({
        id: a.id,
        name: a.name,
        clientId: a.clientId,
        enabled: a.isEnabled,
        access: a.accessControlEntry,
        secrets: (a.clientSecrets as Json[]).map((s) => ({ id: s.id, expiresAt: s.expiresAt })).sort((x, y) => x.id - y.id),
      }))
      .sort((x, y) => x.name.localeCompare(y.name) || x.id - y.id);
  const addons = (await api.addons())
    .map((a) => ({
      id: a.id,
      version: a.version,
      packageSha256: a.packageSha256,
      packageFileName: a.packageFileName,
      configurationSha256: a.configurationSha256 ?? null,
      disabled: a.status === "Disabled",
    }))
    .sort((x, y) => x.id.localeCompare(y.id));
  return {
    users: accounts(await api.users()),
    serviceAccounts: accounts(await api.serviceAccounts()),
    addons,
  };
}

/** Writes the server accepted (anything but reads and token requests, answered 2xx). */
export function writesIn(log: RequestLogEntry[]): RequestLogEntry[] {
  return log.filter((r) => r.method !== "GET" && r.method !== "HEAD" && !r.path.endsWith("/connect/token") && r.status < 300);
}

/** A valid add-on folder with the manifest fields given, written under `dir`. */
export function writeAddon(dir: string, fields: Record<string, unknown> = {}, extraFiles: Record<string, string | Buffer> = {}): string {
  fs.rmSync(dir, { recursive: true, force: true });
  const files = { ...packageFiles(manifest(fields)), ...extraFiles };
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, ...name.split("/"));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return dir;
}

/** Output values of a stack as a plain object (decrypted: never print it). */
export function values(outputs: Record<string, { value: unknown }>): Record<string, any> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
}

/** Where in a JSON value a known secret appears in plain text: paths only, never the values. */
export function secretPaths(value: unknown, findIn: (text: string) => string[], at = "$"): string[] {
  if (typeof value === "string") return findIn(value).length ? [at] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => secretPaths(v, findIn, `${at}[${i}]`));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => secretPaths(v, findIn, `${at}.${k}`));
  return [];
}

/**
 * The stack state as stored by the file backend (checkpoints and their backups), as text: secrets
 * there are ciphertext. (`exportStack()` decrypts them, so scans read the files instead.)
 */
export function storedStateText(workspaceDir: string): string {
  const root = path.join(workspaceDir, ".pulumi", "backend", ".pulumi");
  const texts: string[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.json(\.bak)?$/.test(entry.name) || entry.name.endsWith(".json.gz")) texts.push(fs.readFileSync(full, "utf8"));
    }
  };
  walk(root);
  if (texts.length === 0) throw new Error(`no stored state under ${root}`);
  return texts.join("\n");
}

/** The resources of an exported deployment the provider manages (the engine's own provider resources, which record the stack config, left out). */
export function managedResources(deployment: { deployment?: { resources?: Array<Record<string, any>> } }): Array<Record<string, any>> {
  return (deployment.deployment?.resources ?? []).filter((r) => !String(r.type).startsWith("pulumi:providers:"));
}
