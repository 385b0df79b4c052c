// The provider plugin's tarballs as users get them: `npm run plugin:pack` writes one per platform;
// each holds exactly the bundled plugin, its launcher and a README, deterministically. The
// linux-amd64 one, unpacked outside the repository (no node_modules anywhere above it), starts
// from its launcher and serves a whole AddonPackage and ServiceAccount lifecycle against the
// emulator over gRPC, its warnings reaching the engine's log; its launcher refuses a missing or
// old Node.js with the message users read. The real CLI installs it with `pulumi plugin install
// --file` and runs it. The macOS and Windows tarballs are checked by their contents only (there is
// no such machine here); the Windows launcher by its text.
import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { builtinModules } from "node:module";
import test from "ava";
import { requestToken, startTestEmulator } from "../helpers/emulator";
import { pluginOnEmulator } from "../helpers/pluginHost";
import { installPlugin, packPlugin, packPluginOnce, PLUGIN_TARGETS, PLUGIN_VERSION, pluginTarballPath } from "../helpers/pluginTarball";
import { openWorkspace } from "../helpers/pulumi";
import { SecretScanner } from "../helpers/secrets";
import { addonFolder, adminApi } from "../provider/support";

const exec = promisify(execFile);
const repoRoot = path.resolve(__dirname, "..", "..");
const version = PLUGIN_VERSION;
const PLUGIN = "pulumi-resource-tridion";
const TARGETS = [...PLUGIN_TARGETS];
const tarballOf = pluginTarballPath;
const ADDONS_ADMIN = "Tridion.AddonService.Administrator";
const ADDONS_READONLY = "Tridion.AddonService.ReadOnly";
const urn = (type: string, name: string) => `urn:pulumi:dev::tridion-yaml::tridion:index:${type}::${name}`;

interface TarEntry {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: number;
  type: string;
  data: Buffer;
}

/** A ustar archive's entries (what `pulumi plugin install` and `tar` read), parsed by hand. */
function readTarGz(file: string): { entries: TarEntry[]; gzipMtime: number } {
  const gz = fs.readFileSync(file);
  const tar = gunzipSync(gz);
  const text = (b: Buffer) => b.toString("utf8").replace(/\0.*$/s, "");
  const octal = (b: Buffer) => parseInt(text(b).trim() || "0", 8);
  const entries: TarEntry[] = [];
  for (let offset = 0; offset + 512 <= tar.length;) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const size = octal(header.subarray(124, 136));
    const prefix = text(header.subarray(345, 500));
    const name = text(header.subarray(0, 100));
    entries.push({
      name: prefix ? `${prefix}/${name}` : name,
      mode: octal(header.subarray(100, 108)),
      uid: octal(header.subarray(108, 116)),
      gid: octal(header.subarray(116, 124)),
      mtime: octal(header.subarray(136, 148)),
      type: text(header.subarray(156, 157)) || "0",
      uname: text(header.subarray(265, 297)),
      gname: text(header.subarray(297, 329)),
      data: Buffer.from(tar.subarray(offset + 512, offset + 512 + size)),
    });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return { entries, gzipMtime: gz.readUInt32LE(4) };
}

const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

const packedOnce = packPluginOnce;

/** The linux-amd64 tarball unpacked in a fresh temp folder with no node_modules above it. */
let unpacked: string | undefined;
function unpackedPlugin(): string {
  if (unpacked) return unpacked;
  const dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "tridion-plugin-"));
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) {
    if (fs.existsSync(path.join(path.dirname(d), "node_modules")))
      throw new Error(`${path.dirname(d)} holds node_modules: choose another TMPDIR`);
  }
  for (const entry of readTarGz(tarballOf("linux-amd64")).entries) {
    fs.writeFileSync(path.join(dir, entry.name), entry.data, { mode: entry.mode });
  }
  return (unpacked = dir);
}

test.after.always(() => {
  if (unpacked) fs.rmSync(unpacked, { recursive: true, force: true });
});

