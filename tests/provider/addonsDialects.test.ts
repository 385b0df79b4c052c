// AddonPackage against Add-ons Services that answer differently from the contract: behind a proxy
// that rewrites the answers (PascalCase names and displayed statuses, an unknown status, a field
// missing or of another type), and against emulators that take the package and the configuration
// in other forms (with the route-profile settings that say so).
import test from "ava";
import { configurationSha256 } from "../../emulator";
import { parseRouteOverrides } from "../../provider/config/routeProfile";
import { readAddonMetadata } from "../../provider/clients/addonAnswers";
import { DOCUMENTED_STATUS_SPELLINGS as STATUS_SPELLINGS } from "../../provider/clients/addonsContract";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { startRecordingProxy } from "../helpers/recordingProxy";
import { addonFolder, adminApi, configFor, configure, failure, impl } from "./support";

const p = impl.addonPackage;
const CONFIG = {
  configuration: { AcmeEventHandler: { threshold: 5 } },
  sitesCm: { isEnabled: true, AcmeEventHandler: {} },
  live: { isEnabled: true, "acme-action": {} },
};

/**
 * A reverse proxy in front of the emulator's Add-ons listener that rewrites every add-on answer
 * (application/json; problem details and configurations pass as they are).
 */
async function rewritingProxy(emulator: TestEmulator, rewrite: (addon: Record<string, unknown>) => Record<string, unknown>) {
  const proxy = await startRecordingProxy(new URL(emulator.addonsUrl).origin, {
    rewrite: (request, _status, body, headers) => {
      const isAddon = String(headers["content-type"] ?? "").startsWith("application/json") && !/\/configuration$/.test(request.path);
      if (!isAddon || !body.length) return undefined;
      const json = JSON.parse(body.toString("utf8"));
      return Buffer.from(JSON.stringify(Array.isArray(json) ? json.map(rewrite) : rewrite(json)));
    },
  });
  return { addonsUrl: `${proxy.origin}/addon`, close: proxy.close };
}

const pascal = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(pascal);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), pascal(v)]));
  }
  return value;
};
const DISPLAYED: Record<string, string> = { PendingActivation: "Pending Activation", WaitingForConfiguration: "Waiting for configuration" };
/** Newtonsoft's PascalCase and the statuses as the Add-ons UI shows them. */
const newtonsoft = (addon: Record<string, unknown>) => {
  const spelled = {
    ...addon,
    status: DISPLAYED[addon.status as string] ?? addon.status,
    extensions: (addon.extensions as Array<Record<string, unknown>>).map((e) => ({
      ...e,
      status: DISPLAYED[e.status as string] ?? e.status,
    })),
  };
  return pascal(spelled) as Record<string, unknown>;
};

/** An emulator behind a rewriting proxy, the provider configured to go through it. */
async function behindProxy(
  t: { teardown(fn: () => Promise<void>): void },
  rewrite: (addon: Record<string, unknown>) => Record<string, unknown>,
) {
  const emulator = await startTestEmulator({ activationDelayMs: 300 });
  const proxy = await rewritingProxy(emulator, rewrite);
  t.teardown(async () => {
    await proxy.close();
    await emulator.close();
  });
  await configure({ ...configFor(emulator), "tridion:addonsUrl": proxy.addonsUrl });
  return { emulator, proxy, api: await adminApi(emulator) };
}

test.serial("PascalCase answers with displayed statuses: up records every output, and the next refresh plans no replacement", async (t) => {
  const { api } = await behindProxy(t, newtonsoft);
  const inputs = { source: addonFolder(), configuration: CONFIG, activationTimeoutSeconds: 30 };
  const checked = await p.check!({}, inputs);
  const created = await p.create(checked.inputs);
  t.is(created.id, "acme-publishing-tools");
  t.like(created.outs, {
    addonId: "acme-publishing-tools",
    name: "ACME Publishing Tools",
    version: "1.4.0",
    status: "Success",
    packageSha256: checked.inputs.packageSha256,
    configurationSha256: checked.inputs.configurationSha256,
    enabled: true,
  });
  t.deepEqual(
    created.outs.extensions.map((e: { name: string; status: string }) => `${e.name} ${e.status}`),
    ["AcmeEventHandler Success", "acme-action Success"],
  );
  const held = (await api.get(api.addons("/acme-publishing-tools"))).data;
  t.is(held.packageSha256, checked.inputs.packageSha256, "the service holds the package the program declares");
  t.is(held.configurationSha256, checked.inputs.configurationSha256);

  // `preview --refresh`: read, then diff against the program's inputs.
  const refreshed = await p.read!(created.id, created.outs);
  t.is(refreshed.id, created.id);
  t.like(refreshed.props, { addonId: "acme-publishing-tools", status: "Success", packageSha256: checked.inputs.packageSha256 });
  const again = await p.check!(refreshed.inputs, inputs);
  const planned = await p.diff!(created.id, refreshed.props, again.inputs);
  t.deepEqual(planned.replaces ?? [], [], "no replacement");
  t.false(planned.changes, "no change at all");

  // A disabled add-on reads as Disabled (enabled false), whatever the case of the answer.
  const disabled = await p.update!(created.id, refreshed.props, (await p.check!(again.inputs, { ...inputs, enabled: false })).inputs);
  t.like(disabled.outs, { status: "Disabled", enabled: false });
  await p.delete!(created.id, disabled.outs);
  t.is((await api.get(api.addons("/acme-publishing-tools"))).status, 404);
});

