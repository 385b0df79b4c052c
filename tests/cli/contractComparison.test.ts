// Comparing what the provider sends and reads with an Add-ons Service's own document and its list
// answer, on documents as services write them: PascalCase or camelCase fields behind $refs,
// Swagger 2.0 formData uploads, status enums of every documented spelling, a status the provider
// does not know, numbers for statuses, a required field missing, and bodies no setting can fit.
import test from "ava";
import { addonStatusOf, DOCUMENTED_STATUS_SPELLINGS, fieldValue } from "../../provider/clients/addonsContract";
import { compareContract, REPORT_IT, type ContractInput, type Finding } from "../../provider/cli/doctor/contractComparison";
import { OpenApiDocument } from "../../provider/cli/doctor/openApiDocument";

const DEFAULTS: ContractInput["current"] = {
  addonPackageField: "file",
  addonConfigurationTransport: "json",
  addonConfigurationField: "configuration",
};

const PATHS = {
  addons: "/api/addons",
  addon: "/api/addons/{id}",
  addonStatus: "/api/addons/{id}/status",
  addonConfiguration: "/api/addons/{id}/configuration",
};

const upper = (s: string) => s[0].toUpperCase() + s.slice(1);

/** An OpenAPI 3 document of the shapes Swashbuckle writes, with what a test changes. */
function openApi(
  options: {
    pascal?: boolean;
    statuses?: unknown[];
    statusType?: string;
    uploadField?: string;
    uploadTypes?: Record<string, unknown>;
    configurationBody?: Record<string, unknown>;
    drop?: string[];
  } = {},
) {
  const name = (n: string) => (options.pascal ? upper(n) : n);
  const addonFields: Record<string, unknown> = {
    id: { type: "string" },
    name: { type: "string", nullable: true },
    version: { type: "string" },
    status: { $ref: "#/components/schemas/AddonStatus" },
    message: { type: "string" },
    packageSha256: { type: "string" },
    packageFileName: { type: "string" },
    configurationSha256: { type: "string", nullable: true },
    hasConfiguration: { type: "boolean" },
    extensions: { type: "array", items: { $ref: "#/components/schemas/Extension" } },
  };
  for (const d of options.drop ?? []) delete addonFields[d];
  const addon = { $ref: "#/components/schemas/AddonDto" };
  const json = (schema: unknown) => ({ content: { "application/json": { schema } } });
  const multipart = (field: string) => ({
    content: { "multipart/form-data": { schema: { type: "object", properties: { [field]: { type: "string", format: "binary" } } } } },
  });
  return {
    openapi: "3.0.1",
    paths: {
      [PATHS.addons]: {
        get: { responses: { "200": json({ type: "array", items: addon }) } },
        post: {
          requestBody: options.uploadTypes ? { content: options.uploadTypes } : multipart(options.uploadField ?? "file"),
          responses: { "201": json(addon) },
        },
      },
      "/api/addons/{addonId}": {
        get: { responses: { "200": json(addon) } },
        put: { requestBody: multipart(options.uploadField ?? "file"), responses: { "200": json(addon) } },
        delete: { responses: { "204": {} } },
      },
      "/api/addons/{addonId}/status": { put: { requestBody: json({ type: "object" }), responses: { "200": json(addon) } } },
      "/api/addons/{addonId}/configuration": {
        get: { responses: { "200": json({}) } },
        put: { requestBody: options.configurationBody ?? json({ type: "object" }), responses: { "200": {} } },
        delete: { responses: { "204": {} } },
      },
    },
    components: {
      schemas: {
        AddonDto: {
          type: "object",
          properties: Object.fromEntries(Object.entries(addonFields).map(([k, v]) => [name(k), v])),
          additionalProperties: false,
        },
        Extension: {
          type: "object",
          properties: {
            [name("name")]: { type: "string" },
            [name("type")]: { type: "string" },
            [name("status")]: { $ref: "#/components/schemas/AddonStatus" },
            [name("message")]: { type: "string" },
          },
        },
        AddonStatus: {
          type: options.statusType ?? "string",
          enum: options.statuses ?? ["WaitingForConfiguration", "PendingActivation", "Success", "Failed", "Disabled"],
        },
      },
    },
  };
}

function compare(doc: unknown, extra: Partial<ContractInput> = {}) {
  const document = new OpenApiDocument(doc as Record<string, unknown>);
  const paths = Object.fromEntries(
    Object.entries(PATHS)
      .map(([k, v]) => [k, document.findPath(v)])
      .filter(([, v]) => v),
  );
  return compareContract({ document, paths, current: DEFAULTS, ...extra });
}

const finding = (findings: Finding[], id: string) => {
  const found = findings.find((f) => f.id === id);
  if (!found) throw new Error(`no finding ${id} in ${findings.map((f) => f.id).join(", ")}`);
  return found;
};

