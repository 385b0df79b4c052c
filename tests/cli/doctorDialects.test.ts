// `pulumi-tridion doctor` against Add-ons Services that speak other dialects than the default: the
// emulator's own OpenAPI document describes the dialect it serves (PascalCase JSON, 9.5 or display
// statuses, another upload field, the configuration as a file part), and doctor compares what the
// provider sends and reads with it: what needs no setting is said so, each difference comes with
// the tridion:routes value that fixes it (the user's other overrides kept, the routes too when they
// moved), and a following `pulumi up` with it works. A status the provider does not know (through
// a proxy that rewrites the service's answers) fails saying no setting can fix it. And
// `doctor --report FILE` writes what a maintainer needs, with no secret, host, port or add-on
// content in it.
import test from "ava";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EmulatorOptions } from "../../emulator";
import { amAdmin } from "../helpers/accessManagement";
import { runCli, settingsEnv } from "../helpers/cli";
import { buildZip, emulatorFor, getToken, http as client, packageFiles, uploadPackage, type TestEmulator } from "../helpers/emulator";
import { quiet } from "../helpers/pulumi";
import { startRecordingProxy } from "../helpers/recordingProxy";
import { SecretScanner } from "../helpers/secrets";
import { check, deployWithProposal, doctor, MOVED_ROUTES } from "./doctorRun";

type Dialect = NonNullable<EmulatorOptions["addonsDialect"]>;

async function swagger(emulator: TestEmulator) {
  const res = await client.get(`${emulator.addonsUrl}/swagger/v1/swagger.json`);
  return res.data;
}

test("the emulator's own document describes the dialect it serves, without hints of ours", async (t) => {
  const plain = await swagger(await emulatorFor(t));
  t.deepEqual(plain.components.schemas.AddonStatus.enum, ["WaitingForConfiguration", "PendingActivation", "Success", "Failed", "Disabled"]);
  t.true("packageSha256" in plain.components.schemas.Addon.properties);
  t.deepEqual(Object.keys(plain.paths["/api/v1/addons"].post.requestBody.content["multipart/form-data"].schema.properties), ["file"]);
  t.deepEqual(Object.keys(plain.paths["/api/v1/addons/{addonId}/configuration"].put.requestBody.content), ["application/json"]);

  const dialect: Dialect = {
    jsonCase: "pascal",
    statusSpelling: "9.5",
    uploadField: "package",
    configurationTransport: "file",
    configurationField: "settings",
  };
  const doc = await swagger(await emulatorFor(t, { addonsDialect: dialect }));
  const addon = doc.components.schemas.Addon;
  t.deepEqual(addon.required, ["Id", "Status"]);
  t.true(["Id", "Status", "PackageSha256", "ConfigurationSha256", "Extensions"].every((p) => p in addon.properties));
  t.false("id" in addon.properties);
  t.deepEqual(Object.keys(doc.components.schemas.AddonStatusUpdate.properties), ["Enabled"]);
  t.deepEqual(doc.components.schemas.AddonStatus.enum, ["WaitingForConfiguration", "PendingActivation", "Success", "Fail", "Disabled"]);
  t.deepEqual(Object.keys(doc.paths["/api/v1/addons"].post.requestBody.content["multipart/form-data"].schema.properties), ["package"]);
  t.deepEqual(Object.keys(doc.paths["/api/v1/addons/{addonId}"].put.requestBody.content["multipart/form-data"].schema.properties), [
    "package",
  ]);
  const configuration = doc.paths["/api/v1/addons/{addonId}/configuration"].put.requestBody.content;
  t.deepEqual(Object.keys(configuration), ["multipart/form-data"]);
  t.deepEqual(configuration["multipart/form-data"].schema.required, ["settings"]);
  const display = await swagger(await emulatorFor(t, { addonsDialect: { statusSpelling: "display" } }));
  t.deepEqual(display.components.schemas.AddonStatus.enum, [
    "Waiting for configuration",
    "Pending Activation",
    "Success",
    "Failed",
    "Disabled",
  ]);
  t.false(JSON.stringify([plain, doc]).includes("x-route-key"), "no hints of this project's route profile");
});

