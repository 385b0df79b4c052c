// `pulumi import` and `pulumi up --replace` through the plugin with the real CLI: a Node.js program
// in a folder declares the plugin's resources by type token (`new pulumi.CustomResource(...)`, no
// SDK), and Pulumi.yaml points the CLI at the launcher (`plugins: providers:`). What the user reads
// (the generated code, the errors) and what the emulator and the state hold after each command.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import test from "ava";
import { buildZip, packageFiles, requestToken, startTestEmulator, uploadPackage, type TestEmulator } from "../helpers/emulator";
import { openWorkspace, type E2eWorkspace } from "../helpers/pulumi";
import { adminApi } from "../provider/support";

const run = promisify(execFile);
const ADDONS_ADMIN = "Tridion.AddonService.Administrator";
const PLUGIN_DIR = path.resolve(__dirname, "..", "..", "provider", "bin");

/** The program: the resources listed in the stack config `test:resources`, each's outputs exported under its name. */
const PROGRAM = `const pulumi = require("@pulumi/pulumi");
const resources = JSON.parse(new pulumi.Config("test").get("resources") || "[]");
for (const r of resources) {
  const outputs = Object.fromEntries((r.outputs || []).map((k) => [k, undefined]));
  const res = new pulumi.CustomResource(r.type, r.name, { ...outputs, ...r.args }, r.options || {});
  exports[r.name] = Object.fromEntries((r.outputs || []).map((k) => [k, res[k]]));
}
`;

interface Declared {
  type: string;
  name: string;
  args: Record<string, unknown>;
  options?: Record<string, unknown>;
  outputs?: string[];
}

/** A stack of the program in a fresh folder, configured for the emulator. */
async function project(t: { teardown(fn: () => void): void }, emulator: TestEmulator) {
  const ws: E2eWorkspace = await openWorkspace();
  t.teardown(() => ws.remove());
  fs.writeFileSync(
    path.join(ws.dir, "Pulumi.yaml"),
    `name: imports\nruntime: nodejs\nmain: index.js\nplugins:\n  providers:\n    - name: tridion\n      path: ${PLUGIN_DIR}\n`,
  );
  fs.writeFileSync(path.join(ws.dir, "index.js"), PROGRAM);
  const env = { ...process.env, ...ws.env };
  /** A pulumi command; resolves to its output, or to its failure's output (`failed`). */
  const pulumi = async (...args: string[]): Promise<{ ok: boolean; out: string }> => {
    try {
      const r = await run("pulumi", [...args, "--non-interactive"], { cwd: ws.dir, env, maxBuffer: 64 << 20 });
      return { ok: true, out: r.stdout + r.stderr };
    } catch (e) {
      const f = e as { stdout?: string; stderr?: string };
      return { ok: false, out: `${f.stdout ?? ""}${f.stderr ?? ""}` };
    }
  };
  const must = async (...args: string[]) => {
    const r = await pulumi(...args);
    if (!r.ok) throw new Error(`pulumi ${args.join(" ")} failed:\n${r.out}`);
    return r.out;
  };
  await must("stack", "init", "dev");
  await must("config", "set", "tridion:accessManagementUrl", emulator.accessManagementUrl);
  await must("config", "set", "tridion:addonsUrl", emulator.addonsUrl);
  await must("config", "set", "tridion:clientId", emulator.credentials.admin.clientId);
  await must("config", "set", "--secret", "tridion:clientSecret", emulator.credentials.admin.clientSecret);
  const declare = (resources: Declared[]) => must("config", "set", "test:resources", JSON.stringify(resources));
  const resources = async (type: string) =>
    (JSON.parse(await must("stack", "export")).deployment.resources as Array<Record<string, any>>).filter((r) => r.type === type);
  return { ws, pulumi, must, declare, resources };
}

const writes = (emulator: TestEmulator) =>
  emulator
    .requestLog()
    .filter((e) => e.method !== "GET" && !e.path.endsWith("/connect/token"))
    .map((e) => `${e.method} ${e.path}`);

