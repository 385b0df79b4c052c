// The contract of Access Management is RWS's own OpenAPI document (found by
// tests/helpers/rwsDocument.ts, never copied into the repository). A whole
// scenario runs for both product versions: the provider (users' client credentials and roles,
// service accounts, rotation, drift, adoption, delete) and an administrator's out-of-band changes,
// all through a recording proxy in front of the emulator. Every exchange with the management API
// is then checked with openapi-backend against RWS's document: the route and method exist there
// (exact case), path parameters and request bodies validate (and send no read-only property),
// the status is one the operation declares, and the answer validates against its schema.
// 401 and 403 are outside the document (ASP.NET Core's JWT bearer handler answers them).
import * as fs from "node:fs";
import addFormats from "ajv-formats";
import OpenAPIBackend, { type Operation } from "openapi-backend";
import { amAdmin, signIn } from "../helpers/accessManagement";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { startRecordingProxy, type Exchange, type RecordingProxy } from "../helpers/recordingProxy";
import { rwsAccessManagementDocument, testWithRwsDocument } from "../helpers/rwsDocument";
import { configure, impl } from "../provider/support";

const ADDONS_ADMIN = "Tridion.AddonService.Administrator";
const CM_ADMIN = "Tridion.ContentManager.Administrator";
/** The document's server is Tridion Docs' /ISHAM; Tridion Sites serves the same API here. */
const SITES_BASE = "/access-management";

type Json = Record<string, any>;

/**
 * The document as validators can compile it. Two normalisations, both meaning-preserving for what
 * is checked here: `nullable` without a `type` is dropped (ajv requires a type; "any value, null
 * included" either way), and IdentityProviderParameters, whose anyOf refers back to itself (no
 * validator can evaluate it), becomes a plain object (the scenario never reads identity providers).
 */
function loadDocument(): Json {
  const normalise = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(normalise);
    if (!node || typeof node !== "object") return node;
    const out: Json = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, normalise(v)]));
    if (out.nullable === true && out.type === undefined && out.$ref === undefined) delete out.nullable;
    return out;
  };
  const doc = normalise(JSON.parse(fs.readFileSync(rwsAccessManagementDocument()!, "utf8"))) as Json;
  doc.components.schemas.IdentityProviderParameters = { type: "object" };
  return doc;
}

/** OpenAPI 3.0: a read-only property "required" is required in answers only. For request checks. */
function withoutReadOnlyRequired(doc: Json): Json {
  for (const schema of Object.values(doc.components.schemas) as Json[]) {
    if (!Array.isArray(schema.required) || !schema.properties) continue;
    schema.required = schema.required.filter((p: string) => schema.properties[p]?.readOnly !== true);
  }
  return doc;
}

async function backend(definition: Json): Promise<OpenAPIBackend> {
  const api = new OpenAPIBackend({
    definition: definition as never,
    quick: false,
    validate: true,
    strict: false,
    customizeAjv: (ajv) => {
      addFormats(ajv as never);
      return ajv;
    },
  });
  await api.init();
  return api;
}

/** Read-only properties a request body carries (the provider must never send them back). */
function readOnlyPropertiesIn(body: unknown, schema: Json | undefined, doc: Json, at = ""): string[] {
  if (!schema || body === null || typeof body !== "object") return [];
  const resolved = schema.$ref ? doc.components.schemas[String(schema.$ref).split("/").pop()!] : schema;
  if (Array.isArray(body)) return body.flatMap((item, i) => readOnlyPropertiesIn(item, resolved.items, doc, `${at}[${i}]`));
  const found: string[] = [];
  for (const [key, value] of Object.entries(body as Json)) {
    const prop = resolved.properties?.[key];
    if (!prop) continue;
    const target = prop.$ref ? doc.components.schemas[String(prop.$ref).split("/").pop()!] : prop;
    if (prop.readOnly === true || target?.readOnly === true) found.push(`${at}${at ? "." : ""}${key}`);
    else found.push(...readOnlyPropertiesIn(value, prop, doc, `${at}${at ? "." : ""}${key}`));
  }
  return found;
}

interface Checked {
  exchange: string;
  problems: string[];
}

let validators: Promise<{ doc: Json; answers: OpenAPIBackend; requests: OpenAPIBackend }> | undefined;

/** Compiled once per file. openapi-backend dereferences the document it is given in place: each gets its own copy. */
function compiledValidators() {
  validators ??= (async () => ({
    doc: loadDocument(),
    answers: await backend(loadDocument()),
    requests: await backend(withoutReadOnlyRequired(loadDocument())),
  }))();
  return validators;
}

