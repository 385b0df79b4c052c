// A whole AddonPackage lifecycle through the real Pulumi CLI against Add-ons Services that answer
// in other dialects (emulator/README.md "Add-ons dialects"): PascalCase JSON, 9.5's and the UI's
// status spellings, another upload field with the configuration as a file part (deployed with the
// route-profile settings that say so). Each: up, a no-change `preview --refresh`, refresh,
// destroy; the stack's outputs are complete and the emulator holds what the program declares.
import test, { type ExecutionContext } from "ava";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { AddonsDialect } from "../../emulator";
import { configurationSha256 } from "../../emulator";
import {
  bearer,
  buildZip,
  getToken,
  http,
  manifest,
  packageFiles,
  startTestEmulator,
  uploadPackage,
  type TestEmulator,
} from "../helpers/emulator";
import { changesIn, EngineLog, openStack, openWorkspace, quiet, tridionConfig, type E2eWorkspace } from "../helpers/pulumi";
import { ADDON_ID, quickstartConfiguration, values, writeAddonFolder } from "./support";

const CONFIGURATION = quickstartConfiguration(5);

interface Dialect {
  name: string;
  dialect: AddonsDialect;
  /** tridion:routes for this installation, where the dialect needs one. */
  routes?: Record<string, string>;
  /** Asserts that the emulator really answers in this dialect (raw HTTP, before the stack runs). */
  speaks(t: ExecutionContext, emulator: TestEmulator, token: string): Promise<void>;
}

const probeId = "acme-dialect-probe";

/** An add-on uploaded out of band (and deleted again), to see how the service spells its answer. */
async function probe(emulator: TestEmulator, token: string, fields: Record<string, unknown>, drop: string[] = []) {
  const files = packageFiles(manifest({ id: probeId, ...fields }));
  for (const name of drop) delete files[name];
  const answer = await uploadPackage(`${emulator.addonsUrl}/api/v1/addons`, token, await buildZip(files), `${probeId}-1.4.0.zip`);
  await http.delete(`${emulator.addonsUrl}/api/v1/addons/${probeId}`, bearer(token));
  return answer;
}

const dialects: Dialect[] = [
  {
    name: "pascal",
    dialect: { jsonCase: "pascal" },
    async speaks(t, emulator, token) {
      const answer = await probe(emulator, token, {});
      t.is(answer.data.Id, probeId, "the emulator answers in PascalCase");
    },
  },
  {
    name: "status-9-5",
    dialect: { statusSpelling: "9.5" },
    async speaks(t, emulator, token) {
      t.is((await probe(emulator, token, {}, ["CM/Acme.EventHandler.dll"])).data.status, "Fail", "the emulator spells 9.5's Fail");
    },
  },
  {
    name: "displayed",
    dialect: { jsonCase: "pascal", statusSpelling: "display" },
    async speaks(t, emulator, token) {
      t.is((await probe(emulator, token, { requireConfiguration: "yes" })).data.Status, "Waiting for configuration");
    },
  },
  {
    name: "forms",
    dialect: { uploadField: "package", configurationTransport: "file", configurationField: "settings" },
    routes: { addonPackageField: "package", addonConfigurationTransport: "file", addonConfigurationField: "settings" },
    async speaks(t, emulator, token) {
      const answer = await probe(emulator, token, {});
      t.is(answer.status, 400, "the contract's field is refused");
      t.regex(answer.data.detail, /multipart field "package"/);
    },
  },
];

let ws: E2eWorkspace;
test.before(async () => {
  ws = await openWorkspace();
});
test.after.always(() => ws?.remove());

function program(source: string) {
  return async () => {
    const tridion = require("pulumi-tridion") as typeof import("../../provider");
    const addon = new tridion.AddonPackage("acme-publishing-tools", {
      source,
      configuration: new pulumi.Config("e2e").requireObject<Record<string, unknown>>("configuration"),
      activationTimeoutSeconds: 30,
    });
    return {
      addonId: addon.addonId,
      addonName: addon.name,
      addonVersion: addon.version,
      addonStatus: addon.status,
      packageSha256: addon.packageSha256,
      packageFileName: addon.packageFileName,
      configurationSha256: addon.configurationSha256,
      extensions: addon.extensions,
    };
  };
}

for (const { name, dialect, routes, speaks } of dialects) {
  test.serial(`${name}: up, a no-change preview --refresh, refresh and destroy`, async (t) => {
    t.timeout(240_000);
    const emulator = await startTestEmulator({ addonsDialect: dialect });
    t.teardown(() => emulator.close());
    const token = await getToken(emulator, emulator.credentials.admin);
    await speaks(t, emulator, token);

    const source = writeAddonFolder(path.join(ws.dir, `addon-${name}`));
    const log = new EngineLog();
    const stack = await openStack(ws, {
      stackName: name,
      projectName: "tridion-e2e-dialects",
      program: program(source),
      config: {
        ...tridionConfig(emulator),
        ...(routes ? { "tridion:routes": { value: JSON.stringify(routes) } } : {}),
        "e2e:configuration": { value: JSON.stringify(CONFIGURATION) },
      },
    });

    const up = await log.step(t, "up", () => stack.up(quiet(log)));
    t.deepEqual(changesIn(up.summary.resourceChanges), { create: 2 });
    const outputs = values(up.outputs);
    t.like(outputs, {
      addonId: ADDON_ID,
      addonName: "ACME Publishing Tools",
      addonVersion: "1.4.0",
      addonStatus: "Success",
      configurationSha256: configurationSha256(CONFIGURATION),
    });
    t.regex(outputs.packageSha256, /^[0-9a-f]{64}$/);
    t.regex(outputs.packageFileName, /^acme-publishing-tools-1\.4\.0-\d+\.zip$/);
    t.deepEqual(
      outputs.extensions.map((e: { name: string; status: string }) => `${e.name} ${e.status}`),
      ["AcmeEventHandler Success", "acme-action Success"],
    );
    // What the emulator holds, read in its own dialect.
    const held = (await http.get(`${emulator.addonsUrl}/api/v1/addons/${ADDON_ID}`, bearer(token))).data;
    const field = (key: string) => held[key] ?? held[key.charAt(0).toUpperCase() + key.slice(1)];
    t.is(field("packageSha256"), outputs.packageSha256, "the service holds the declared package");
    t.is(field("configurationSha256"), configurationSha256(CONFIGURATION));
    t.deepEqual((await http.get(`${emulator.addonsUrl}/api/v1/addons/${ADDON_ID}/configuration`, bearer(token))).data, CONFIGURATION);

    const preview = await log.step(t, "preview --refresh", () => stack.preview({ ...quiet(log), refresh: true }));
    t.deepEqual(changesIn(preview.changeSummary), {}, "no change planned, let alone a replacement");
    const refresh = await log.step(t, "refresh", () => stack.refresh(quiet(log)));
    t.deepEqual(changesIn(refresh.summary.resourceChanges), {});
    t.like(values(await stack.outputs()), { addonId: ADDON_ID, addonStatus: "Success", packageSha256: outputs.packageSha256 });

    await log.step(t, "destroy", () => stack.destroy(quiet(log)));
    t.is((await http.get(`${emulator.addonsUrl}/api/v1/addons/${ADDON_ID}`, bearer(token))).status, 404, "the add-on is gone");
    await stack.workspace.removeStack(name);
  });
}