test("PascalCase JSON: doctor says which case the service writes and that the provider reads it as it is; ready", async (t) => {
  const emulator = await emulatorFor(t, { addonsDialect: { jsonCase: "pascal" } });
  const { report } = await doctor(t, emulator, settingsEnv(emulator));
  t.is(report.exitCode, 0, report.summary);
  const fields = check(report, "addons.fields");
  t.is(fields.verdict, "pass");
  t.regex(
    fields.summary,
    /property names in PascalCase \(Id, Name, Version, Author, \.\.\.\); the provider reads any letter case, so nothing needs to be set/,
  );
  t.is(fields.details.letterCase, "PascalCase");
  t.is(report.proposedRoutes, null, "nothing to set");
});

test("9.5 and display statuses: each value is a documented spelling, mapped; nothing to set", async (t) => {
  const nine = await emulatorFor(t, { addonsDialect: { statusSpelling: "9.5" } });
  const { report } = await doctor(t, nine, settingsEnv(nine));
  t.is(report.exitCode, 0, report.summary);
  const statuses = check(report, "addons.statuses");
  t.is(statuses.verdict, "pass");
  t.regex(statuses.summary, /"Fail"/);
  t.regex(statuses.summary, /as Tridion Sites 9\.5 documents them \(Fail\) \(the provider reads Fail → Failed\); nothing needs to be set/);

  const display = await emulatorFor(t, { addonsDialect: { statusSpelling: "display" } });
  const shown = await doctor(t, display, settingsEnv(display));
  t.is(shown.report.exitCode, 0, shown.report.summary);
  t.regex(
    check(shown.report, "addons.statuses").summary,
    /as the UI shows them .* \(the provider reads Waiting for configuration → WaitingForConfiguration, Pending Activation → PendingActivation\)/,
  );
  t.is(shown.report.proposedRoutes, null);
});

test("the configuration as a file part: doctor proposes the transport and the part's name, the user's other overrides kept", async (t) => {
  const emulator = await emulatorFor(t, { addonsDialect: { configurationTransport: "file", configurationField: "settings" } });
  const own = { userInfo: "/api/v1/System/userInfo" };
  const { report } = await doctor(t, emulator, { ...settingsEnv(emulator), TRIDION_ROUTES: JSON.stringify(own) });
  t.is(report.exitCode, 1, report.summary);
  const configuration = check(report, "addons.configuration");
  t.is(configuration.verdict, "fail");
  t.regex(
    configuration.summary,
    /PUT \/api\/v1\/addons\/\{addonId\}\/configuration takes the configuration as a multipart file part "settings"; the provider sends the configuration as a JSON body/,
  );
  const value = { ...own, addonConfigurationTransport: "file", addonConfigurationField: "settings" };
  t.deepEqual(report.proposedRoutes, value);
  t.deepEqual(report.routeProposal.settings, { addonConfigurationTransport: "file", addonConfigurationField: "settings" });
  t.true(configuration.fix!.endsWith(`pulumi config set tridion:routes '${JSON.stringify(value)}'`), configuration.fix);
  t.is(check(report, "addons.upload").verdict, "pass");

  const text = await runCli(["doctor", "--no-stack"], { env: { ...settingsEnv(emulator), TRIDION_ROUTES: JSON.stringify(own) } });
  t.is(text.code, 1);
  t.regex(text.stdout, /\[FAIL\] configuration upload: /);
  t.regex(
    text.stdout,
    /Proposed route profile \(addonConfigurationTransport, addonConfigurationField from what the service takes; its list route answers\):\n {2}pulumi config set tridion:routes '/,
  );
});

