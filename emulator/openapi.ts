// OpenAPI documents of both services, generated from the active route profile so they always
// describe the paths this emulator really serves.
import type { RouteKey, RouteProfile } from "./routes";
import type { ProductVersion } from "./types";

interface Operation {
  route: RouteKey;
  method: "get" | "post" | "put" | "patch" | "delete";
  summary: string;
  success: number;
  body?: "json" | "multipart";
}

const addonsOperations: Operation[] = [
  { route: "addons", method: "get", summary: "List add-ons", success: 200 },
  { route: "addons", method: "post", summary: "Upload a new add-on package (multipart field 'file')", success: 201, body: "multipart" },
  { route: "addon", method: "get", summary: "Get an add-on's metadata", success: 200 },
  { route: "addon", method: "put", summary: "Replace an add-on's package (multipart field 'file')", success: 200, body: "multipart" },
  { route: "addon", method: "delete", summary: "Delete an add-on and its configuration", success: 204 },
  { route: "addonPackage", method: "get", summary: "Download the package", success: 200 },
  { route: "addonStatus", method: "put", summary: "Enable or disable the add-on ({enabled})", success: 200, body: "json" },
  { route: "addonConfiguration", method: "get", summary: "Download the custom configuration", success: 200 },
  { route: "addonConfiguration", method: "put", summary: "Upload the custom configuration", success: 200, body: "json" },
  { route: "addonConfiguration", method: "delete", summary: "Delete the custom configuration", success: 204 },
  { route: "extensionStatus", method: "put", summary: "Report an extension's load status ({environment, status, message})", success: 200, body: "json" },
];

const secretOps = (list: RouteKey, item: RouteKey, what: string): Operation[] => [
  { route: list, method: "get", summary: `List a ${what}'s client secrets (without values)`, success: 200 },
  { route: list, method: "post", summary: `Create a client secret for a ${what} (value returned once)`, success: 201, body: "json" },
  { route: item, method: "patch", summary: "Shorten a client secret's expiry", success: 200, body: "json" },
  { route: item, method: "delete", summary: "Revoke a client secret", success: 204 },
];

const managementOperations: Operation[] = [
  { route: "users", method: "get", summary: "List users (optional ?name=)", success: 200 },
  { route: "users", method: "post", summary: "Create a user, or adopt one who has logged in", success: 201, body: "json" },
  { route: "user", method: "get", summary: "Get a user", success: 200 },
  { route: "user", method: "put", summary: "Replace a user", success: 200, body: "json" },
  { route: "user", method: "delete", summary: "Delete a user", success: 204 },
  ...secretOps("userSecrets", "userSecret", "user"),
  { route: "apiResources", method: "get", summary: "List the APIs and their role keys", success: 200 },
];

/** 10.x only: a 9.6 emulator answers 404 on these, so its document does not list them. */
const serviceAccountOperations: Operation[] = [
  { route: "serviceAccounts", method: "get", summary: "List service accounts (10.x)", success: 200 },
  { route: "serviceAccounts", method: "post", summary: "Create a service account (10.x)", success: 201, body: "json" },
  { route: "serviceAccount", method: "get", summary: "Get a service account", success: 200 },
  { route: "serviceAccount", method: "put", summary: "Replace a service account", success: 200, body: "json" },
  { route: "serviceAccount", method: "delete", summary: "Delete a service account", success: 204 },
  ...secretOps("serviceAccountSecrets", "serviceAccountSecret", "service account"),
];

function document(title: string, serverUrl: string, routes: RouteProfile, operations: Operation[], audience: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const template = routes[op.route];
    const parameters = [...template.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
    paths[template] ??= {};
    paths[template][op.method] = {
      operationId: `${op.method}_${op.route}`,
      "x-route-key": op.route,
      summary: op.summary,
      parameters,
      ...(op.body === "multipart"
        ? { requestBody: { required: true, content: { "multipart/form-data": { schema: { type: "object", properties: { file: { type: "string", format: "binary" } }, required: ["file"] } } } } }
        : op.body === "json"
          ? { requestBody: { required: true, content: { "application/json": { schema: { type: "object" } } } } }
          : {}),
      responses: {
        [String(op.success)]: { description: "Success" },
        default: { description: "Error", content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } },
      },
    };
  }
  return {
    openapi: "3.0.3",
    info: { title, version: "1.0.0", description: `Emulated. Bearer tokens from Access Management with audience ${audience}.` },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: {
        Problem: {
          type: "object",
          properties: { type: { type: "string" }, title: { type: "string" }, status: { type: "integer" }, detail: { type: "string" } },
        },
      },
    },
    security: [{ bearer: [] }],
  };
}

export function addonsOpenApi(addonsUrl: string, routes: RouteProfile) {
  return document("Tridion Sites Add-ons Service (emulator)", addonsUrl, routes, addonsOperations, "Tridion.AddonService");
}

export function managementOpenApi(accessManagementUrl: string, routes: RouteProfile, productVersion: ProductVersion) {
  const operations = productVersion === "9.6" ? managementOperations : [...managementOperations, ...serviceAccountOperations];
  return document("Tridion Sites Access Management API (emulator)", accessManagementUrl, routes, operations, "Tridion.AccessManagement");
}