async function checkExchanges(exchanges: Exchange[]): Promise<{ checked: number; operations: Set<string>; failures: Checked[] }> {
  const { doc, answers, requests } = await compiledValidators();
  const failures: Checked[] = [];
  const operations = new Set<string>();
  let checked = 0;
  for (const x of exchanges) {
    if (!x.path.startsWith(`${SITES_BASE}/api/`)) continue; // discovery, JWKS, token: OpenID Connect, not this document
    if (x.status === 401 || x.status === 403) continue; // the JWT bearer handler's, outside the document
    checked++;
    const apiPath = x.path.slice(SITES_BASE.length);
    const problems: string[] = [];
    const operation = requests.router.matchOperation({ method: x.method.toLowerCase(), path: apiPath, headers: {} } as never) as
      Operation | undefined;
    const label = `${x.method} ${apiPath} -> ${x.status}`;
    if (!operation) {
      failures.push({ exchange: label, problems: ["no such route and method in RWS's document (routes are case-sensitive here)"] });
      continue;
    }
    operations.add(operation.operationId!);
    const contentType = String(x.requestHeaders["content-type"] ?? "");
    const requestBody = x.requestBody.length ? JSON.parse(x.requestBody.toString("utf8")) : undefined;
    const declaresBody = !!(operation as Json).requestBody;
    if (requestBody !== undefined && !declaresBody) problems.push("sends a body to an operation that takes none");
    if (requestBody !== undefined && declaresBody) {
      if (!/^application\/json\b/.test(contentType))
        problems.push(`request Content-Type ${contentType || "(none)"} is not application/json`);
      const validation = requests.validator.validateRequest(
        { method: x.method.toLowerCase(), path: apiPath, headers: { "content-type": "application/json" }, body: requestBody } as never,
        operation,
      );
      if (!validation.valid) problems.push(`request: ${JSON.stringify(validation.errors)}`);
      const schema = (operation as Json).requestBody.content["application/json"].schema;
      const readOnly = readOnlyPropertiesIn(requestBody, schema, doc);
      if (readOnly.length) problems.push(`request sends read-only properties: ${readOnly.join(", ")}`);
    } else {
      const validation = requests.validator.validateRequest(
        { method: x.method.toLowerCase(), path: apiPath, headers: {}, body: undefined } as never,
        operation,
      );
      const params = (validation.errors ?? []).filter((e) => !String(e.instancePath).startsWith("/requestBody"));
      if (params.length) problems.push(`request: ${JSON.stringify(params)}`);
    }
    const declared = (operation as Json).responses?.[String(x.status)];
    if (!declared) {
      problems.push(
        `status ${x.status} is not one the operation declares (${Object.keys((operation as Json).responses ?? {}).join(", ")})`,
      );
    } else if (declared.content) {
      const responseType = String(x.responseHeaders["content-type"] ?? "");
      if (!/^application\/json\b/.test(responseType)) problems.push(`answer Content-Type ${responseType} is not application/json`);
      const body = x.responseBody.length ? JSON.parse(x.responseBody.toString("utf8")) : undefined;
      const validation = answers.validator.validateResponse(body, operation, x.status);
      if (!validation.valid) problems.push(`answer: ${JSON.stringify(validation.errors)}`);
    } else if (x.responseBody.length) {
      problems.push("an answer body where the document declares none");
    }
    if (operation.operationId === "ServiceAccounts_Create" && x.status === 201 && !x.responseHeaders.location)
      problems.push("201 without a Location header");
    if (problems.length) failures.push({ exchange: label, problems });
  }
  return { checked, operations, failures };
}

/** The scenario: what the provider does, plus an administrator's changes, all through the proxy. */
async function scenario(emulator: TestEmulator, proxy: RecordingProxy, version: "9.6" | "10"): Promise<void> {
  const am = `${proxy.origin}${SITES_BASE}`;
  const viaProxy = { ...emulator, accessManagementUrl: am };
  await configure({
    "tridion:accessManagementUrl": am,
    "tridion:addonsUrl": emulator.addonsUrl,
    "tridion:clientId": emulator.credentials.admin.clientId,
    "tridion:clientSecret": emulator.credentials.admin.clientSecret,
  });
  const admin = await amAdmin(viaProxy);
  const user = await signIn(emulator, "addon-deployer");
  await admin.setRoles("Users", user.id, [CM_ADMIN]); // holds a role already: it must come back on delete

  const ccu = impl.clientCredentialUser;
  const userInputs = { userName: "addon-deployer", roles: [ADDONS_ADMIN], secretExpiresInDays: 90 };
  const created = await ccu.create((await ccu.check!({}, userInputs)).inputs);
  const changed = (
    await ccu.update!(created.id, created.outs, { ...userInputs, roles: [ADDONS_ADMIN, "Tridion.AccessManagement.Administrator"] })
  ).outs;
  const rotated = (await ccu.update!(created.id, changed, { ...userInputs, secretVersion: 2 })).outs;
  await admin.revokeSecret("Users", user.id, rotated.secretId); // drift
  const drifted = (await ccu.read!(created.id, rotated)).props;
  const healed = (await ccu.update!(created.id, drifted, { ...userInputs, secretVersion: 2 })).outs;
  await admin.generateSecret("Users", user.id); // a foreign secret fills the second slot
  const full = (await ccu.update!(created.id, healed, { ...userInputs, secretVersion: 3 })).outs;
  await ccu.delete!(created.id, full);
  if (version === "9.6") {
    const refused = await impl.serviceAccount.check!({}, { accountName: "nope", roles: [ADDONS_ADMIN] }).then(
      () => undefined,
      (e: Error) => e,
    );
    if (!refused) throw new Error("a ServiceAccount on 9.6 must fail in preview");
    return;
  }
  const sa = impl.serviceAccount;
  const saInputs = { accountName: "pipeline", roles: [ADDONS_ADMIN] };
  const account = await sa.create((await sa.check!({}, saInputs)).inputs);
  const renamed = (await sa.update!(account.id, account.outs, { ...saInputs, accountName: "pipeline-2", secretVersion: "b" })).outs;
  await sa.read!(account.id, renamed);
  await sa.delete!(account.id, renamed);
  const existing = await admin.createServiceAccount("existing", ["Tridion.AddonService.ReadOnly"]);
  const adopted = await sa.create({ accountName: "existing", roles: [ADDONS_ADMIN], adopt: true });
  await sa.delete!(adopted.id, adopted.outs);
  // Refusals answered with the document's error shape: a duplicate name (400), an account gone (404).
  await admin.post("/ServiceAccounts", { name: "existing", accessControlEntry: admin.roleLinks([]) });
  await admin.del(`/ServiceAccounts/${existing.id}`);
  await sa.read!(String(existing.id), adopted.outs);
}

