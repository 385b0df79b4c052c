// The Add-ons Service as other installations answer, over HTTP: PascalCase JSON (Newtonsoft's
// default), 9.5's and the UI's status spellings, another upload field, the configuration as a
// file part; the CLI flags that choose them, and the values the emulator refuses.
import test from "ava";
import { spawn } from "node:child_process";
import * as path from "node:path";
import FormData from "form-data";
import { configurationSha256, startEmulator } from "../../emulator";
import { bearer, buildZip, emulatorFor, eventually, getToken, http, manifest, packageFiles, uploadPackage } from "../helpers/emulator";

const CONFIG = {
  configuration: { AcmeEventHandler: { threshold: 5 } },
  sitesCm: { isEnabled: true, AcmeEventHandler: {} },
  live: { isEnabled: true, "acme-action": {} },
};

/** An emulator of one dialect, its admin token and its add-ons URL. */
async function dialectEmulator(t: Parameters<typeof emulatorFor>[0], addonsDialect: object, activationDelayMs = 200) {
  const emulator = await emulatorFor(t, { addonsDialect, activationDelayMs });
  const token = await getToken(emulator, emulator.credentials.admin);
  return { emulator, token, addons: `${emulator.addonsUrl}/api/v1/addons` };
}

function multipart(field: string, fileName: string, content: Buffer, contentType: string) {
  const form = new FormData();
  form.append(field, content, { filename: fileName, contentType });
  return form;
}

test("pascal: every Add-ons answer names its properties in PascalCase; requests are read in any case; a configuration is kept as sent", async (t) => {
  const { token, addons } = await dialectEmulator(t, { jsonCase: "pascal" });
  const created = await uploadPackage(addons, token, await buildZip(packageFiles()), "acme-publishing-tools-1.4.0.zip");
  t.is(created.status, 201);
  t.deepEqual(Object.keys(created.data).sort(), [
    "Author",
    "ConfigurationSha256",
    "Description",
    "Extensions",
    "HasConfiguration",
    "Id",
    "ManifestVersion",
    "Message",
    "Name",
    "PackageFileName",
    "PackageSha256",
    "PackageSize",
    "RequireConfiguration",
    "Status",
    "UploadedAt",
    "Version",
  ]);
  t.like(created.data, { Id: "acme-publishing-tools", Status: "PendingActivation", Version: "1.4.0" });
  t.deepEqual(Object.keys(created.data.Extensions[0]).sort(), ["Message", "Name", "Status", "Type"]);

  const list = await http.get(addons, bearer(token));
  t.is(list.data[0].Id, "acme-publishing-tools");
  t.is(list.data[0].id, undefined, "no camelCase property beside the PascalCase one");

  const disabled = await http.put(`${addons}/acme-publishing-tools/status`, { Enabled: false }, bearer(token));
  t.is(disabled.status, 200, "a PascalCase request body is read");
  t.is(disabled.data.Status, "Disabled");
  const enabled = await http.put(`${addons}/acme-publishing-tools/status`, { enabled: true }, bearer(token));
  t.is(enabled.data.Status, "PendingActivation", "and a camelCase one too");

  const configured = await http.put(`${addons}/acme-publishing-tools/configuration`, CONFIG, bearer(token));
  t.is(configured.status, 200);
  t.is(configured.data.ConfigurationSha256, configurationSha256(CONFIG));
  t.deepEqual((await http.get(`${addons}/acme-publishing-tools/configuration`, bearer(token))).data, CONFIG, "content keys untouched");

  const report = await http.put(
    `${addons}/acme-publishing-tools/extensions/AcmeEventHandler/status`,
    { Environment: "live", Status: "Failed", Message: "cannot load" },
    bearer(token),
  );
  t.is(report.status, 200);
  t.is(report.data.Status, "Failed");
  const missing = await http.get(`${addons}/nothing-here`, bearer(token));
  t.is(missing.status, 404);
  t.is(missing.data.status, 404, "problem details keep RFC 7807's own names");
});