test("pulumi import of an add-on uploaded by hand, then declared with its package: no changes; up --replace refused, naming deleteBeforeReplace", async (t) => {
  const emulator = await startTestEmulator({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const { ws, pulumi, must, declare, resources } = await project(t, emulator);
  const zip = path.join(ws.dir, "acme-publishing-tools-1.4.0.zip");
  fs.writeFileSync(zip, await buildZip(packageFiles()));
  t.is((await uploadPackage(api.addons(""), api.token, zip, "acme-publishing-tools-1.4.0.zip")).status, 201);
  const uploaded = (await api.get(api.addons("/acme-publishing-tools"))).data;
  const before = writes(emulator);

  const code = path.join(ws.dir, "imported.ts");
  const imported = await must("import", "tridion:index:AddonPackage", "tools", "acme-publishing-tools", "--yes", "--out", code);
  t.notRegex(imported, /failed to validate|bug in the/, "the import's own check passes");
  const generated = fs.readFileSync(code, "utf8");
  t.regex(generated, /new tridion\.AddonPackage\("tools", \{/);
  t.regex(generated, /source: "",/, "the generated code has no source");
  t.deepEqual(writes(emulator), before, "the import wrote nothing");
  const [state] = await resources("tridion:index:AddonPackage");
  t.is(state.id, "acme-publishing-tools");
  t.is(state.outputs.packageSha256, uploaded.packageSha256);

  // The generated code as it is: the next preview says to declare the source.
  const addon = (args: Record<string, unknown>, options: Record<string, unknown> = {}): Declared => ({
    type: "tridion:index:AddonPackage",
    name: "tools",
    args,
    options: { protect: true, ...options },
  });
  await declare([addon({ enabled: true, source: "" })]);
  const missing = await pulumi("preview");
  t.false(missing.ok);
  t.regex(missing.out, /declare it: the add-on's folder or \.zip file; an imported add-on has none until you add it/);

  // Declared with the very package: no changes. Another package: an update.
  await declare([addon({ enabled: true, source: zip })]);
  await must("preview", "--expect-no-changes");
  const other = path.join(ws.dir, "other", "acme-publishing-tools-1.4.0.zip");
  fs.mkdirSync(path.dirname(other));
  fs.writeFileSync(other, await buildZip({ ...packageFiles(), "CM/notes.txt": "another build" }));
  await declare([addon({ enabled: true, source: other })]);
  t.regex(await must("preview", "--diff"), /~ tridion:index:AddonPackage: \(update\)[\s\S]*source/);
  t.deepEqual(writes(emulator), before, "previews wrote nothing");

  // up --replace (protect removed, as it must be to replace) creates the replacement first: it
  // finds the add-on, not one it uploaded, and stops.
  await declare([addon({ enabled: true, source: zip }, { protect: false })]);
  const urn = state.urn as string;
  const refused = await pulumi("up", "--yes", "--replace", urn);
  t.false(refused.ok);
  t.regex(refused.out, /Cannot create the add-on "acme-publishing-tools"/);
  t.regex(
    refused.out,
    /if this is `pulumi up --replace` of this resource[\s\S]*deleteBeforeReplace: true[\s\S]*run `pulumi up --replace` again/,
  );
  t.deepEqual(writes(emulator), before, "nothing written");
  const after = await resources("tridion:index:AddonPackage");
  t.deepEqual(
    after.map((r) => [r.id, r.outputs.packageSha256]),
    [["acme-publishing-tools", uploaded.packageSha256]],
    "the state still holds the add-on",
  );

  // As the fix says: delete first, then the replacement is uploaded under this resource's name.
  await declare([addon({ enabled: true, source: zip }, { protect: false, deleteBeforeReplace: true })]);
  await must("up", "--yes", "--replace", urn);
  const replaced = (await api.get(api.addons("/acme-publishing-tools"))).data;
  t.regex(replaced.packageFileName, /^acme-publishing-tools-1\.4\.0-\d{12}\.zip$/);
  t.deepEqual(
    (await resources("tridion:index:AddonPackage")).map((r) => [r.id, r.outputs.packageFileName]),
    [["acme-publishing-tools", replaced.packageFileName]],
  );
  await must("preview", "--expect-no-changes");
});

test("up --replace of a ServiceAccount and of an AddonPackage the plugin created: both kept, the account with the replacement's secret, the state intact", async (t) => {
  const emulator = await startTestEmulator({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const { ws, must, declare, resources } = await project(t, emulator);
  const zip = path.join(ws.dir, "acme-publishing-tools-1.4.0.zip");
  fs.writeFileSync(zip, await buildZip(packageFiles()));
  await declare([
    {
      type: "tridion:index:ServiceAccount",
      name: "pipeline",
      args: { accountName: "pipeline", roles: [ADDONS_ADMIN] },
      options: { additionalSecretOutputs: ["clientSecret"] },
      outputs: ["clientId", "clientSecret", "secretId"],
    },
    { type: "tridion:index:AddonPackage", name: "tools", args: { source: zip } },
  ]);
  await must("up", "--yes");
  const [account] = await resources("tridion:index:ServiceAccount");
  const [addon] = await resources("tridion:index:AddonPackage");

  await must("up", "--yes", "--replace", account.urn, "--replace", addon.urn);
  const outputs = JSON.parse(await must("stack", "output", "--json", "--show-secrets")).pipeline;
  const held = (await api.access.account("ServiceAccounts", Number(account.id)))!;
  t.truthy(held, "the account is still there");
  t.deepEqual(api.access.rolesOf(held), [ADDONS_ADMIN]);
  t.deepEqual(
    (held.clientSecrets ?? []).map((s) => s.id),
    [outputs.secretId],
    "the replacement's secret, the old one revoked",
  );
  t.is((await requestToken(emulator.accessManagementUrl, outputs.clientId, outputs.clientSecret)).status, 200);
  t.is((await api.get(api.addons("/acme-publishing-tools"))).data.status, "Success", "the add-on is still there");
  t.deepEqual(
    (await resources("tridion:index:ServiceAccount")).map((r) => r.id),
    [account.id],
  );
  t.deepEqual(
    (await resources("tridion:index:AddonPackage")).map((r) => r.id),
    ["acme-publishing-tools"],
  );
  t.false((await must("stack", "export")).includes(outputs.clientSecret), "the state holds the secret encrypted only");
  await must("preview", "--expect-no-changes");
});

test("the import resource option: an add-on and a service account made by hand join the stack in one up; the account gets a secret of its own", async (t) => {
  const emulator = await startTestEmulator({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const { ws, must, declare, resources } = await project(t, emulator);
  const zip = path.join(ws.dir, "acme-publishing-tools-1.4.0.zip");
  fs.writeFileSync(zip, await buildZip(packageFiles()));
  t.is((await uploadPackage(api.addons(""), api.token, zip, "acme-publishing-tools-1.4.0.zip")).status, 201);
  const account = await api.access.createServiceAccount("handmade", [ADDONS_ADMIN], "handmade-client");
  const theirs = await api.access.generateSecret("ServiceAccounts", account.id);
  const addonWrites = () => writes(emulator).filter((w) => w.includes("/addons"));
  const before = addonWrites();

  await declare([
    { type: "tridion:index:AddonPackage", name: "tools", args: { source: zip }, options: { import: "acme-publishing-tools" } },
    {
      type: "tridion:index:ServiceAccount",
      name: "handmade",
      args: { accountName: "handmade", clientId: "handmade-client", roles: [ADDONS_ADMIN] },
      options: { import: String(account.id), additionalSecretOutputs: ["clientSecret"] },
      outputs: ["clientSecret", "secretId"],
    },
  ]);
  const up = await must("up", "--yes");
  t.regex(up, /imported the service account "handmade"\. Access Management shows a client secret's value only once/);
  t.deepEqual(addonWrites(), before, "the add-on with the package the service holds: nothing written");
  t.deepEqual(
    (await resources("tridion:index:AddonPackage")).map((r) => r.id),
    ["acme-publishing-tools"],
  );
  const outputs = JSON.parse(await must("stack", "output", "--json", "--show-secrets")).handmade;
  t.is((await requestToken(emulator.accessManagementUrl, "handmade-client", outputs.clientSecret)).status, 200);
  t.deepEqual(
    await api.access.secretIds("ServiceAccounts", account.id),
    [theirs.id, outputs.secretId].sort((a, b) => a - b),
  );
  await must("preview", "--expect-no-changes");
});