test.serial("an unknown status stops the deployment quoting it and saying how to report it; nothing is recorded", async (t) => {
  await behindProxy(t, (addon) => ({ ...addon, status: "Activating" }));
  const checked = await p.check!({}, { source: addonFolder(), activationTimeoutSeconds: 30 });
  const error = await failure(p.create(checked.inputs));
  t.is((error as { code?: string }).code, "UNEXPECTED_ANSWER");
  t.regex(
    error.message,
    /^Cannot upload the add-on package acme-publishing-tools-1\.4\.0(-\d+)?\.zip: the Add-ons Service answered POST \/api\/v1\/addons with the status "Activating"/,
  );
  t.regex(error.message, /none of the documented ones \(PendingActivation, Pending Activation, .*Fail, Failed, Disabled\)/);
  t.regex(error.message, /`npx pulumi-tridion doctor --report FILE`/);
  t.false(error.message.includes("127.0.0.1"), "no host in the message");
  t.is(error.properties, undefined, "no partial state built on it");
});

test.serial("a field the provider needs, missing or of another type, is an error naming it, the route and the setting", async (t) => {
  let rewrite = (addon: Record<string, unknown>): Record<string, unknown> => {
    const { id, ...rest } = addon;
    return { ...rest, addonId: id };
  };
  const { api } = await behindProxy(t, (addon) => rewrite(addon));
  const checked = await p.check!({}, { source: addonFolder(), activationTimeoutSeconds: 30 });
  const missing = await failure(p.create(checked.inputs));
  t.is((missing as { code?: string }).code, "UNEXPECTED_ANSWER");
  t.regex(missing.message, /answered POST \/api\/v1\/addons without the field "id" \(a string\), which the provider needs/);
  t.regex(missing.message, /the answer has only .*"addonId"/);
  t.regex(missing.message, /`npx pulumi-tridion doctor`.*tridion:routes.*route "addons"/);
  t.is(missing.properties, undefined);

  // Read and refresh meet the same answer: an error, never an empty object in state.
  rewrite = (addon) => ({ ...addon, packageSha256: 42 });
  const readError = await failure(p.read!("acme-publishing-tools", { ...checked.inputs, addonId: "acme-publishing-tools", enabled: true }));
  t.regex(
    readError.message,
    /^Cannot read the add-on "acme-publishing-tools": the Add-ons Service answered GET \/api\/v1\/addons\/\{id\} with the field "packageSha256" as a number, where the provider needs a string/,
  );
  t.is((await api.get(api.addons("/acme-publishing-tools"))).status, 200, "the upload itself landed: the next run finds it");
});