test("routes moved and another upload field: one proposal with both, and the comparison runs on the moved routes", async (t) => {
  const moved = MOVED_ROUTES;
  const emulator = await emulatorFor(t, { routes: moved, addonsDialect: { uploadField: "addonPackage", jsonCase: "pascal" } });
  const { report } = await doctor(t, emulator, settingsEnv(emulator));
  t.is(report.exitCode, 1);
  t.deepEqual(report.proposedRoutes, { ...moved, addonPackageField: "addonPackage" });
  t.regex(check(report, "addons.upload").summary, /^POST \/v2\/packages takes the package in the form field "addonPackage"/);
  t.regex(check(report, "addons.fields").summary, /PascalCase/);
  t.is(check(report, "addons.routes").fix, check(report, "addons.upload").fix!.split("your other overrides kept: ")[1]);
});

test("another upload field: doctor proposes addonPackageField, and `pulumi up` with it deploys, refreshes and destroys", async (t) => {
  t.timeout(300_000);
  const emulator = await emulatorFor(t, { productVersion: "9.6", addonsDialect: { uploadField: "package" } });
  const { report } = await doctor(t, emulator, settingsEnv(emulator));
  t.is(report.exitCode, 1);
  const upload = check(report, "addons.upload");
  t.is(upload.verdict, "fail");
  t.regex(
    upload.summary,
    /POST \/api\/v1\/addons takes the package in the form field "package"; the provider sends the package as multipart\/form-data, in the form field "file"/,
  );
  t.regex(
    upload.fix!,
    /^Set addonPackageField to "package" in tridion:routes\. The whole proposal, your other overrides kept: pulumi config set tridion:routes '\{"addonPackageField":"package"\}'$/,
  );
  t.deepEqual(report.proposedRoutes, { addonPackageField: "package" });

  // The proposal as stack config: a real `pulumi up` uploads in that field.
  const { stack, log } = await deployWithProposal(t, emulator, report.proposedRoutes, {
    projectName: "tridion-doctor-dialect",
    uploadPath: "/addon/api/v1/addons",
  });
  const refresh = await log.step(t, "preview --refresh", () => stack.preview({ ...quiet(log), refresh: true }));
  t.deepEqual(
    Object.fromEntries(Object.entries(refresh.changeSummary).filter(([op, n]) => op !== "same" && n > 0)),
    {},
    "nothing to change after a refresh",
  );
  const after = await doctor(t, emulator, { ...settingsEnv(emulator), TRIDION_ROUTES: JSON.stringify(report.proposedRoutes) });
  t.is(after.report.exitCode, 0, after.report.summary);
  t.is(check(after.report, "addons.upload").verdict, "pass");
  await log.step(t, "destroy", () => stack.destroy(quiet(log)));
});

/** A reverse proxy in front of the emulator's Add-ons listener that rewrites its JSON answers, as an installation's service would answer. */
async function rewritingProxy(
  t: { teardown(fn: () => Promise<void> | void): void },
  target: string,
  rewrite: (path: string, body: any) => any,
): Promise<string> {
  const proxy = await startRecordingProxy(target, {
    rewrite: (request, _status, body, headers) =>
      /json/.test(String(headers["content-type"] ?? "")) && body.length
        ? Buffer.from(JSON.stringify(rewrite(request.path, JSON.parse(body.toString("utf8")))))
        : undefined,
  });
  t.teardown(() => proxy.close());
  return proxy.origin;
}

