// OpenAPI documents of both services, generated from the active route profile so they always
// describe the paths this emulator really serves. Access Management's follows the shapes of RWS's
// published API with the emulator's own schemas (accessManagement/schemas.ts).
import type { RouteKey, RouteProfile } from "./routes";
import type { ProductVersion } from "./types";
import { componentSchemas } from "./accessManagement/schemas";

interface AddonsOperation {
  route: RouteKey;
  method: "get" | "post" | "put" | "delete";
  summary: string;
  success: number;
  body?: "json" | "multipart";
}

const addonsOperations: AddonsOperation[] = [
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
  {
    route: "extensionStatus",
    method: "put",
    summary: "Report an extension's load status ({environment, status, message})",
    success: 200,
    body: "json",
  },
];

const pathParameters = (template: string) =>
  [...template.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));

export function addonsOpenApi(addonsUrl: string, routes: RouteProfile) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of addonsOperations) {
    const template = routes[op.route];
    paths[template] ??= {};
    paths[template][op.method] = {
      operationId: `${op.method}_${op.route}`,
      "x-route-key": op.route,
      summary: op.summary,
      parameters: pathParameters(template),
      ...(op.body === "multipart"
        ? {
            requestBody: {
              required: true,
              content: {
                "multipart/form-data": {
                  schema: { type: "object", properties: { file: { type: "string", format: "binary" } }, required: ["file"] },
                },
              },
            },
          }
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
    info: {
      title: "Tridion Sites Add-ons Service (emulator)",
      version: "1.0.0",
      description: "Emulated. Bearer tokens from Access Management with audience Tridion.AddonService.",
    },
    servers: [{ url: addonsUrl }],
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

interface ManagementOperation {
  route: RouteKey;
  method: "get" | "post" | "put" | "delete";
  summary: string;
  status: number;
  /** Request body schema (a component name). */
  body?: string;
  /** Response schema: a component name, or [name] for a list. */
  answer?: string | [string];
  /** Served on 10.x only. */
  tenOnly?: boolean;
  deprecated?: boolean;
}

const managementOperations: ManagementOperation[] = [
  {
    route: "apiResources",
    method: "get",
    summary: "Gets a list of all API resources in the system.",
    status: 200,
    answer: ["ApiResource"],
  },
  { route: "apiResource", method: "get", summary: "Gets the API resource with the given ID.", status: 200, answer: "ApiResource" },
  { route: "applications", method: "get", summary: "Gets a list of all applications.", status: 200, answer: ["Application"] },
  { route: "application", method: "get", summary: "Gets the application with the given ID.", status: 200, answer: "Application" },
  {
    route: "identityProviders",
    method: "get",
    summary: "Gets a list of all identity providers.",
    status: 200,
    answer: ["IdentityProvider"],
  },
  {
    route: "identityProvider",
    method: "get",
    summary: "Gets the identity provider with the given ID.",
    status: 200,
    answer: "IdentityProvider",
  },
  {
    route: "serviceAccounts",
    method: "get",
    summary: "Gets a list of all service accounts in the system.",
    status: 200,
    answer: ["ServiceAccount"],
  },
  {
    route: "serviceAccounts",
    method: "post",
    summary: "Creates a new service account. The Location header contains the URL to the new item.",
    status: 201,
    body: "ServiceAccount",
    answer: "ServiceAccount",
    tenOnly: true,
  },
  { route: "serviceAccount", method: "get", summary: "Gets the service account with the given ID.", status: 200, answer: "ServiceAccount" },
  {
    route: "serviceAccount",
    method: "put",
    summary: "Updates an existing service account.",
    status: 200,
    body: "ServiceAccount",
    answer: "ServiceAccount",
    tenOnly: true,
  },
  { route: "serviceAccount", method: "delete", summary: "Permanently deletes an existing service account.", status: 204, tenOnly: true },
  {
    route: "serviceAccountGenerateSecret",
    method: "post",
    summary: "Generates a new client secret for a service account (the only time its value is shown).",
    status: 200,
    answer: "UserClientSecret",
  },
  {
    route: "serviceAccountSecret",
    method: "put",
    summary: "Updates an existing client secret (shortens its expiry).",
    status: 200,
    body: "UserClientSecret",
    answer: "UserClientSecret",
  },
  {
    route: "serviceAccountSecret",
    method: "delete",
    summary: "Permanently deletes an existing client secret from a service account.",
    status: 204,
  },
  { route: "userInfo", method: "get", summary: "Gets information about the current user.", status: 200, answer: "UserInfo" },
  {
    route: "users",
    method: "get",
    summary: "Gets a list of all users in the system (users appear at their first sign-in).",
    status: 200,
    answer: ["User"],
  },
  { route: "user", method: "get", summary: "Gets the user with the given ID.", status: 200, answer: "User" },
  { route: "user", method: "put", summary: "Updates an existing user.", status: 200, body: "User", answer: "User" },
  { route: "user", method: "delete", summary: "Permanently deletes an existing user (recreated at their next sign-in).", status: 204 },
  { route: "userDeactivate", method: "put", summary: "Deactivates a user.", status: 200 },
  { route: "userActivate", method: "put", summary: "Re-activates a deactivated user so they can log in again.", status: 200 },
  {
    route: "userGenerateSecret",
    method: "post",
    summary: "Generates a new client secret for a user (deprecated: use service accounts).",
    status: 200,
    answer: "UserClientSecret",
    deprecated: true,
  },
  {
    route: "userSecret",
    method: "put",
    summary: "Updates an existing client secret of a user (deprecated).",
    status: 200,
    body: "UserClientSecret",
    answer: "UserClientSecret",
    deprecated: true,
  },
  {
    route: "userSecret",
    method: "delete",
    summary: "Permanently deletes an existing client secret from a user (deprecated).",
    status: 204,
    deprecated: true,
  },
];

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ "application/json": { schema } });
const errorAnswer = (description: string) => ({ description, content: json(schemaRef("ErrorResponse")) });

export function managementOpenApi(accessManagementUrl: string, routes: RouteProfile, productVersion: ProductVersion) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of managementOperations) {
    // 9.x lists and reads service accounts (the predefined ones) but cannot create or change them.
    if (op.tenOnly && productVersion === "9.6") continue;
    const template = routes[op.route];
    const answer =
      op.answer === undefined
        ? undefined
        : Array.isArray(op.answer)
          ? { type: "array", items: schemaRef(op.answer[0]) }
          : schemaRef(op.answer);
    paths[template] ??= {};
    paths[template][op.method] = {
      operationId: `${op.method}_${op.route}`,
      summary: op.summary,
      ...(op.deprecated ? { deprecated: true } : {}),
      parameters: [...template.matchAll(/\{(\w+)\}/g)].map((m) => ({
        name: m[1],
        in: "path",
        required: true,
        schema: { type: "integer", format: "int32" },
      })),
      ...(op.body ? { requestBody: { content: json(schemaRef(op.body)) } } : {}),
      responses: {
        [String(op.status)]: { description: "Success", ...(answer ? { content: json(answer) } : {}) },
        "400": errorAnswer("A validation error occurred."),
        ...(template.includes("{") ? { "404": errorAnswer("The object does not exist.") } : {}),
        "500": errorAnswer("An unexpected error occurred."),
      },
    };
  }
  return {
    openapi: "3.0.1",
    info: {
      title: `Access Management API (Tridion Sites ${productVersion} emulator)`,
      version: "v1",
      description: "Emulated. Bearer tokens with audience Tridion.AccessManagement and the role Tridion.AccessManagement.Administrator.",
    },
    servers: [{ url: accessManagementUrl }],
    paths,
    components: { schemas: componentSchemas },
  };
}