test("every documented status spelling reads as one of the statuses AddonPackage outputs", (t) => {
  const source = { action: "read the add-on", method: "GET", routeKey: "addon" as const, route: "/api/v1/addons/{id}" };
  const status = (value: unknown) => readAddonMetadata({ Id: "a", Status: value, PackageSha256: "x" }, source, ["id", "status"]).status;
  t.deepEqual(Object.keys(STATUS_SPELLINGS), [
    "PendingActivation",
    "Pending Activation",
    "WaitingForConfiguration",
    "Waiting for configuration",
    "Success",
    "Fail",
    "Failed",
    "Disabled",
  ]);
  t.deepEqual(Object.keys(STATUS_SPELLINGS).map(status), [
    "PendingActivation",
    "PendingActivation",
    "WaitingForConfiguration",
    "WaitingForConfiguration",
    "Success",
    "Failed",
    "Failed",
    "Disabled",
  ]);
  t.is(status("pendingActivation"), "PendingActivation", "camelCase enum names too");
  t.throws(() => status(3), { message: /with the status 3 in "Status"/ }, "an enum written as a number is not guessed");
  const meta = readAddonMetadata(
    { ID: "a", STATUS: "Success", packagesha256: "x", ConfigurationSha256: null, Extensions: [{ Name: "E", Status: "Fail" }] },
    source,
    ["id", "status", "packageSha256"],
  );
  t.deepEqual(meta, {
    id: "a",
    status: "Success",
    packageSha256: "x",
    configurationSha256: null,
    extensions: [{ name: "E", status: "Failed" }],
  });
  t.throws(() => readAddonMetadata({ Id: "a", Status: "Success", Extensions: [{ Status: "Success" }] }, source, ["id", "status"]), {
    message: /without the field "extensions\[0\]\.name" \(a string\)/,
  });
  t.throws(() => readAddonMetadata("", source, ["id"]), { message: /answered GET \/api\/v1\/addons\/\{id\} with no body/ });
});

test("tridion:routes takes the upload field and the configuration's transport beside the routes, checked", (t) => {
  t.deepEqual(
    parseRouteOverrides(
      '{"addons": "/v2/addons", "addonPackageField": "package", "addonConfigurationTransport": "file", "addonConfigurationField": "settings"}',
    ),
    { addons: "/v2/addons", addonPackageField: "package", addonConfigurationTransport: "file", addonConfigurationField: "settings" },
  );
  t.throws(() => parseRouteOverrides('{"addonConfigurationTransport": "form"}'), {
    message: /"addonConfigurationTransport" must be "json" \(a JSON body\) or "file" \(a multipart file part\), got "form"/,
  });
  t.throws(() => parseRouteOverrides('{"addonPackageField": "my file"}'), { message: /"addonPackageField" must be a form field name/ });
  t.throws(() => parseRouteOverrides('{"addonConfigurationField": ""}'), {
    message: /"addonConfigurationField" must be a form field name/,
  });
  t.throws(() => parseRouteOverrides('{"addonPackageField": "/file"}'), { message: /form field name/ });
  t.throws(() => parseRouteOverrides('{"usr": "/x"}'), {
    message: /known keys: .*addonPackageField, addonConfigurationTransport, addonConfigurationField/,
  });
});

test.serial(
  "another upload field and the configuration as a file part: deployed with the route-profile settings, refused without",
  async (t) => {
    const emulator = await startTestEmulator({
      activationDelayMs: 300,
      addonsDialect: { uploadField: "package", configurationTransport: "file", configurationField: "settings" },
    });
    t.teardown(() => emulator.close());
    const api = await adminApi(emulator);
    const inputs = { source: addonFolder(), configuration: CONFIG, activationTimeoutSeconds: 30 };

    await configure(configFor(emulator));
    const refused = await failure(p.create((await p.check!({}, inputs)).inputs));
    t.regex(refused.message, /The package must be in the multipart field "package", not "file"/);
    t.is((await api.get(api.addons(""))).data.length, 0, "nothing uploaded");

    await configure(
      configFor(emulator, {
        "tridion:routes": JSON.stringify({
          addonPackageField: "package",
          addonConfigurationTransport: "file",
          addonConfigurationField: "settings",
        }),
      }),
    );
    const checked = await p.check!({}, inputs);
    const created = await p.create(checked.inputs);
    t.like(created.outs, { addonId: "acme-publishing-tools", status: "Success", configurationSha256: configurationSha256(CONFIG) });
    t.deepEqual((await api.get(api.addons("/acme-publishing-tools/configuration"))).data, CONFIG, "the service holds the configuration");

    const cfg2 = { ...CONFIG, configuration: { AcmeEventHandler: { threshold: 9 } } };
    const updated = await p.update!(created.id, created.outs, (await p.check!(checked.inputs, { ...inputs, configuration: cfg2 })).inputs);
    t.is(updated.outs.configurationSha256, configurationSha256(cfg2));
    t.deepEqual((await api.get(api.addons("/acme-publishing-tools/configuration"))).data, cfg2);
    await p.delete!(created.id, updated.outs);
    t.is((await api.get(api.addons("/acme-publishing-tools"))).status, 404);
  },
);