test("a status the provider does not know (document and answers): FAIL, quoted, no setting can fix it, how to report it", async (t) => {
  const emulator = await emulatorFor(t, { productVersion: "10" });
  const token = await getToken(emulator, emulator.credentials.admin);
  t.is(
    (await uploadPackage(`${emulator.addonsUrl}/api/v1/addons`, token, await buildZip(packageFiles()), "acme-publishing-tools-1.4.0.zip"))
      .status,
    201,
  );
  const origin = await rewritingProxy(t, new URL(emulator.addonsUrl).origin, (p, body) => {
    if (p.endsWith("/swagger/v1/swagger.json")) body.components.schemas.AddonStatus.enum.push("Activated");
    if (p === "/addon/api/v1/addons" && Array.isArray(body)) for (const a of body) a.status = "Activated";
    return body;
  });
  const { report } = await doctor(t, emulator, { ...settingsEnv(emulator), TRIDION_ADDONS_URL: `${origin}/addon` });
  t.is(report.exitCode, 1, report.summary);
  const statuses = check(report, "addons.statuses");
  t.is(statuses.verdict, "fail");
  t.regex(statuses.summary, /the provider does not know the status value "Activated"/);
  t.regex(statuses.cause!, /maps the documented spellings \(PendingActivation, Pending Activation, .*Fail, Failed, Disabled\)/);
  t.regex(
    statuses.fix!,
    /^No setting can fix this: report it to the maintainers of pulumi-tridion, attaching the file `npx pulumi-tridion doctor --report FILE` writes/,
  );
  t.true(statuses.details.answers.includes("Activated"), "seen in the list answer");
  t.true(statuses.details.document.includes("Activated"), "and in the document's enum");
  t.is(report.proposedRoutes, null, "no setting is proposed for it");
});