test('display: statuses as the UI shows them ("Pending Activation", "Waiting for configuration"), then Success', async (t) => {
  const { token, addons } = await dialectEmulator(t, { statusSpelling: "display" });
  const pending = await uploadPackage(addons, token, await buildZip(packageFiles()), "acme-publishing-tools-1.4.0.zip");
  t.is(pending.data.status, "Pending Activation");
  t.deepEqual(
    pending.data.extensions.map((e: { status: string }) => e.status),
    ["Pending Activation", "Pending Activation"],
  );
  const waiting = await uploadPackage(
    addons,
    token,
    await buildZip(packageFiles(manifest({ id: "acme-configured", requireConfiguration: "yes" }))),
    "acme-configured-1.4.0.zip",
  );
  t.is(waiting.data.status, "Waiting for configuration");
  const success = await eventually(async () => {
    const held = (await http.get(`${addons}/acme-publishing-tools`, bearer(token))).data;
    return held.status === "Success" ? held : undefined;
  });
  t.is(success.status, "Success");
});

test('9.5: a failed add-on is "Fail", and an extension may report "Fail"', async (t) => {
  const { token, addons } = await dialectEmulator(t, { statusSpelling: "9.5" });
  const files = packageFiles();
  delete files["CM/Acme.EventHandler.dll"];
  const broken = await uploadPackage(addons, token, await buildZip(files), "acme-publishing-tools-1.4.0.zip");
  t.is(broken.status, 201);
  t.is(broken.data.status, "Fail");
  t.is(broken.data.extensions.find((e: { name: string }) => e.name === "AcmeEventHandler").status, "Fail");

  await uploadPackage(addons, token, await buildZip(packageFiles(manifest({ id: "acme-other" }))), "acme-other-1.4.0.zip");
  const report = await http.put(
    `${addons}/acme-other/extensions/acme-action/status`,
    { environment: "live", status: "Fail", message: "no such module" },
    bearer(token),
  );
  t.is(report.status, 200);
  t.is(report.data.status, "Fail");
  const refused = await http.put(
    `${addons}/acme-other/extensions/acme-action/status`,
    { environment: "live", status: "Broken" },
    bearer(token),
  );
  t.is(refused.status, 400);
  t.regex(refused.data.detail, /"status" must be "Success" or "Fail"/);
});

test("uploadField: the package is taken from the installation's field only, and the refusal names it", async (t) => {
  const { emulator, token, addons } = await dialectEmulator(t, { uploadField: "package" });
  const zip = await buildZip(packageFiles());
  const wrong = await uploadPackage(addons, token, zip, "acme-publishing-tools-1.4.0.zip");
  t.is(wrong.status, 400);
  t.is(wrong.data.detail, 'The package must be in the multipart field "package", not "file".');
  const form = multipart("package", "acme-publishing-tools-1.4.0.zip", zip, "application/zip");
  const created = await http.post(addons, form, { headers: { ...form.getHeaders(), ...bearer(token).headers } });
  t.is(created.status, 201);
  const replace = multipart("package", "acme-publishing-tools-1.4.0-2.zip", zip, "application/zip");
  const replaced = await http.put(`${addons}/acme-publishing-tools`, replace, {
    headers: { ...replace.getHeaders(), ...bearer(token).headers },
  });
  t.is(replaced.status, 200);
  t.is(replaced.data.packageFileName, "acme-publishing-tools-1.4.0-2.zip");
  t.deepEqual(
    emulator
      .requestLog()
      .filter((e) => e.method !== "GET" && e.path.startsWith("/addon/"))
      .map((e) => `${e.method} ${e.status}`),
    ["POST 400", "POST 201", "PUT 200"],
  );
});

test("configurationTransport file: the configuration is a JSON file in the named part; a JSON body is refused saying how", async (t) => {
  const { token, addons } = await dialectEmulator(t, { configurationTransport: "file", configurationField: "settings" });
  await uploadPackage(addons, token, await buildZip(packageFiles()), "acme-publishing-tools-1.4.0.zip");
  const url = `${addons}/acme-publishing-tools/configuration`;
  const asJson = await http.put(url, CONFIG, bearer(token));
  t.is(asJson.status, 415);
  t.regex(asJson.data.detail, /multipart\/form-data with the JSON file in the field "settings"/);
  const wrongField = multipart(
    "configuration",
    "acme-publishing-tools.config.json",
    Buffer.from(JSON.stringify(CONFIG)),
    "application/json",
  );
  const refused = await http.put(url, wrongField, { headers: { ...wrongField.getHeaders(), ...bearer(token).headers } });
  t.is(refused.status, 400);
  t.regex(refused.data.detail, /multipart field "settings", not "configuration"/);
  const notJson = multipart("settings", "acme-publishing-tools.config.json", Buffer.from("{ threshold"), "application/json");
  t.is((await http.put(url, notJson, { headers: { ...notJson.getHeaders(), ...bearer(token).headers } })).status, 400);

  const form = multipart("settings", "acme-publishing-tools.config.json", Buffer.from(JSON.stringify(CONFIG)), "application/json");
  const stored = await http.put(url, form, { headers: { ...form.getHeaders(), ...bearer(token).headers } });
  t.is(stored.status, 200);
  t.is(stored.data.configurationSha256, configurationSha256(CONFIG));
  t.deepEqual((await http.get(url, bearer(token))).data, CONFIG);
});

