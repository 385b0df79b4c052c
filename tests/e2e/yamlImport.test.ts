// `pulumi import` with Pulumi YAML and the `tridion` provider plugin (the real CLI, a program
// outside the repository): an add-on someone uploaded by hand, with a configuration set by hand, is
// imported by its id without a single write to the service; the code Pulumi generates for it has
// no `source` (the service cannot give the package back), and once the program declares it with
// the same package the preview shows no changes; other bytes are an update, deployed in place.
import test from "ava";
import { tridionConfig } from "../helpers/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  buildZip,
  eventually,
  getToken,
  manifest,
  packageFiles,
  startTestEmulator,
  uploadPackage,
  type TestEmulator,
} from "../helpers/emulator";
import { keyPaths, openYamlProject, type YamlProject } from "../helpers/yamlProject";
import { SecretScanner } from "../helpers/secrets";
import { ADDON_ID, adminApi, quickstartConfiguration } from "./support";

let emulator: TestEmulator;
let project: YamlProject;
const secrets = new SecretScanner();

test.before(async () => {
  emulator = await startTestEmulator({ productVersion: "9.6" });
  secrets.add(emulator.credentials.admin.clientSecret, emulator.credentials.addonsService.clientSecret);
  project = await openYamlProject("tridion-yaml-import");
  project.writeProgram({});
  await project.initStack("dev", tridionConfig(emulator));
});

test.after.always(async () => {
  await emulator?.close();
  project?.remove();
});

test.serial("an add-on uploaded by hand: pulumi import reads it, writes nothing; declared with its package, no changes", async (t) => {
  t.timeout(600_000);
  // Someone uploaded the add-on and set its configuration by hand (the Add-ons UI, curl).
  const zip = await buildZip(packageFiles(manifest()));
  const zipFile = path.join(project.dir, `${ADDON_ID}-1.4.0.zip`);
  fs.writeFileSync(zipFile, zip);
  const api = adminApi(emulator);
  const uploaded = await uploadPackage(
    `${emulator.addonsUrl}/api/v1/addons`,
    await getToken(emulator, emulator.credentials.admin),
    zip,
    `${ADDON_ID}-1.4.0.zip`,
  );
  t.is(uploaded.status, 201, "the hand upload");
  await api.putConfiguration(quickstartConfiguration(3));
  const byHand = await eventually(async () => {
    const addon = await api.addon();
    return addon?.status === "Success" ? addon : undefined;
  });

  emulator.clearRequestLog();
  const generated = path.join(project.dir, "imported.yaml");
  const imported = await project.pulumi([
    "import",
    "tridion:index:AddonPackage",
    "tools",
    ADDON_ID,
    "--yes",
    "--protect=false",
    "--out",
    generated,
  ]);
  t.regex(imported.stdout, /1 imported/);
  t.deepEqual(
    emulator.requestLog().filter((r) => r.method !== "GET" && !r.path.endsWith("/connect/token")),
    [],
    "the import wrote nothing to the service",
  );
  t.deepEqual(await api.addon(), byHand, "the add-on is as it was");
  const code = fs.readFileSync(generated, "utf8");
  t.regex(code, /type: tridion:(index:)?AddonPackage/, "Pulumi generated the add-on's YAML");
  t.notRegex(code, /\bsource:[ \t]*"?[^"\s]/, "with no source (or an empty one): the service cannot give the package back");
  t.regex(code, /threshold: 3/, "with the configuration read from the service");
  t.deepEqual(await project.declaredInState(), ["tridion:index:AddonPackage::tools"]);

  // The program declares it, with the package the service holds and the configuration it read.
  const declared = (source: string) => ({
    resources: {
      tools: { type: "tridion:AddonPackage", properties: { source, configuration: quickstartConfiguration(3) } },
    },
    outputs: { packageSha256: "${tools.packageSha256}" },
  });
  project.writeProgram(declared(zipFile));
  emulator.clearRequestLog();
  const preview = await project.pulumi(["preview", "--expect-no-changes"], { allowFailure: true });
  t.is(preview.code, 0, `declared with the same package, the preview shows no changes:\n${preview.stdout.slice(-3000)}`);
  t.deepEqual(
    emulator.requestLog().filter((r) => r.method !== "GET" && !r.path.endsWith("/connect/token")),
    [],
    "preview writes nothing",
  );
  await project.pulumi(["up", "--yes"]);
  t.deepEqual(await project.declaredInState(), ["tridion:index:AddonPackage::tools"], "the state holds what the program declares");
  t.is((await api.addon())?.packageSha256, byHand!.packageSha256, "the same package: no new upload");

  // Other bytes: an update of the same add-on, in place.
  const other = path.join(project.dir, "addon-1.4.1");
  for (const [name, content] of Object.entries(packageFiles(manifest({ version: "1.4.1" })))) {
    fs.mkdirSync(path.dirname(path.join(other, name)), { recursive: true });
    fs.writeFileSync(path.join(other, name), content);
  }
  project.writeProgram(declared(other));
  const changed = await project.pulumi(["preview", "--expect-no-changes"], { allowFailure: true });
  t.not(changed.code, 0, "another package is a change");
  t.regex(changed.stdout, /~ 1 to update/, "an update, not a replacement");
  await project.pulumi(["up", "--yes"]);
  t.deepEqual(await project.declaredInState(), ["tridion:index:AddonPackage::tools"], "the state holds what the program declares");
  t.like(await api.addon(), { id: ADDON_ID, version: "1.4.1", status: "Success" });
  await project.pulumi(["preview", "--expect-no-changes"]);

  const { text } = await project.exportStack();
  t.deepEqual(secrets.findIn(text), [], "the exported state holds no plaintext secret");
  t.deepEqual(keyPaths(JSON.parse(text), "__provider"), [], "and no __provider");
  await project.pulumi(["destroy", "--yes"]);
  t.deepEqual(await api.addons(), []);
});