test("the documented status spellings map to the provider's statuses; others are not guessed", (t) => {
  t.deepEqual(Object.fromEntries(Object.keys(DOCUMENTED_STATUS_SPELLINGS).map((s) => [s, addonStatusOf(s)])), {
    PendingActivation: "PendingActivation",
    "Pending Activation": "PendingActivation",
    WaitingForConfiguration: "WaitingForConfiguration",
    "Waiting for configuration": "WaitingForConfiguration",
    Success: "Success",
    Fail: "Failed",
    Failed: "Failed",
    Disabled: "Disabled",
  });
  t.is(addonStatusOf("Waiting For Configuration"), "WaitingForConfiguration", "letter case and spaces aside");
  for (const unknown of ["Activated", "Error", "Pending", "0", ""]) t.is(addonStatusOf(unknown), undefined, unknown);
  t.is(fieldValue({ Id: "x" }, "id"), "x");
  t.is(fieldValue({ id: "a", ID: "b" }, "id"), "a", "an exact match first");
});

test("camelCase, every field and status known: all pass, nothing proposed", (t) => {
  const result = compare(openApi());
  t.deepEqual(
    result.findings.map((f) => [f.id, f.verdict]),
    [
      ["addons.fields", "pass"],
      ["addons.statuses", "pass"],
      ["addons.upload", "pass"],
      ["addons.configuration", "pass"],
    ],
  );
  t.deepEqual(result.settings, {});
  t.is(result.letterCase, "camelCase");
});

test("PascalCase fields and 9.5 statuses: said which case and spelling, and that nothing needs to be set", (t) => {
  const result = compare(
    openApi({ pascal: true, statuses: ["WaitingForConfiguration", "PendingActivation", "Success", "Fail", "Disabled"] }),
  );
  const fields = finding(result.findings, "addons.fields");
  t.is(fields.verdict, "pass");
  t.regex(
    fields.summary,
    /property names in PascalCase \(Id, Name, Version, Status, \.\.\.\); the provider reads any letter case, so nothing needs to be set/,
  );
  const statuses = finding(result.findings, "addons.statuses");
  t.is(statuses.verdict, "pass");
  t.regex(statuses.summary, /as Tridion Sites 9\.5 documents them \(Fail\) \(the provider reads Fail → Failed\); nothing needs to be set/);
  t.deepEqual(result.settings, {});
});

test("display statuses pass; an unknown status fails, quoting it, saying no setting can fix it and how to report it", (t) => {
  const display = compare(openApi({ statuses: ["Waiting for configuration", "Pending Activation", "Success", "Failed", "Disabled"] }));
  t.regex(finding(display.findings, "addons.statuses").summary, /as the UI shows them/);
  const unknown = finding(compare(openApi({ statuses: ["PendingActivation", "Activated", "Success"] })).findings, "addons.statuses");
  t.is(unknown.verdict, "fail");
  t.regex(unknown.summary, /does not know the status value "Activated"/);
  t.true(unknown.noSetting);
  t.is(unknown.fix, REPORT_IT);
  t.regex(unknown.fix!, /No setting can fix this: report it .* `npx pulumi-tridion doctor --report FILE`/);
  // The same in the list answer, without a document.
  const answered = compareContract({
    paths: {},
    current: DEFAULTS,
    listAnswer: [{ Id: "a", Status: "Deployed", Extensions: [{ Name: "x", Status: "Success" }] }],
  });
  const seen = finding(answered.findings, "addons.statuses");
  t.is(seen.verdict, "fail");
  t.regex(seen.summary, /"Deployed"/);
  t.deepEqual(answered.statuses.answers, ["Deployed", "Success"]);
});

test("statuses documented as numbers: a warning until the list answer shows names; numbers answered fail", (t) => {
  const numeric = compare(openApi({ statuses: [0, 1, 2, 3, 4], statusType: "integer" }));
  const statuses = finding(numeric.findings, "addons.statuses");
  t.is(statuses.verdict, "warn");
  t.regex(statuses.summary, /describes statuses as numbers \(0, 1, 2, 3, 4\)/);
  const named = finding(
    compare(openApi({ statuses: [0, 1, 2, 3, 4], statusType: "integer" }), { listAnswer: [{ id: "a", status: "Success" }] }).findings,
    "addons.statuses",
  );
  t.is(named.verdict, "pass");
  const numbers = finding(
    compare(openApi({ statuses: [0, 1, 2, 3, 4], statusType: "integer" }), { listAnswer: [{ id: "a", status: 2 }] }).findings,
    "addons.statuses",
  );
  t.is(numbers.verdict, "fail");
  t.regex(numbers.summary, /statuses answered as numbers/);
});

