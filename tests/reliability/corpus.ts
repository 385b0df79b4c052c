// The bad-input corpus: every case builds one wrong input (a package, a configuration, a provider
// setting, a credential or an identity input) and says which phrases of the error name the cause
// and which name the fix. badInput.test.ts runs each one through the provider (check, then create,
// as the engine would) and proves that nothing changed on the server.
import * as fs from "node:fs";
import * as path from "node:path";
import { ZipArchive } from "archiver";
import { buildRawZip, buildZip, manifest, packageFiles, type TestEmulator } from "../helpers/emulator";
import type { Config } from "../provider/support";
import { signIn } from "../helpers/accessManagement";
import { amApi } from "./support";

export type ResourceKind = "addonPackage" | "clientCredentialUser" | "serviceAccount";
type Props = Record<string, unknown>;

/** What a case can use: the emulators (10 and 9.6) and a scratch folder for its files. */
export interface Fixture {
  emulator: TestEmulator;
  emulator96: TestEmulator;
  dir: string;
  /** Milliseconds the emulator clock runs ahead of this process (after a clock advance). */
  clockOffsetMs: number;
}

export interface Arranged {
  inputs: Props;
  /** Provider settings besides (or instead of) the defaults of the case's emulator. */
  config?: (base: Config) => Config;
  /** Secret values this case handed to the provider: none may appear in the error. */
  secrets?: string[];
}

export interface BadInputCase {
  name: string;
  group: "package" | "configuration" | "settings" | "credentials" | "identity";
  resource: ResourceKind;
  /** Which emulator the provider talks to (default "10"). */
  productVersion?: "10" | "9.6";
  arrange(f: Fixture): Promise<Arranged>;
  /** Phrases naming the cause. */
  cause: RegExp[];
  /** Phrases naming the fix. */
  fix: RegExp[];
}

export const ADDON_ID = "acme-publishing-tools";
export const ADDONS_ADMIN = "Tridion.AddonService.Administrator";

// ---- fixture builders ---------------------------------------------------------------------------

