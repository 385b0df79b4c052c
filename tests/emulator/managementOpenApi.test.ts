// The management API's OpenAPI document ({accessManagementUrl}/api/api-docs/v1/openapi.json):
// it lists exactly the operations the emulator serves (9.6 without creating, changing or deleting
// service accounts), its schemas are the emulator's own (emulator/accessManagement/schemas.ts),
// and every answer, success or error, validates against the schema the document declares for it.
import test, { type ExecutionContext } from "ava";
import type { AxiosResponse } from "axios";
import { componentSchemas } from "../../emulator/accessManagement/schemas";
import { amAdmin, signIn, type AmAccount, type AmAdmin } from "../helpers/accessManagement";
import { bearer, http, startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { amError, emptyAnswer, matchesSchema } from "./amAssertions";

type Method = "get" | "post" | "put" | "delete";

/** Every operation the emulator serves on 10 (RWS's routes, with {id} for the account in the secret routes). */
const served10 = [
  "get /api/v1/ApiResources",
  "get /api/v1/ApiResources/{id}",
  "get /api/v1/Applications",
  "get /api/v1/Applications/{id}",
  "get /api/v1/IdentityProviders",
  "get /api/v1/IdentityProviders/{id}",
  "get /api/v1/ServiceAccounts",
  "post /api/v1/ServiceAccounts",
  "get /api/v1/ServiceAccounts/{id}",
  "put /api/v1/ServiceAccounts/{id}",
  "delete /api/v1/ServiceAccounts/{id}",
  "post /api/v1/ServiceAccounts/{id}/generateClientSecret",
  "put /api/v1/ServiceAccounts/{id}/clientSecrets/{secretId}",
  "delete /api/v1/ServiceAccounts/{id}/clientSecrets/{secretId}",
  "get /api/v1/System/userInfo",
  "get /api/v1/Users",
  "get /api/v1/Users/{id}",
  "put /api/v1/Users/{id}",
  "delete /api/v1/Users/{id}",
  "put /api/v1/Users/{id}/activate",
  "put /api/v1/Users/{id}/deactivate",
  "post /api/v1/Users/{id}/generateClientSecret",
  "put /api/v1/Users/{id}/clientSecrets/{secretId}",
  "delete /api/v1/Users/{id}/clientSecrets/{secretId}",
];
/** 9.x lists and reads service accounts (the predefined ones) but cannot create, change or delete them. */
const tenOnly = ["post /api/v1/ServiceAccounts", "put /api/v1/ServiceAccounts/{id}", "delete /api/v1/ServiceAccounts/{id}"];
const served96 = served10.filter((op) => !tenOnly.includes(op));

interface OpenApiDoc {
  openapi: string;
  servers: Array<{ url: string }>;
  paths: Record<
    string,
    Record<
      string,
      {
        deprecated?: boolean;
        parameters: Array<{ name: string; in: string; schema: object }>;
        requestBody?: { content: Record<string, { schema: object }> };
        responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
      }
    >
  >;
  components: { schemas: Record<string, unknown> };
}

const operationsOf = (doc: OpenApiDoc) =>
  Object.entries(doc.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
    .sort();

let emu: TestEmulator;
let emu96: TestEmulator;
test.before(async () => {
  emu = await startTestEmulator();
  emu96 = await startTestEmulator({ productVersion: "9.6" });
});
test.after.always(async () => {
  await emu?.close();
  await emu96?.close();
});

async function fetchDoc(t: ExecutionContext, e: TestEmulator): Promise<OpenApiDoc> {
  const res = await http.get(`${e.accessManagementUrl}/api/api-docs/v1/openapi.json`);
  t.is(res.status, 200, "the document needs no token");
  return res.data as OpenApiDoc;
}

/** The answer matches what the document declares for this operation and status (a schema, or no body). */
function answersAsDocumented(t: ExecutionContext, doc: OpenApiDoc, op: string, res: AxiosResponse, expectedStatus: number) {
  const [method, path] = op.split(" ");
  t.is(res.status, expectedStatus, `${op}: ${JSON.stringify(res.data)}`);
  const declared = doc.paths[path][method].responses[String(res.status)];
  t.truthy(declared, `${op} declares ${res.status}`);
  const schema = declared?.content?.["application/json"]?.schema;
  if (schema) matchesSchema(t, schema, res.data, op);
  else t.is(res.data, "", `${op} answers ${res.status} without a body`);
}

test("the document lists exactly the operations served, with the emulator's own schemas (10 and 9.6)", async (t) => {
  for (const [e, expected] of [
    [emu, served10],
    [emu96, served96],
  ] as const) {
    const doc = await fetchDoc(t, e);
    t.is(doc.openapi, "3.0.1");
    t.deepEqual(doc.servers, [{ url: e.accessManagementUrl }]);
    t.deepEqual(operationsOf(doc), [...expected].sort(), e.productVersion);
    t.deepEqual(doc.components.schemas, componentSchemas, "the schemas are emulator/accessManagement/schemas.ts");
    for (const op of expected) {
      const [method, path] = op.split(" ");
      const operation = doc.paths[path][method];
      t.deepEqual(
        operation.parameters.map((p) => [p.name, p.in, p.schema]),
        [...path.matchAll(/\{(\w+)\}/g)].map((m) => [m[1], "path", { type: "integer", format: "int32" }]),
        `${op}: int32 path ids`,
      );
      t.is(
        operation.deprecated === true,
        /\/Users\/\{id\}\/(generateClientSecret|clientSecrets)/.test(path),
        `${op}: only the users' secret routes are deprecated`,
      );
      for (const response of Object.values(operation.responses)) {
        for (const content of Object.values(response.content ?? {})) matchesSchema(t, { type: "object" }, content.schema, op);
      }
    }
  }
});

test("every other method on a documented path is an empty 404; 9.6 refuses the 10-only operations with 400", async (t) => {
  for (const e of [emu, emu96]) {
    const admin = await amAdmin(e);
    const doc = await fetchDoc(t, e);
    const missing = 2147483647;
    for (const [path, ops] of Object.entries(doc.paths)) {
      const url = `${e.accessManagementUrl}${path.replace(/\{\w+\}/g, String(missing))}`;
      for (const method of ["get", "post", "put", "delete", "patch"] as const) {
        const res = await http.request({
          method,
          url,
          data: method === "post" || method === "put" || method === "patch" ? {} : undefined,
          ...bearer(admin.token),
        });
        const op = `${method} ${path}`;
        if (ops[method]) {
          t.false(res.status === 404 && res.data === "", `${e.productVersion} ${op} is served`);
        } else if (e.productVersion === "9.6" && tenOnly.includes(op)) {
          // Served, to refuse (below); never carried out.
          t.true(res.status === 400 || (res.status === 404 && res.data !== ""), `${op} on 9.6: ${res.status}`);
        } else {
          emptyAnswer(t, res, 404, `${e.productVersion} ${op} is not served`);
        }
      }
    }
  }
  // 9.6, with valid bodies: the refusals say why.
  const admin96 = await amAdmin(emu96);
  const predefined = (await admin96.list("ServiceAccounts")).find((a) => a.name === "Add-ons API")!;
  amError(t, await admin96.post("/ServiceAccounts", { name: "mine" }), 400, "NotSupported");
  amError(t, await admin96.put(`/ServiceAccounts/${predefined.id}`, predefined), 400, "PredefinedAccount");
  amError(t, await admin96.del(`/ServiceAccounts/${predefined.id}`), 400, "PredefinedAccount");
});

/** Calls every documented operation once with real objects; answers must match the document. */
async function probeAll(t: ExecutionContext, e: TestEmulator) {
  const doc = await fetchDoc(t, e);
  const admin: AmAdmin = await amAdmin(e);
  const catalog = {
    ApiResources: (await admin.get("/ApiResources")).data[0].id as number,
    Applications: (await admin.get("/Applications")).data[0].id as number,
    IdentityProviders: (await admin.get("/IdentityProviders")).data[0].id as number,
  };
  const user = await signIn(e, `doc-user-${e.productVersion}`, { email: "doc@example.com" });
  let account: AmAccount =
    e.productVersion === "10"
      ? (undefined as never)
      : (await admin.list("ServiceAccounts")).find((a) => a.name === "Tridion Sites Content Manager API")!;
  let userSecret = 0;
  let accountSecret = 0;
  const expiry = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString();
  const probes: Array<[string, number, () => Promise<AxiosResponse>]> = [
    ["get /api/v1/ApiResources", 200, () => admin.get("/ApiResources")],
    ["get /api/v1/ApiResources/{id}", 200, () => admin.get(`/ApiResources/${catalog.ApiResources}`)],
    ["get /api/v1/Applications", 200, () => admin.get("/Applications")],
    ["get /api/v1/Applications/{id}", 200, () => admin.get(`/Applications/${catalog.Applications}`)],
    ["get /api/v1/IdentityProviders", 200, () => admin.get("/IdentityProviders")],
    ["get /api/v1/IdentityProviders/{id}", 200, () => admin.get(`/IdentityProviders/${catalog.IdentityProviders}`)],
    ["get /api/v1/System/userInfo", 200, () => admin.get("/System/userInfo")],
    [
      "post /api/v1/ServiceAccounts",
      201,
      async () => {
        const res = await admin.post("/ServiceAccounts", {
          name: "doc-account",
          accessControlEntry: admin.roleLinks(["Tridion.AddonService.ReadOnly"]),
        });
        account = res.data;
        return res;
      },
    ],
    ["get /api/v1/ServiceAccounts", 200, () => admin.get("/ServiceAccounts")],
    ["get /api/v1/ServiceAccounts/{id}", 200, () => admin.get(`/ServiceAccounts/${account.id}`)],
    [
      "put /api/v1/ServiceAccounts/{id}",
      200,
      () => admin.put(`/ServiceAccounts/${account.id}`, { ...account, name: "doc-account-renamed" }),
    ],
    [
      "post /api/v1/ServiceAccounts/{id}/generateClientSecret",
      200,
      async () => {
        const res = await admin.post(`/ServiceAccounts/${account.id}/generateClientSecret`);
        accountSecret = res.data.id;
        return res;
      },
    ],
    [
      "put /api/v1/ServiceAccounts/{id}/clientSecrets/{secretId}",
      200,
      () => admin.put(`/ServiceAccounts/${account.id}/clientSecrets/${accountSecret}`, { expiresAt: expiry }),
    ],
    [
      "delete /api/v1/ServiceAccounts/{id}/clientSecrets/{secretId}",
      204,
      () => admin.del(`/ServiceAccounts/${account.id}/clientSecrets/${accountSecret}`),
    ],
    ["delete /api/v1/ServiceAccounts/{id}", 204, () => admin.del(`/ServiceAccounts/${account.id}`)],
    ["get /api/v1/Users", 200, () => admin.get("/Users")],
    ["get /api/v1/Users/{id}", 200, () => admin.get(`/Users/${user.id}`)],
    [
      "put /api/v1/Users/{id}",
      200,
      () => admin.put(`/Users/${user.id}`, { ...user, accessControlEntry: admin.roleLinks(["Tridion.AddonService.Administrator"]) }),
    ],
    ["put /api/v1/Users/{id}/deactivate", 200, () => admin.put(`/Users/${user.id}/deactivate`, undefined)],
    ["put /api/v1/Users/{id}/activate", 200, () => admin.put(`/Users/${user.id}/activate`, undefined)],
    [
      "post /api/v1/Users/{id}/generateClientSecret",
      200,
      async () => {
        const res = await admin.post(`/Users/${user.id}/generateClientSecret`);
        userSecret = res.data.id;
        return res;
      },
    ],
    [
      "put /api/v1/Users/{id}/clientSecrets/{secretId}",
      200,
      () => admin.put(`/Users/${user.id}/clientSecrets/${userSecret}`, { expiresAt: expiry }),
    ],
    ["delete /api/v1/Users/{id}/clientSecrets/{secretId}", 204, () => admin.del(`/Users/${user.id}/clientSecrets/${userSecret}`)],
    ["delete /api/v1/Users/{id}", 204, () => admin.del(`/Users/${user.id}`)],
  ];
  const documented = operationsOf(doc);
  const run = probes.filter(([op]) => documented.includes(op));
  t.deepEqual(run.map(([op]) => op).sort(), documented, "a probe for every documented operation");
  for (const [op, status, call] of run) answersAsDocumented(t, doc, op, await call(), status);

  // The errors each operation declares, in the shape declared.
  for (const op of documented) {
    const [method, path] = op.split(" ") as [Method, string];
    const declared = Object.keys(doc.paths[path][method].responses);
    if (declared.includes("404")) {
      const res = await http.request({
        method,
        url: `${e.accessManagementUrl}${path.replace(/\{\w+\}/g, "2147483647")}`,
        data:
          method === "put"
            ? path.includes("clientSecrets")
              ? { expiresAt: expiry }
              : path.startsWith("/api/v1/Users")
                ? user
                : { name: "x" }
            : undefined,
        ...bearer(admin.token),
      });
      answersAsDocumented(t, doc, op, res, 404);
    }
    if (path.includes("{")) {
      const res = await http.request({
        method,
        url: `${e.accessManagementUrl}${path.replace(/\{\w+\}/g, "not-an-id")}`,
        data: method === "put" ? {} : undefined,
        ...bearer(admin.token),
      });
      t.is(res.status, 400, op);
      matchesSchema(t, "ErrorResponse", res.data, `${op} with a bad id`);
    }
    if (doc.paths[path][method].requestBody) {
      const url = `${e.accessManagementUrl}${path.replace("{id}", String(path.startsWith("/api/v1/Users") ? (await signIn(e, "doc-body-user")).id : (await admin.list("ServiceAccounts"))[0].id)).replace("{secretId}", "1")}`;
      const res = await http.request({ method, url, data: { unexpected: true }, ...bearer(admin.token) });
      answersAsDocumented(t, doc, op, res, 400);
    }
  }
}

test("10: every answer, success or error, validates against the schema the document declares", async (t) => {
  await probeAll(t, emu);
});

test("9.6: every answer, success or error, validates against the schema the document declares", async (t) => {
  await probeAll(t, emu96);
});

test("an injected 500 on Access Management validates as the documented ErrorResponse, with a stack trace", async (t) => {
  const e = await startTestEmulator();
  try {
    const admin = await amAdmin(e);
    e.setFaults({ errorBursts: [{ status: 500, count: 1, path: "/api/v1/Users$" }] });
    const res = await admin.get("/Users");
    const error = amError(t, res, 500, "InternalServerError");
    matchesSchema(t, "ErrorResponse", res.data);
    t.regex(String(error.stackTrace), /^\s+at Tridion\.AccessManagement\./);
  } finally {
    await e.close();
  }
});

test("the document follows a moved route profile and base path", async (t) => {
  const e = await startTestEmulator({
    accessManagementBasePath: "/ISHAM",
    routes: { users: "/api/v2/People", user: "/api/v2/People/{id}" },
  });
  try {
    const doc = (await http.get(`${e.accessManagementUrl}/api/api-docs/v1/openapi.json`)).data as OpenApiDoc;
    t.is(doc.servers[0].url, e.accessManagementUrl);
    t.true(e.accessManagementUrl.endsWith("/ISHAM"));
    t.truthy(doc.paths["/api/v2/People"].get);
    t.truthy(doc.paths["/api/v2/People/{id}"].put);
    t.falsy(doc.paths["/api/v1/Users"]);
    const admin = await amAdmin(e);
    const people = await http.get(`${e.accessManagementUrl}/api/v2/People`, bearer(admin.token));
    t.is(people.status, 200);
    matchesSchema(t, ["User"], people.data);
    emptyAnswer(t, await admin.get("/Users"), 404);
  } finally {
    await e.close();
  }
});