test("doctor --report FILE: product version, the document's paths and schemas, statuses seen, verdicts; no secret, host, port, id or add-on content", async (t) => {
  const emulator = await emulatorFor(t, { productVersion: "10", addonsDialect: { statusSpelling: "9.5", configurationTransport: "file" } });
  const am = await amAdmin(emulator);
  const account = await am.createServiceAccount("pipeline", ["Tridion.AddonService.Administrator"]);
  const secret = await am.generateSecret("ServiceAccounts", account.id);
  const token = await getToken(emulator, emulator.credentials.admin);
  const uploaded = await uploadPackage(
    `${emulator.addonsUrl}/api/v1/addons`,
    token,
    await buildZip(packageFiles()),
    "acme-publishing-tools-1.4.0.zip",
  );
  t.is(uploaded.status, 201, JSON.stringify(uploaded.data));
  const listed = await client.get(`${emulator.addonsUrl}/api/v1/addons`, { headers: { Authorization: `Bearer ${token}` } });
  // Whatever the letter case the emulator answers in.
  const addon = Object.fromEntries(
    Object.entries((listed.data as Array<Record<string, string>>)[0]).map(([k, v]) => [k[0].toLowerCase() + k.slice(1), v]),
  );

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "doctor-report-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "doctor-report.json");
  const env = { ...settingsEnv(emulator), PIPE: secret.clientSecret };
  const { report } = await doctor(t, emulator, env, ["--identity", `${secret.clientId}=PIPE`, "--report", file], [secret.clientSecret]);
  t.is(report.exitCode, 1, "the configuration's transport differs");
  t.is(report.reportFile, file);
  const text = fs.readFileSync(file, "utf8");
  t.is(fs.statSync(file).mode & 0o777, 0o600);

  // Nothing that identifies the installation, its accounts or its content.
  const am_ = new URL(emulator.accessManagementUrl);
  const addons = new URL(emulator.addonsUrl);
  const scanner = new SecretScanner().add(
    emulator.credentials.admin.clientSecret,
    emulator.credentials.addonsService.clientSecret,
    secret.clientSecret,
    token,
  );
  t.deepEqual(scanner.findIn(text), [], "no secret and no token");
  t.notRegex(text, /eyJ[A-Za-z0-9_-]{8,}/, "nothing like a token");
  for (const [what, word] of [
    ["host", am_.hostname],
    ["Access Management's port", am_.port],
    ["the Add-ons Service's port", addons.port],
    ["the provider's client id", emulator.credentials.admin.clientId],
    ["the deployer's client id", secret.clientId],
    ["the add-on's id", addon.id],
    ["the add-on's name", addon.name],
    ["the package's file name", addon.packageFileName],
    ["the package's sha256", addon.packageSha256],
    ["the service account's name", "pipeline"],
  ] as Array<[string, string]>) {
    t.false(text.includes(word), `${what} (${word}) is not in the report`);
  }
  t.notRegex(text, /https?:\/\//, "no URL origin");
  t.notRegex(text, /localhost/);

  // What a maintainer needs.
  const saved = JSON.parse(text);
  t.is(saved.format, "pulumi-tridion doctor report");
  t.like(saved.provider, { name: "pulumi-tridion" });
  t.regex(saved.provider.version, /^\d+\.\d+\.\d+/);
  t.like(saved.productVersion, { version: "10" });
  t.is(saved.settings.addonsUrlPath, "/addon");
  t.true(saved.settings.set.includes("tridion:addonsUrl (environment)"));
  t.is(saved.addonsDocument.location, "/swagger/v1/swagger.json");
  t.is(saved.addonsDocument.specification, "OpenAPI 3.0.1");
  const list = saved.addonsDocument.paths.find((p: { path: string }) => p.path === "/api/v1/addons");
  t.deepEqual(Object.keys(list.operations), ["GET", "POST"]);
  t.deepEqual(list.operations.POST.requestBody[0].contentType, "multipart/form-data");
  t.deepEqual(Object.keys(list.operations.POST.requestBody[0].schema.properties), ["file"]);
  const configuration = saved.addonsDocument.paths.find((p: { path: string }) => p.path === "/api/v1/addons/{addonId}/configuration");
  t.deepEqual(
    configuration.operations.PUT.requestBody.map((b: { contentType: string }) => b.contentType),
    ["multipart/form-data"],
  );
  t.deepEqual(list.operations.GET.responses["200"][0].schema, { type: "array", items: { $ref: "#/components/schemas/Addon" } });
  t.true(["id", "status", "packageSha256"].every((p) => p in saved.addonsDocument.schemas.Addon.properties));
  t.deepEqual(saved.addonsDocument.schemas.AddonStatus.enum, [
    "WaitingForConfiguration",
    "PendingActivation",
    "Success",
    "Fail",
    "Disabled",
  ]);
  t.deepEqual(saved.statuses.document, ["WaitingForConfiguration", "PendingActivation", "Success", "Fail", "Disabled"]);
  t.true(saved.statuses.answers.length > 0, "the statuses of the listed add-on");
  t.is(saved.statuses.mapping.Fail, "Failed");
  t.is(saved.listAnswer.addons, 1);
  t.true("id" in saved.listAnswer.fields && "status" in saved.listAnswer.fields, "field names, never values");
  t.deepEqual(saved.proposal.settings, { addonConfigurationTransport: "file", addonConfigurationField: "configuration" });
  const verdictOf = (id: string) => saved.checks.find((c: { id: string }) => c.id === id);
  t.like(verdictOf("addons.configuration"), { verdict: "fail" });
  t.like(verdictOf("addons.upload"), { verdict: "pass" });
  t.like(verdictOf("addons.statuses"), { verdict: "pass" });
  t.like(verdictOf("addons.list"), { verdict: "pass" });
  t.regex(
    verdictOf("addons.list").summary,
    /^GET <addonsUrl origin>\/addon\/api\/v1\/addons answers with 1 add-on\(s\) for provider identity, tridion:clientId: <add-on> \(/,
  );
  t.like(verdictOf("identity.token"), { verdict: "pass" });
  t.true(
    saved.checks.filter((c: { id: string }) => c.id === "identity.token").some((c: { subject?: string }) => c.subject === "identity 2"),
    "identities by their place, not their client id",
  );
  t.is(saved.doctor.verdict, "problems");

  // In text, doctor says where the report is and what it is for.
  const textRun = await runCli(["doctor", "--no-stack", "--report", file], { env: settingsEnv(emulator) });
  t.regex(
    textRun.stdout,
    new RegExp(`Report for a maintainer written to ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(no secret, token, host name`),
  );
  // A folder that does not exist: could not run, nothing checked.
  const missing = await runCli(["doctor", "--no-stack", "--report", path.join(dir, "nope", "r.json")], { env: settingsEnv(emulator) });
  t.is(missing.code, 2);
  t.regex(missing.stderr, /--report .*: the folder .* does not exist/);
});