let counter = 0;
function scratch(f: Fixture, name: string): string {
  const dir = path.join(f.dir, `${++counter}-${name}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** A folder holding `files` (names with "/" become sub folders). */
function folder(f: Fixture, files: Record<string, string | Buffer>): string {
  const dir = scratch(f, "addon");
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, ...name.split("/"));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return dir;
}

function zipFile(f: Fixture, fileName: string, bytes: Buffer): string {
  const file = path.join(scratch(f, "zip"), fileName);
  fs.writeFileSync(file, bytes);
  return file;
}

/** Package inputs: adopt is on, so a package that got past validation would replace the baseline add-on. */
function addon(source: string, extra: Props = {}): Arranged {
  return { inputs: { source, adopt: true, activationTimeoutSeconds: 0, ...extra } };
}

function withManifest(fields: Props, drop: string[] = []): Record<string, string | Buffer> {
  const m = manifest(fields);
  for (const k of drop) delete m[k];
  return packageFiles(m);
}

/** Deflated at level 9: 48 MiB of zeros shrink about a thousandfold. */
function highlyCompressedZip(files: Record<string, string | Buffer>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const archive = new ZipArchive({ zlib: { level: 9 } });
    const chunks: Buffer[] = [];
    archive.on("data", (c: Buffer) => chunks.push(c));
    archive.on("end", () => resolve(Buffer.concat(chunks)));
    archive.on("error", reject);
    for (const [name, content] of Object.entries(files)) archive.append(content, { name });
    void archive.finalize();
  });
}

const identity = (extra: Props = {}): Arranged => ({
  inputs: { userName: "reliability-deployer", roles: [ADDONS_ADMIN], ...extra },
});

/** A user who signed in, holding `roleKeys`, with client credentials an admin made; returns its credential. */
async function userWithSecret(f: Fixture, name: string, roleKeys: string[], days = 30) {
  const api = await amApi(f.emulator);
  const user = await signIn(f.emulator, name);
  await api.access.setRoles("Users", user.id, roleKeys);
  const generated = await api.access.generateSecret("Users", user.id);
  const expiresAt = new Date(Date.now() + f.clockOffsetMs + days * 86_400_000).toISOString();
  const shortened = await api.access.setSecretExpiry("Users", user.id, generated.id, expiresAt);
  if (shortened.status !== 200) throw new Error(`shorten the secret: ${shortened.status} ${JSON.stringify(shortened.data)}`);
  return { user, secret: { id: generated.id, clientId: generated.clientId, secret: generated.clientSecret }, api };
}

// ---- the corpus ---------------------------------------------------------------------------------

export const corpus: BadInputCase[] = [
  // packages
  {
    name: "a .zip that is not a ZIP (corrupt)",
    group: "package",
    resource: "addonPackage",
    arrange: async (f) => addon(zipFile(f, `${ADDON_ID}.zip`, Buffer.from("PK\u0003\u0004 this is not really a zip archive, just text"))),
    cause: [/is not a readable ZIP archive/],
    fix: [/Rebuild it/, /pass the add-on folder as source/],
  },
  {
    name: "a ZIP cut short (truncated download)",
    group: "package",
    resource: "addonPackage",
    arrange: async (f) => {
      const zip = await buildZip(packageFiles());
      return addon(zipFile(f, `${ADDON_ID}.zip`, zip.subarray(0, zip.length - 30)));
    },
    cause: [/is not a readable ZIP archive/, /truncated/],
    fix: [/check that the file was copied completely/],
  },
  {
    name: "a folder without manifest.json",
    group: "package",
    resource: "addonPackage",
    arrange: async (f) => addon(folder(f, { "CM/Acme.EventHandler.dll": "MZ" })),
    cause: [/has no manifest\.json/],
    fix: [/Add manifest\.json at the top of the folder/],
  },
  {
    name: "manifest.json in a sub folder, not at the root (folder)",
    group: "package",
    resource: "addonPackage",
    arrange: async (f) => addon(folder(f, Object.fromEntries(Object.entries(packageFiles()).map(([k, v]) => [`acme/${k}`, v])))),
    cause: [/no manifest\.json at its root; one was found inside the subfolder "acme\/"/],
    fix: [/Point source at the folder "acme"/],
  },
  {
    name: "manifest.json in a sub folder, not at the root (ZIP)",
    group: "package",
    resource: "addonPackage",
    arrange: async (f) =>
      addon(
        zipFile(f, `${ADDON_ID}.zip`, await buildZip(Object.fromEntries(Object.entries(packageFiles()).map(([k, v]) => [`acme/${k}`, v])))),
      ),
    cause: [/no manifest\.json at its root; one was found inside the subfolder "acme\/"/],
    fix: [/Zip the contents of "acme" rather than the folder itself/],
  },
  {
    name: "Manifest.JSON in the wrong case",
    group: "package",
    resource: "addonPackage",
    arrange: async (f) => {
      const files = packageFiles();
      const text = files["manifest.json"];
      delete files["manifest.json"];
      return addon(folder(f, { "Manifest.JSON": text, ...files }));
    },
    cause: [/"Manifest\.JSON" at its root but no "manifest\.json"/, /case-sensitive/],
    fix: [/Rename it to "manifest\.json"/],
  },
  {
    name: "manifest.json is not valid JSON",
    group: "package",
    resource: "addonPackage",
    arrange: async (f) => addon(folder(f, { ...packageFiles(), "manifest.json": '{ "id": "acme-publishing-tools", "version": "1.0" ' })),
    cause: [/manifest\.json is not valid JSON/, /line 1, column 51/],
    fix: [/Correct the JSON in manifest\.json/],
  },
  {
    name: "manifest without an id",
    group: "package",
    resource: "addonPackage",
    arrange: async (f) => addon(folder(f, withManifest({}, ["id"]))),
    cause: [/manifest\.json has no "id"/],
    fix: [/Add the mandatory add-on id/],
  },
  {
    name: "manifest id longer than 255 characters",
    group: "package",
    resource: "addonPackage",
    arrange: async (f) => addon(folder(f, withManifest({ id: "a".repeat(256) }))),
    cause: [/"id" is 256 characters long/, /allows at most 255/],
    fix: [/Shorten "id" to 255 characters or fewer/],
  },
  {
    name: "manifest id with characters a file name cannot hold",
    group: "package",
    resource: "addonPackage",
    arrange: async (f) => addon(folder(f, withManifest({ id: "acme:tools/v2" }))),
    cause: [/"id" "acme:tools\/v2" contains ":", which cannot appear in a file name/],
    fix: [/Fix: Correct "id" \(letters, digits, dots, dashes and underscores are safe\)/],
  },
  {
    name: "manifest with an empty description",
    group: "package",
    resource: "addonPackage",
    arrange: async (f) => addon(folder(f, withManifest({ description: "" }))),
    cause: [/"description" must be a non-empty string, but it is an empty string/],
    fix: [/Add a short description/],
  },
  {
    name: "manifest with a bad requireConfiguration",
    group: "package",
    resource: "addonPackage",
    arrange: async (f) => addon(folder(f, withManifest({ requireConfiguration: "maybe" }))),
    cause: [/"requireConfiguration" must be "yes", "no" or "optional", but it is the string "maybe"/],
    fix: [/Set "requireConfiguration" to "yes", "no" or "optional"/],
  },
  {
    name: "manifest refers to a file the package lacks",
    group: "package",
    resource: "addonPackage",
    arrange: async (f) => {
      const files = packageFiles();
      delete files["CM/Acme.EventHandler.dll"];
      return addon(folder(f, files));
    },
    cause: [
      /extension "AcmeEventHandler" properties\.assemblyFileSource points to "CM\\\\Acme\.EventHandler\.dll"/,
      /has no file "CM\/Acme\.EventHandler\.dll"/,
    ],
    fix: [/Add the file at that path inside the package, or correct properties\.assemblyFileSource/],
  },
  {
    name: "ZIP entry escaping with ../ (path traversal)",
    group: "package",
    resource: "addonPackage",
    arrange: async (f) =>
      addon(zipFile(f, `${ADDON_ID}.zip`, buildRawZip({ ...packageFiles(), "../../etc/cron.d/evil": "* * * * * root sh" }))),
    cause: [/the entry "\.\.\/\.\.\/etc\/cron\.d\/evil", which climbs out of the package root/],
    fix: [/Rebuild the ZIP from the add-on folder with relative paths only/],
  },
  {
    name: "ZIP entry with an absolute path",
    group: "package",
    resource: "addonPackage",
    arrange: async (f) => addon(zipFile(f, `${ADDON_ID}.zip`, buildRawZip({ ...packageFiles(), "/etc/passwd": "root:x:0:0" }))),
    cause: [/the entry "\/etc\/passwd", which is an absolute path/],
    fix: [/Rebuild the ZIP from the add-on folder with relative paths only/],
  },
  {
    name: "ZIP entry with a Windows drive letter",
    group: "package",
    resource: "addonPackage",
    arrange: async (f) => addon(zipFile(f, `${ADDON_ID}.zip`, buildRawZip({ ...packageFiles(), "C:\\Windows\\win.ini": "[fonts]" }))),
    cause: [/the entry "C:\\\\Windows\\\\win\.ini", which starts with a drive letter/],
    fix: [/Rebuild the ZIP from the add-on folder with relative paths only/],
  },
  {
    name: "zip bomb (48 MiB of zeros in a few KiB)",
    group: "package",
    resource: "addonPackage",
    arrange: async (f) =>
      addon(zipFile(f, `${ADDON_ID}.zip`, await highlyCompressedZip({ ...packageFiles(), "data/zeros.bin": Buffer.alloc(48 << 20) }))),
    cause: [/the entry "data\/zeros\.bin" expands from .* to 48\.0 MiB \(ratio \d+:1, limit 200:1\)/, /ZIP bomb/],
    fix: [/Check where this ZIP came from/, /raise the maxCompressionRatio limit/],
  },
  {
    name: "package larger than the service accepts (413)",
    group: "package",
    resource: "addonPackage",
    // the emulator under test refuses uploads over 256 KiB; random bytes do not compress
    arrange: async (f) =>
      addon(folder(f, { ...packageFiles(), "dist/acme-action/blob.bin": (await import("node:crypto")).randomBytes(400 << 10) })),
    cause: [/refused the request as too large \(413 Payload Too Large\)/, /larger than the limit of 262144 bytes/],
    fix: [/make the package smaller/, /raise the upload limit of the service/],
  },
  {
    name: "ZIP file name that does not match the manifest id",
    group: "package",
    resource: "addonPackage",
    arrange: async (f) => addon(zipFile(f, "My Add-on (final).zip", await buildZip(packageFiles()))),
    cause: [/My Add-on \(final\)\.zip/],
    fix: [/acme-publishing-tools-1\.4\.0\.zip/],
  },
  {
    name: "two entries differing only in case",
    group: "package",
    resource: "addonPackage",
    arrange: async (f) =>
      addon(zipFile(f, `${ADDON_ID}.zip`, buildRawZip({ ...packageFiles(), "docs/README.md": "a", "docs/readme.md": "b" }))),
    cause: [/holds both "docs\/README\.md" and "docs\/readme\.md", which differ only in case/],
    fix: [/Rename or remove one of them/],
  },
  {
    name: "a file name with a backslash inside (folder on Linux)",
    group: "package",
    resource: "addonPackage",
    arrange: async (f) => addon(folder(f, { ...packageFiles(), "dist/odd\\name.js": "x" })),
    cause: [/odd\\name\.js has a backslash in its name/],
    fix: [/Rename it without "\\"/],
  },
  {
    name: "the source path does not exist",
    group: "package",
    resource: "addonPackage",
    arrange: async (f) => addon(path.join(f.dir, "no-such-addon")),
    cause: [/no-such-addon/, /does not exist/],
    fix: [/Set source to/],
  },

  // configurations
  {
    name: "configuration names an extension the manifest lacks",
    group: "configuration",
    resource: "addonPackage",
    arrange: async (f) => addon(folder(f, packageFiles()), { configuration: { configuration: { AcmeEventHandlr: { threshold: 5 } } } }),
    cause: [/AcmeEventHandlr/],
    fix: [/AcmeEventHandler/],
  },
  {
    name: "configuration text that is not JSON",
    group: "configuration",
    resource: "addonPackage",
    arrange: async (f) => addon(folder(f, packageFiles()), { configuration: '{ "configuration": { "AcmeEventHandler": ' }),
    cause: [/not valid JSON/],
    fix: [/correct the JSON text|as an object/],
  },
  {
    name: "configuration with SitesCM in the wrong case",
    group: "configuration",
    resource: "addonPackage",
    arrange: async (f) => addon(folder(f, packageFiles()), { configuration: { SitesCM: { isEnabled: true } } }),
    cause: [/SitesCM/],
    fix: [/sitesCm/],
  },
  {
    name: "configuration that is a JSON array",
    group: "configuration",
    resource: "addonPackage",
    arrange: async (f) => addon(folder(f, packageFiles()), { configuration: "[1, 2]" }),
    cause: [/must be a JSON object/],
    fix: [/"configuration": \{ "<extension name>"/],
  },
  {
    name: "requireConfiguration yes without a configuration",
    group: "configuration",
    resource: "addonPackage",
    arrange: async (f) => addon(folder(f, withManifest({ requireConfiguration: "yes" }))),
    cause: [/requireConfiguration: yes/, /wait for a configuration forever/],
    fix: [/set `configuration`/],
  },

  // provider settings
  {
    name: "no Access Management URL",
    group: "settings",
    resource: "addonPackage",
    arrange: async (f) => ({ ...addon(folder(f, packageFiles())), config: (c) => without(c, "tridion:accessManagementUrl") }),
    cause: [/Missing provider setting tridion:accessManagementUrl/],
    fix: [/pulumi config set tridion:accessManagementUrl/, /TRIDION_ACCESS_MANAGEMENT_URL/],
  },
  {
    name: "no Add-ons URL",
    group: "settings",
    resource: "addonPackage",
    arrange: async (f) => ({ ...addon(folder(f, packageFiles())), config: (c) => without(c, "tridion:addonsUrl") }),
    cause: [/Missing provider setting tridion:addonsUrl/],
    fix: [/pulumi config set tridion:addonsUrl/, /TRIDION_ADDONS_URL/],
  },
  {
    name: "no client secret",
    group: "settings",
    resource: "addonPackage",
    arrange: async (f) => ({ ...addon(folder(f, packageFiles())), config: (c) => without(c, "tridion:clientSecret") }),
    cause: [/Missing provider setting tridion:clientSecret/],
    fix: [/pulumi config set --secret tridion:clientSecret/],
  },
  {
    name: "plain http to a host that is not loopback, without opt-in",
    group: "settings",
    resource: "addonPackage",
    arrange: async (f) => ({
      ...addon(folder(f, packageFiles())),
      config: (c) => ({ ...c, "tridion:accessManagementUrl": "http://sites.example.com/access-management" }),
    }),
    cause: [/Refusing plain http/, /sites\.example\.com/, /unencrypted/],
    fix: [/https URL/, /tridion:allowInsecureHttp true/],
  },
  {
    name: "tridion:routes that is not JSON",
    group: "settings",
    resource: "addonPackage",
    arrange: async (f) => ({ ...addon(folder(f, packageFiles())), config: (c) => ({ ...c, "tridion:routes": "{addons: /api/v1/addons" }) }),
    cause: [/tridion:routes/, /not valid JSON/],
    fix: [/pulumi config set tridion:routes/],
  },
  {
    name: "tridion:routes with an unknown route key",
    group: "settings",
    resource: "addonPackage",
    arrange: async (f) => ({
      ...addon(folder(f, packageFiles())),
      config: (c) => ({ ...c, "tridion:routes": JSON.stringify({ addonz: "/api/v1/addons" }) }),
    }),
    cause: [/unknown route key "addonz"/],
    fix: [/known keys: addons, addon,/],
  },
  {
    name: "tridion:caCertificate naming a file that does not exist",
    group: "settings",
    resource: "addonPackage",
    arrange: async (f) => ({
      ...addon(folder(f, packageFiles())),
      config: (c) => ({ ...c, "tridion:caCertificate": path.join(f.dir, "missing-ca.pem") }),
    }),
    cause: [/tridion:caCertificate/, /neither PEM text nor a readable file \(ENOENT\)/],
    fix: [/pulumi config set tridion:caCertificate/],
  },
  {
    name: "tridion:caCertificate naming a file without a certificate",
    group: "settings",
    resource: "addonPackage",
    arrange: async (f) => {
      const file = path.join(scratch(f, "ca"), "not-a-cert.pem");
      fs.writeFileSync(file, "hello\n");
      return { ...addon(folder(f, packageFiles())), config: (c) => ({ ...c, "tridion:caCertificate": file }) };
    },
    cause: [/holds no PEM certificate/],
    fix: [/pulumi config set tridion:caCertificate/],
  },
  {
    name: "tridion:requestTimeoutSeconds that is not a number",
    group: "settings",
    resource: "addonPackage",
    arrange: async (f) => ({ ...addon(folder(f, packageFiles())), config: (c) => ({ ...c, "tridion:requestTimeoutSeconds": "soon" }) }),
    cause: [/tridion:requestTimeoutSeconds/, /"soon"/],
    fix: [/expected a number from 1 to 3600/],
  },

  // credentials
  {
    name: "wrong client secret",
    group: "credentials",
    resource: "addonPackage",
    arrange: async (f) => {
      const wrong = "wrong-secret-" + "x".repeat(30);
      return {
        ...addon(folder(f, packageFiles()), { credentials: { clientId: f.emulator.credentials.admin.clientId, clientSecret: wrong } }),
        secrets: [wrong],
      };
    },
    cause: [/invalid_client/, /secret is wrong, expired or revoked/],
    fix: [/check tridion:clientId \/ tridion:clientSecret/, /create a new one/],
  },
  {
    name: "revoked client secret",
    group: "credentials",
    resource: "addonPackage",
    arrange: async (f) => {
      const { user, secret, api } = await userWithSecret(f, "revoked-deployer", [ADDONS_ADMIN]);
      await api.revokeSecret(user.id, secret.id);
      return {
        ...addon(folder(f, packageFiles()), { credentials: { clientId: secret.clientId, clientSecret: secret.secret } }),
        secrets: [secret.secret],
      };
    },
    cause: [/invalid_client/, /revoked/],
    fix: [/create a new one \(bump secretVersion/],
  },
  {
    name: "expired client secret (emulator clock moved past its expiry)",
    group: "credentials",
    resource: "addonPackage",
    arrange: async (f) => {
      const { secret } = await userWithSecret(f, "expired-deployer", [ADDONS_ADMIN], 1);
      const seconds = 2 * 86_400;
      f.emulator.advanceClock(seconds);
      f.clockOffsetMs += seconds * 1000;
      return {
        ...addon(folder(f, packageFiles()), { credentials: { clientId: secret.clientId, clientSecret: secret.secret } }),
        secrets: [secret.secret],
      };
    },
    cause: [/invalid_client/, /expired/],
    fix: [/create a new one \(bump secretVersion/],
  },
  {
    name: "the predefined Add-ons API account (Service role) uploading",
    group: "credentials",
    resource: "addonPackage",
    arrange: async (f) => ({
      ...addon(folder(f, packageFiles())),
      config: (c) => ({
        ...c,
        "tridion:clientId": f.emulator.credentials.addonsService.clientId,
        "tridion:clientSecret": f.emulator.credentials.addonsService.clientSecret,
      }),
    }),
    cause: [/lacks the role Tridion\.AddonService\.Administrator/, /holds Tridion\.AddonService\.Service/],
    fix: [/create a service account with the role Tridion\.AddonService\.Administrator/, /ServiceAccount resource/],
  },
  {
    name: "the predefined Add-ons API account on 9.6 (403 on upload)",
    group: "credentials",
    resource: "addonPackage",
    productVersion: "9.6",
    arrange: async (f) => ({
      ...addon(folder(f, packageFiles())),
      config: (c) => ({
        ...c,
        "tridion:clientId": f.emulator96.credentials.addonsService.clientId,
        "tridion:clientSecret": f.emulator96.credentials.addonsService.clientSecret,
      }),
    }),
    cause: [/lacks the role Tridion\.AddonService\.Administrator/],
    fix: [/"Add-ons API" account only has the Service role/, /ClientCredentialUser resource/],
  },
  {
    name: "wrong audience: an identity without access to the Add-ons API",
    group: "credentials",
    resource: "addonPackage",
    arrange: async (f) => {
      const { secret } = await userWithSecret(f, "cm-only-user", ["Tridion.ContentManager.Administrator"]);
      return {
        ...addon(folder(f, packageFiles()), { credentials: { clientId: secret.clientId, clientSecret: secret.secret } }),
        secrets: [secret.secret],
      };
    },
    cause: [/is not issued for the Add-ons Service \(its aud holds Tridion\.ContentManager/, /no access to the API Tridion\.AddonService/],
    fix: [/with the role Tridion\.AddonService\.Administrator/],
  },
  {
    name: "the Add-ons API account managing users (needs the AM Administrator role)",
    group: "credentials",
    resource: "clientCredentialUser",
    arrange: async (f) => ({
      ...identity(),
      config: (c) => ({
        ...c,
        "tridion:clientId": f.emulator.credentials.addonsService.clientId,
        "tridion:clientSecret": f.emulator.credentials.addonsService.clientSecret,
      }),
    }),
    cause: [/is not issued for Access Management \(its aud holds Tridion\.AddonService/, /Tridion\.AccessManagement\.Administrator/],
    fix: [/Access Management API Client \(admin\)/],
  },

  // identities
  {
    name: "ServiceAccount on Tridion Sites 9.6",
    group: "identity",
    resource: "serviceAccount",
    productVersion: "9.6",
    arrange: async () => ({ inputs: { accountName: "addon-deployer", roles: [ADDONS_ADMIN] } }),
    cause: [/9\.5\/9\.6 cannot create service accounts/],
    fix: [/use ClientCredentialUser instead/],
  },
  {
    name: "secretExpiresInDays 0",
    group: "identity",
    resource: "clientCredentialUser",
    arrange: async () => identity({ secretExpiresInDays: 0 }),
    cause: [/secretExpiresInDays/, /got 0/],
    fix: [/from 1 to 365/],
  },
  {
    name: "secretExpiresInDays 400",
    group: "identity",
    resource: "serviceAccount",
    arrange: async () => ({ inputs: { accountName: "addon-deployer", roles: [ADDONS_ADMIN], secretExpiresInDays: 400 } }),
    cause: [/secretExpiresInDays/, /got 400/],
    fix: [/from 1 to 365/, /at most one year/],
  },
  {
    name: "a role that is not a role key",
    group: "identity",
    resource: "clientCredentialUser",
    arrange: async () => identity({ roles: ["Administrator"] }),
    cause: [/"Administrator" is not a role key/],
    fix: [/"Tridion\.AddonService\.Administrator"/],
  },
  {
    name: "an unknown role key",
    group: "identity",
    resource: "clientCredentialUser",
    arrange: async () => identity({ roles: ["Tridion.AddonService.Superuser"] }),
    // Found in preview, from Access Management's own list of APIs and roles (api-resources).
    cause: [/roles: Tridion\.AddonService\.Superuser: Tridion\.AddonService has no such role/],
    fix: [/Its roles: Tridion\.AddonService\.Administrator, Tridion\.AddonService\.Service, Tridion\.AddonService\.ReadOnly/],
  },
  {
    name: "a role key of an API Access Management does not know",
    group: "identity",
    resource: "serviceAccount",
    arrange: async () => ({ inputs: { accountName: "addon-deployer", roles: ["Tridion.AddonServices.Administrator"] } }),
    cause: [/Access Management has no API "Tridion\.AddonServices"/],
    fix: [/Known APIs: .*Tridion\.AddonService\b/],
  },
  {
    name: "two roles on one API",
    group: "identity",
    resource: "serviceAccount",
    arrange: async () => ({ inputs: { accountName: "addon-deployer", roles: [ADDONS_ADMIN, "Tridion.AddonService.ReadOnly"] } }),
    cause: [/two roles on the same API \(Tridion\.AddonService\)/],
    fix: [/Keep one of them/],
  },
  {
    name: "an empty userName",
    group: "identity",
    resource: "clientCredentialUser",
    arrange: async () => identity({ userName: "  " }),
    cause: [/needs `userName`/],
    fix: [/the user name in Access Management/],
  },
  {
    name: "a user who has never signed in (Access Management creates users at sign-in)",
    group: "identity",
    resource: "clientCredentialUser",
    arrange: async () => identity({ userName: "never-signed-in" }),
    cause: [
      /Cannot find the user "never-signed-in" in Access Management: nobody of that name has signed in yet/,
      /its API cannot create users/,
    ],
    fix: [/Fix: sign in once as "never-signed-in"/, /or correct userName/],
  },
  {
    name: "two users of one name through different identity providers",
    group: "identity",
    resource: "clientCredentialUser",
    arrange: async (f) => {
      await signIn(f.emulator, "twin-deployer", { identityProvider: "EntraId" });
      await signIn(f.emulator, "twin-deployer", { identityProvider: "Windows" });
      return identity({ userName: "twin-deployer" });
    },
    cause: [
      /2 users of that name have signed in to Access Management through different identity providers/,
      /identityProvider: "EntraId"/,
      /identityProvider: "Windows"/,
    ],
    fix: [/Fix: set identityProvider on this ClientCredentialUser/],
  },
  {
    name: "an identityProvider none of the users of that name signed in with",
    group: "identity",
    resource: "clientCredentialUser",
    arrange: async () => identity({ identityProvider: "Okta" }),
    cause: [/identityProvider: Cannot find the user "reliability-deployer" signed in through the identity provider "Okta"/],
    fix: [/set identityProvider to one of those, or leave it out/],
  },
  {
    name: "a deactivated user",
    group: "identity",
    resource: "clientCredentialUser",
    arrange: async (f) => {
      const user = await signIn(f.emulator, "deactivated-deployer");
      const api = await amApi(f.emulator);
      const res = await api.access.put(`/Users/${user.id}/deactivate`, undefined);
      if (res.status !== 200) throw new Error(`deactivate: ${res.status}`);
      return identity({ userName: "deactivated-deployer" });
    },
    cause: [/"deactivated-deployer" \(id \d+\) is deactivated in Access Management/, /get no token/],
    fix: [/Fix: activate the user in Access Management/],
  },
  {
    name: "rotateBeforeDays not below secretExpiresInDays",
    group: "identity",
    resource: "clientCredentialUser",
    arrange: async () => identity({ secretExpiresInDays: 30, rotateBeforeDays: 30 }),
    cause: [/rotateBeforeDays \(30\) must be less than secretExpiresInDays \(30\)/],
    fix: [/every `up` would rotate the secret/],
  },
];

function without(config: Config, key: string): Config {
  const copy = { ...config };
  delete copy[key];
  return copy;
}