test("the default dialect refuses a configuration sent as a form", async (t) => {
  const { token, addons } = await dialectEmulator(t, {});
  await uploadPackage(addons, token, await buildZip(packageFiles()), "acme-publishing-tools-1.4.0.zip");
  const form = multipart("configuration", "acme-publishing-tools.config.json", Buffer.from(JSON.stringify(CONFIG)), "application/json");
  const refused = await http.put(`${addons}/acme-publishing-tools/configuration`, form, {
    headers: { ...form.getHeaders(), ...bearer(token).headers },
  });
  t.is(refused.status, 415);
  t.regex(refused.data.detail, /as a JSON body/);
});

test("startEmulator refuses a dialect it does not know, naming the option", async (t) => {
  const cases: Array<[object, RegExp]> = [
    [{ jsonCase: "snake" }, /addonsDialect\.jsonCase must be camel or pascal, got "snake"/],
    [{ statusSpelling: "9" }, /addonsDialect\.statusSpelling must be 10, 9\.5 or display, got "9"/],
    [{ uploadField: "" }, /addonsDialect\.uploadField must be a form field name/],
    [{ configurationField: "a b" }, /addonsDialect\.configurationField must be a form field name/],
    [{ configurationTransport: "xml" }, /addonsDialect\.configurationTransport must be json or file/],
    [{ jsonCamel: true }, /addonsDialect has no option "jsonCamel"/],
  ];
  for (const [addonsDialect, message] of cases) {
    await t.throwsAsync(() => startEmulator({ addonsDialect: addonsDialect as never }), { message });
  }
});

const cli = path.resolve(__dirname, "../../emulator/dist/cli.js");

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; child: ReturnType<typeof spawn> }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    child.stdout!.on("data", (d) => {
      stdout += d;
      if (stdout.includes("\n")) resolve({ code: null, stdout, stderr, child });
    });
    child.on("exit", (code) => resolve({ code, stdout, stderr, child }));
  });
}

test("the CLI flags choose the dialect; bad values exit with status 2 naming the flag", async (t) => {
  const started = await runCli([
    "--addons-json-case",
    "pascal",
    "--addons-status-spelling",
    "display",
    "--addons-upload-field",
    "package",
    "--addons-configuration-transport",
    "file",
  ]);
  t.teardown(() => {
    started.child.kill("SIGTERM");
  });
  t.is(started.code, null, started.stderr);
  const info = JSON.parse(started.stdout.split("\n")[0]);
  const token = await getToken(info, info.credentials.admin);
  const form = multipart("package", "acme-publishing-tools-1.4.0.zip", await buildZip(packageFiles()), "application/zip");
  const created = await http.post(`${info.addonsUrl}/api/v1/addons`, form, { headers: { ...form.getHeaders(), ...bearer(token).headers } });
  t.is(created.status, 201);
  t.is(created.data.Status, "Pending Activation");
  const asJson = await http.put(`${info.addonsUrl}/api/v1/addons/acme-publishing-tools/configuration`, CONFIG, bearer(token));
  t.regex(asJson.data.detail, /in the field "configuration"/);

  const cases: Array<[string[], RegExp]> = [
    [["--addons-json-case", "kebab"], /--addons-json-case must be camel or pascal, got "kebab"/],
    [["--addons-status-spelling", "11"], /--addons-status-spelling must be 10, 9\.5 or display/],
    [["--addons-upload-field", "my file"], /--addons-upload-field must be a form field name/],
    [["--addons-configuration-transport", "body"], /--addons-configuration-transport must be json or file/],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await runCli(args);
    t.is(code, 2, args.join(" "));
    t.regex(stderr, message);
  }
});