test("npm run plugin:pack writes one tarball per platform, each with exactly the bundle, its launcher and a README, deterministically", async (t) => {
  const listed = (await packedOnce()).trim().split("\n");
  t.deepEqual(
    listed.map((line) => path.resolve(repoRoot, line)),
    TARGETS.map(tarballOf),
  );
  const bundles = new Set<string>();
  for (const target of TARGETS) {
    const { entries, gzipMtime } = readTarGz(tarballOf(target));
    const launcher = target.startsWith("windows-") ? `${PLUGIN}.cmd` : PLUGIN;
    t.deepEqual(
      entries.map((e) => e.name),
      ["README.md", launcher, `${PLUGIN}.js`].sort(),
      `${target}: plain files at the root, sorted`,
    );
    for (const e of entries) {
      t.is(e.type, "0", `${target} ${e.name} is a regular file`);
      t.deepEqual([e.uid, e.gid, e.uname, e.gname], [0, 0, "", ""], `${target} ${e.name}: no owner of the build machine`);
      t.is(e.mtime, entries[0].mtime, `${target} ${e.name}: one fixed mtime`);
    }
    t.is(gzipMtime, 0, `${target}: gzip header without a time`);
    const byName = Object.fromEntries(entries.map((e) => [e.name, e]));
    t.is(byName[launcher].mode, 0o755, `${target}: the launcher is executable`);
    t.is(byName[`${PLUGIN}.js`].mode, 0o644);
    t.deepEqual(byName[launcher].data, fs.readFileSync(path.join(repoRoot, "provider", "bin", launcher)), "the repository's launcher");
    const readme = byName["README.md"].data.toString("utf8");
    t.true(readme.includes(`pulumi plugin install resource tridion ${version} --file ${PLUGIN}-v${version}-${target}.tar.gz`));
    t.regex(readme, /Node\.js 22 or later/);
    bundles.add(createHash("sha256").update(byName[`${PLUGIN}.js`].data).digest("hex"));
  }
  t.is(bundles.size, 1, "the same JavaScript in every tarball");

  // The bundle asks Node.js for its own modules only: every package it uses is inside it.
  const code = readTarGz(tarballOf("linux-amd64"))
    .entries.find((e) => e.name === `${PLUGIN}.js`)!
    .data.toString("utf8");
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  const required = [...code.matchAll(/\brequire\(\s*(?:\/\*[^]*?\*\/\s*)*"([^"]+)"/g)].map((m) => m[1]);
  t.true(required.length > 0);
  t.deepEqual([...new Set(required.filter((name) => !builtins.has(name)))], []);
  t.false(/\brequire\.resolve\b/.test(code), "nothing looked up beside the bundle");
  t.true(code.includes(JSON.stringify(version)), "the version is written in, not read from a package.json");

  // Packing again gives the same bytes.
  const first = TARGETS.map((target) => sha256(tarballOf(target)));
  await packPlugin();
  t.deepEqual(
    TARGETS.map((target) => sha256(tarballOf(target))),
    first,
  );
});

test("unpacked outside the repository, the linux-amd64 plugin starts from its launcher and serves a whole lifecycle against the emulator", async (t) => {
  await packedOnce();
  const dir = unpackedPlugin();
  const emulator = await startTestEmulator({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const launch = () => pluginOnEmulator(t, emulator, { launcher: path.join(dir, PLUGIN), cwd: dir });
  const host = await launch();
  const api = await adminApi(emulator);
  const scanner = new SecretScanner().add(emulator.credentials.admin.clientSecret, api.token);

  t.is((await host.getPluginInfo()).version, version);
  const schema = await host.getSchema();
  t.is(schema.name, "tridion");
  t.is(schema.version, version);

  // An add-on: zipped, uploaded with a token from Access Management, activated (deleted below).
  const addonUrn = urn("AddonPackage", "tools");
  const checked = await host.check(addonUrn, {}, { source: addonFolder(), activationTimeoutSeconds: 5 });
  t.deepEqual(checked.failures, []);
  const addon = await host.create(addonUrn, checked.inputs);
  t.is(addon.properties.status, "Success");
  t.is((await api.get(api.addons("/acme-publishing-tools"))).data.packageSha256, checked.inputs.packageSha256);

  // A service account whose secret works; a rotation warns through the engine's log service.
  const saUrn = urn("ServiceAccount", "pipeline");
  const saNews = { accountName: "pipeline", roles: [ADDONS_ADMIN] };
  const saChecked = await host.check(saUrn, {}, saNews);
  const sa = await host.create(saUrn, saChecked.inputs);
  const secret = sa.properties.clientSecret as string;
  scanner.add(secret);
  t.is((await requestToken(emulator.accessManagementUrl, sa.properties.clientId as string, secret)).status, 200);
  t.deepEqual(api.access.rolesOf((await api.access.account("ServiceAccounts", Number(sa.id)))!), [ADDONS_ADMIN]);
  const rotate = await host.check(saUrn, saChecked.inputs, { ...saNews, roles: [ADDONS_READONLY], secretVersion: 2 });
  t.deepEqual((await host.diff(saUrn, sa.id, sa.properties, rotate.inputs)).detailed, { roles: "UPDATE", secretVersion: "ADD" });
  t.true(
    host.engineLogs.some((l) => /will be rotated/.test(l.message)),
    `the warning reaches the engine's log, not stderr (stderr: ${host.stderr()})`,
  );
  // Deleted by a process of its own, as `pulumi destroy` runs it (in the process that created a
  // resource, a delete of the same URN and id is a create-first replacement's, which lets go).
  const destroyer = await launch();
  await destroyer.delete(addonUrn, addon.id, addon.properties);
  t.is((await api.get(api.addons("/acme-publishing-tools"))).status, 404);
  await destroyer.delete(saUrn, sa.id, sa.properties);
  t.is(await api.access.account("ServiceAccounts", Number(sa.id)), undefined);

  t.regex(host.stdout(), /^\d+\n$/, "stdout holds the port and nothing else");
  t.deepEqual(scanner.findIn(host.stdout() + host.stderr()), [], "no secret printed");
});

test("the tarball's launcher says so when node is missing or older than 22", async (t) => {
  await packedOnce();
  const launcher = path.join(unpackedPlugin(), PLUGIN);
  const fakes = fs.mkdtempSync(path.join(os.tmpdir(), "old-node-"));
  t.teardown(() => fs.rmSync(fakes, { recursive: true, force: true }));
  fs.writeFileSync(path.join(fakes, "node"), '#!/bin/sh\ncase "$1" in -p) echo 20 ;; *) echo v20.11.1 ;; esac\n', { mode: 0o755 });
  const old = spawnSync(launcher, ["127.0.0.1:1"], { env: { ...process.env, PATH: `${fakes}:/usr/bin:/bin` }, encoding: "utf8" });
  t.is(old.status, 1);
  t.is(old.stdout, "", "no port: the engine reports the plugin's stderr");
  t.regex(old.stderr, /the tridion provider plugin needs Node\.js 22 or later, and `node` on PATH is v20\.11\.1/);
  const none = spawnSync("/bin/sh", [launcher, "127.0.0.1:1"], {
    env: { ...process.env, PATH: path.join(fakes, "nowhere") },
    encoding: "utf8",
  });
  t.is(none.status, 1);
  t.regex(none.stderr, /Node\.js was not found on PATH\. The tridion provider plugin runs on Node\.js 22 or later/);
});

test("the Windows launcher (not run here) checks for Node.js 22 the same way and runs the bundle beside it", async (t) => {
  await packedOnce();
  const cmd = readTarGz(tarballOf("windows-amd64"))
    .entries.find((e) => e.name === `${PLUGIN}.cmd`)!
    .data.toString("utf8");
  const sh = fs.readFileSync(path.join(repoRoot, "provider", "bin", PLUGIN), "utf8");
  t.true(cmd.endsWith("\r\n") && !/[^\r]\n/.test(cmd), "CRLF line ends, as cmd.exe reads batch files");
  const lines = cmd.split("\r\n");
  t.is(lines[0], "@echo off");
  t.true(lines.includes("where node >nul 2>nul") && lines.includes("if errorlevel 1 goto nonode"), "no node on PATH: the first message");
  t.true(
    lines.some((l) =>
      /^for \/f "delims=" %%v in \('node -p "parseInt\(process\.versions\.node\)" 2\^>nul'\) do set "NODE_MAJOR=%%v"$/.test(l),
    ),
  );
  t.true(lines.includes("if %NODE_MAJOR% LSS 22 goto oldnode"), "older than 22: the second message");
  t.true(lines.includes('set "PLUGIN_SCRIPT=%~dp0pulumi-resource-tridion.js"'), "the bundle beside the launcher");
  t.true(lines.includes('node "%PLUGIN_SCRIPT%" %*'), "the engine's arguments passed on");
  // The same two messages as the sh launcher, word for word, on stderr, each followed by a failure exit.
  const messages = [...sh.matchAll(/echo "(pulumi-resource-tridion: [^"]+)" >&2/g)].map((m) =>
    m[1].replace(/\\`/g, "`").replace("$(node --version 2>/dev/null || echo 'of unknown version')", "%NODE_VERSION%"),
  );
  t.is(messages.length, 2);
  for (const message of messages) {
    const at = lines.indexOf(`echo ${message} 1>&2`);
    t.true(at > 0, `the .cmd says: ${message}`);
    t.is(lines[at + 1], "exit /b 1");
  }
  t.true(lines.includes('set "NODE_VERSION=of unknown version"'));
});

test("pulumi plugin install --file installs the tarball; pulumi plugin ls lists it and the CLI runs it", async (t) => {
  await packedOnce();
  // Outside the repository: the installed plugin must not find the repository's node_modules.
  const ws = await openWorkspace({ dir: fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "tridion-plugin-install-")) });
  t.teardown(() => ws.remove());
  const pulumi = (...args: string[]) =>
    exec("pulumi", args, { cwd: ws.dir, env: { ...process.env, ...ws.env }, maxBuffer: 64 * 1024 * 1024 });

  await installPlugin(ws.env, ws.dir);
  const installed = path.join(ws.env.PULUMI_HOME, "plugins", `resource-tridion-v${version}`);
  t.deepEqual(
    fs
      .readdirSync(installed)
      .filter((f) => !f.startsWith("."))
      .sort(),
    ["README.md", PLUGIN, `${PLUGIN}.js`],
  );
  t.true((fs.statSync(path.join(installed, PLUGIN)).mode & 0o111) !== 0, "the launcher stays executable");

  const { stdout: list } = await pulumi("plugin", "ls", "--json");
  const listed = JSON.parse(list) as Array<{ name: string; kind: string; version: string }>;
  t.true(
    listed.some((p) => p.name === "tridion" && p.kind === "resource" && p.version === version),
    list,
  );

  // The engine finds the installed plugin by name, starts it and reads its schema.
  const { stdout: schema } = await pulumi("package", "get-schema", `tridion@${version}`);
  t.is(JSON.parse(schema).name, "tridion");
  t.is(JSON.parse(schema).version, version);
  t.is(JSON.parse(schema).pluginDownloadURL, "github://api.github.com/pulumi-tridion/pulumi-tridion");

  // A YAML program uses the installed plugin, with automatic plugin downloads left on: the
  // schema's pluginDownloadURL (no release there yet) is never asked.
  const emulator = await startTestEmulator({ productVersion: "10" });
  t.teardown(() => emulator.close());
  fs.writeFileSync(
    path.join(ws.dir, "Pulumi.yaml"),
    [
      "name: tridion-installed",
      "runtime: yaml",
      "resources:",
      "  pipeline:",
      "    type: tridion:ServiceAccount",
      "    properties:",
      "      accountName: pipeline",
      `      roles: [${ADDONS_ADMIN}]`,
      "",
    ].join("\n"),
  );
  const { PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: _off, ...downloadsOn } = ws.env;
  const inProject = (...args: string[]) =>
    exec("pulumi", args, { cwd: ws.dir, env: { ...process.env, ...downloadsOn }, maxBuffer: 64 * 1024 * 1024 });
  await inProject("stack", "init", "dev", "--non-interactive");
  await inProject("config", "set", "tridion:accessManagementUrl", emulator.accessManagementUrl);
  await inProject("config", "set", "tridion:addonsUrl", emulator.addonsUrl);
  await inProject("config", "set", "tridion:clientId", emulator.credentials.admin.clientId);
  await inProject("config", "set", "--secret", "tridion:clientSecret", emulator.credentials.admin.clientSecret);
  const { stdout: preview } = await inProject("preview", "--non-interactive", "--diff");
  t.regex(preview, /\+ tridion:index:ServiceAccount: \(create\)/);
  t.regex(preview, /accountName *: +"pipeline"/);
  const plugins = path.join(ws.env.PULUMI_HOME, "plugins");
  t.deepEqual(
    fs.readdirSync(plugins).filter((f) => f.startsWith("resource-tridion-") && fs.statSync(path.join(plugins, f)).isDirectory()),
    [`resource-tridion-v${version}`],
    "nothing else downloaded",
  );
});