const test = testWithRwsDocument();

if (test) {
  for (const version of ["9.6", "10"] as const) {
    test.serial(`every exchange of a whole scenario on ${version} matches RWS's Access Management OpenAPI document`, async (t) => {
      t.timeout(120_000);
      const emulator = await startTestEmulator({ productVersion: version });
      const proxy = await startRecordingProxy(new URL(emulator.accessManagementUrl).origin);
      t.teardown(async () => {
        await proxy.close();
        await emulator.close();
      });
      await scenario(emulator, proxy, version);

      const { checked, operations, failures } = await checkExchanges(proxy.exchanges);
      t.deepEqual(failures, [], "exchanges that break RWS's document");
      t.true(checked >= 25, `the scenario exercised the API (${checked} exchanges checked)`);
      const expected = [
        "ApiResources_Get",
        "Users_Get",
        "Users_GetById",
        "Users_Update",
        "Users_GenerateClientSecret",
        "Users_UpdateClientSecret",
        "Users_DeleteClientSecret",
        "ServiceAccounts_Get",
        ...(version === "10"
          ? [
              "ServiceAccounts_Create",
              "ServiceAccounts_GetById",
              "ServiceAccounts_Update",
              "ServiceAccounts_Delete",
              "ServiceAccounts_GenerateClientSecret",
              "ServiceAccounts_UpdateClientSecret",
              "ServiceAccounts_DeleteClientSecret",
            ]
          : []),
      ];
      t.deepEqual(
        expected.filter((op) => !operations.has(op)),
        [],
        "operations the scenario was meant to exercise",
      );
      const statuses = new Set(proxy.exchanges.filter((x) => x.path.startsWith(`${SITES_BASE}/api/`)).map((x) => x.status));
      if (version === "10") t.true(statuses.has(400) && statuses.has(404), "error answers were checked too");
    });
  }

  test("the check itself catches what breaks the document", async (t) => {
    const exchange = (
      method: string,
      p: string,
      status: number,
      request: unknown,
      answer: unknown,
      contentType = "application/json",
    ): Exchange => ({
      method,
      path: `${SITES_BASE}${p}`,
      status,
      requestHeaders: request === undefined ? {} : { "content-type": contentType },
      requestBody: request === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(request)),
      responseHeaders: { "content-type": "application/json; charset=utf-8" },
      responseBody: answer === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(answer)),
    });
    const secret = { id: 1, clientSecret: "********", expiresAt: "2030-01-01T00:00:00Z", lastLoginAt: null };
    const { failures } = await checkExchanges([
      exchange("GET", "/api/v1/users", 200, undefined, []), // wrong case
      exchange("POST", "/api/v1/Users", 201, { name: "x" }, {}), // no such operation
      exchange("PUT", "/api/v1/ServiceAccounts/1/clientSecrets/2", 200, { expiresAt: "2030-01-01T00:00:00Z", description: "x" }, secret), // unknown property
      exchange("PUT", "/api/v1/ServiceAccounts/1", 200, { id: 1, name: "x" }, { name: "x" }), // read-only property sent
      exchange("GET", "/api/v1/ServiceAccounts/1", 200, undefined, { name: "x", accessSettings: [] }), // a field the document does not have
      exchange("DELETE", "/api/v1/ServiceAccounts/1", 409, undefined, undefined), // a status it does not declare
      exchange("GET", "/api/v1/ServiceAccounts/abc", 404, undefined, { errorMessage: { message: "x" } }), // not an int32
    ]);
    t.is(failures.length, 7, JSON.stringify(failures, null, 1));
    const { failures: none } = await checkExchanges([
      exchange("PUT", "/api/v1/ServiceAccounts/1/clientSecrets/2", 200, { expiresAt: "2030-01-01T00:00:00Z" }, secret),
    ]);
    t.deepEqual(none, [], "a read-only required property (clientSecret) is not required in a request");
  });
}