test("a required field missing fails with no setting; an optional one warns with what the provider then does without", (t) => {
  const noStatus = finding(compare(openApi({ drop: ["status"] })).findings, "addons.fields");
  t.is(noStatus.verdict, "fail");
  t.regex(noStatus.cause!, /the list: no field "status" \(in any letter case\), which the provider cannot do without/);
  t.true(noStatus.noSetting);
  const noSha = finding(compare(openApi({ drop: ["packageSha256"] })).findings, "addons.fields");
  t.is(noSha.verdict, "warn");
  t.regex(noSha.summary, /but not packageSha256/);
  t.regex(noSha.cause!, /packageSha256: drift of the package/);
  // In the answer: an id that is a number is not an id the provider can use.
  const numericId = finding(
    compareContract({ paths: {}, current: DEFAULTS, listAnswer: [{ ID: 7, STATUS: "Success" }] }).findings,
    "addons.fields",
  );
  t.is(numericId.verdict, "fail");
  t.regex(numericId.cause!, /ID is a number where the provider reads a string/);
});

test("another upload field: proposes addonPackageField; Swagger 2.0 formData the same; a raw ZIP body no setting can fit", (t) => {
  const field = compare(openApi({ uploadField: "package" }));
  const upload = finding(field.findings, "addons.upload");
  t.is(upload.verdict, "fail");
  t.regex(
    upload.summary,
    /takes the package in the form field "package"; the provider sends the package as multipart\/form-data, in the form field "file"/,
  );
  t.deepEqual(upload.settings, { addonPackageField: "package" });
  t.deepEqual(field.settings, { addonPackageField: "package" });
  // With the setting in force, it passes.
  const set = compare(openApi({ uploadField: "package" }), { current: { ...DEFAULTS, addonPackageField: "package" } });
  t.is(finding(set.findings, "addons.upload").verdict, "pass");

  const swagger2 = {
    swagger: "2.0",
    paths: {
      "/api/addons": {
        get: { responses: { "200": { schema: { type: "array", items: { $ref: "#/definitions/Addon" } } } } },
        post: {
          consumes: ["multipart/form-data"],
          parameters: [{ in: "formData", name: "addonPackage", type: "file", required: true }],
          responses: { "201": { schema: { $ref: "#/definitions/Addon" } } },
        },
      },
    },
    definitions: {
      Addon: { type: "object", properties: { Id: { type: "string" }, Status: { type: "string", enum: ["Success", "Fail"] } } },
    },
  };
  const s2 = compare(swagger2);
  t.deepEqual(finding(s2.findings, "addons.upload").settings, { addonPackageField: "addonPackage" });
  t.is(finding(s2.findings, "addons.fields").verdict, "warn", "Id and Status are there; the optional fields are not");
  t.is(finding(s2.findings, "addons.statuses").verdict, "pass");

  const raw = finding(compare(openApi({ uploadTypes: { "application/zip": {} } })).findings, "addons.upload");
  t.is(raw.verdict, "fail");
  t.true(raw.noSetting);
  t.regex(raw.summary, /takes application\/zip, not multipart\/form-data/);
  t.regex(raw.fix!, /^No setting can fix this/);
});

test("the configuration as a file part: proposes the transport and the part's name; JSON back when the service takes JSON", (t) => {
  const file = compare(
    openApi({
      configurationBody: {
        content: {
          "multipart/form-data": { schema: { type: "object", properties: { settingsFile: { type: "string", format: "binary" } } } },
        },
      },
    }),
  );
  const configuration = finding(file.findings, "addons.configuration");
  t.is(configuration.verdict, "fail");
  t.regex(configuration.summary, /as a multipart file part "settingsFile"; the provider sends the configuration as a JSON body/);
  t.deepEqual(file.settings, { addonConfigurationTransport: "file", addonConfigurationField: "settingsFile" });
  const back = compare(openApi(), { current: { ...DEFAULTS, addonConfigurationTransport: "file" } });
  t.deepEqual(back.settings, { addonConfigurationTransport: "json" });
  const text = finding(compare(openApi({ configurationBody: { content: { "text/plain": {} } } })).findings, "addons.configuration");
  t.is(text.verdict, "fail");
  t.true(text.noSetting);
});

test("no document and no add-on listed: nothing to compare, said so", (t) => {
  const result = compareContract({ paths: {}, current: DEFAULTS });
  t.deepEqual(
    result.findings.map((f) => [f.id, f.verdict]),
    [
      ["addons.fields", "info"],
      ["addons.statuses", "info"],
    ],
  );
  t.regex(result.findings[0].summary, /nothing to compare: no OpenAPI document, and no add-on was listed/);
});
