// OpenAPI documents of both services, generated from the active route profile so they always
// describe the paths this emulator really serves. Access Management's follows the shapes of RWS's
// published API with the emulator's own schemas (accessManagement/schemas.ts).
import type { RouteKey, RouteProfile } from "./routes";
import type { EmulatorOptions, ProductVersion } from "./types";
import { componentSchemas } from "./accessManagement/schemas";

type AddonsDialect = NonNullable<EmulatorOptions["addonsDialect"]>;

interface AddonsOperation {
  route: RouteKey;
  method: "get" | "post" | "put" | "delete";
  operationId: string;
  summary: string;
  success: number;
  /** The request body: the package (multipart), the configuration (as the dialect sends it), or a JSON schema. */
  body?: "package" | "configuration" | "AddonStatusUpdate" | "ExtensionStatusReport";
  /** What a success answers: JSON (an add-on, or a list of them), or the ZIP. */
  answer?: "addon" | "addons" | "zip" | "json";
}

// The operations as an ASP.NET Core controller would name them. No route keys or other hints of
// this project's profile: a client matching routes must go by the shapes of paths and methods.
const addonsOperations: AddonsOperation[] = [
  { route: "addons", method: "get", operationId: "Addons_List", summary: "List add-ons", success: 200, answer: "addons" },
  {
    route: "addons",
    method: "post",
    operationId: "Addons_Upload",
    summary: "Upload a new add-on package",
    success: 201,
    body: "package",
    answer: "addon",
  },
  { route: "addon", method: "get", operationId: "Addons_Get", summary: "Get an add-on", success: 200, answer: "addon" },
  {
    route: "addon",
    method: "put",
    operationId: "Addons_Replace",
    summary: "Replace an add-on's package",
    success: 200,
    body: "package",
    answer: "addon",
  },
  { route: "addon", method: "delete", operationId: "Addons_Delete", summary: "Delete an add-on and its configuration", success: 204 },
  { route: "addonPackage", method: "get", operationId: "Addons_Download", summary: "Download the package", success: 200, answer: "zip" },
  {
    route: "addonStatus",
    method: "put",
    operationId: "Addons_SetEnabled",
    summary: "Enable or disable an add-on",
    success: 200,
    body: "AddonStatusUpdate",
    answer: "addon",
  },
  {
    route: "addonConfiguration",
    method: "get",
    operationId: "Configuration_Get",
    summary: "Download the custom configuration",
    success: 200,
    answer: "json",
  },
  {
    route: "addonConfiguration",
    method: "put",
    operationId: "Configuration_Put",
    summary: "Upload the custom configuration",
    success: 200,
    body: "configuration",
    answer: "addon",
  },
  {
    route: "addonConfiguration",
    method: "delete",
    operationId: "Configuration_Delete",
    summary: "Delete the custom configuration",
    success: 204,
  },
  {
    route: "extensionStatus",
    method: "put",
    operationId: "Extensions_ReportStatus",
    summary: "Report an extension's load status",
    success: 200,
    body: "ExtensionStatusReport",
    answer: "addon",
  },
];

/** The service's own parameter names (a controller's), not the profile's placeholders. */
const parameterNames: Record<string, string> = { id: "addonId", name: "extensionName" };
const renamed = (template: string) => template.replace(/\{(\w+)\}/g, (_, name: string) => `{${parameterNames[name] ?? name}}`);

const addonsAnswer = (answer: AddonsOperation["answer"]) => {
  switch (answer) {
    case "addon":
      return { "application/json": { schema: { $ref: "#/components/schemas/Addon" } } };
    case "addons":
      return { "application/json": { schema: { type: "array", items: { $ref: "#/components/schemas/Addon" } } } };
    case "zip":
      return { "application/zip": { schema: { type: "string", format: "binary" } } };
    case "json":
      return { "application/json": { schema: { type: "object", additionalProperties: {} } } };
    default:
      return undefined;
  }
};

/** The status values as this dialect spells them (the emulator's answers use the same). */
const STATUS_ENUMS: Record<NonNullable<AddonsDialect["statusSpelling"]>, string[]> = {
  "10": ["WaitingForConfiguration", "PendingActivation", "Success", "Failed", "Disabled"],
  "9.5": ["WaitingForConfiguration", "PendingActivation", "Success", "Fail", "Disabled"],
  display: ["Waiting for configuration", "Pending Activation", "Success", "Failed", "Disabled"],
};

/** A multipart/form-data body with one required file part. */
const filePart = (field: string, description: string) => ({
  required: true,
  content: {
    "multipart/form-data": {
      schema: {
        type: "object",
        properties: { [field]: { type: "string", format: "binary", description } },
        required: [field],
      },
      encoding: { [field]: { style: "form" } },
    },
  },
});

/**
 * The Add-ons Service's document as Swashbuckle serves one (`/swagger/v1/swagger.json` under the
 * service's base): OpenAPI 3.0.1, no `servers` (paths are relative to the base), the paths of
 * the active route profile, and the dialect the emulator speaks (addonsDialect): property names in
 * its letter case, the status enum in its spelling, the upload's form field, the configuration
 * as a JSON body or a file part.
 */
export function addonsOpenApi(routes: RouteProfile, dialect: AddonsDialect = {}) {
  // Newtonsoft writes the C# property names as they are (PascalCase); System.Text.Json camel-cases them.
  const name = (camel: string) => (dialect.jsonCase === "pascal" ? camel[0].toUpperCase() + camel.slice(1) : camel);
  const object = (properties: Record<string, unknown>, required: string[] = []) => ({
    type: "object",
    properties: Object.fromEntries(Object.entries(properties).map(([key, schema]) => [name(key), schema])),
    ...(required.length ? { required: required.map(name) } : {}),
    additionalProperties: false,
  });
  const ref = (schema: string) => ({ $ref: `#/components/schemas/${schema}` });
  const requestBody = (body: AddonsOperation["body"]) => {
    switch (body) {
      case "package":
        return filePart(dialect.uploadField ?? "file", "The add-on package (a ZIP file named ID-VERSION.zip).");
      case "configuration":
        return dialect.configurationTransport === "file"
          ? filePart(dialect.configurationField ?? "configuration", "The custom configuration (a JSON file).")
          : { required: true, content: { "application/json": { schema: { type: "object", additionalProperties: {} } } } };
      case "AddonStatusUpdate":
      case "ExtensionStatusReport":
        return { required: true, content: { "application/json": { schema: ref(body) } } };
      default:
        return undefined;
    }
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of addonsOperations) {
    const template = renamed(routes[op.route]);
    const content = addonsAnswer(op.answer);
    const body = requestBody(op.body);
    paths[template] ??= {};
    paths[template][op.method] = {
      tags: ["Addons"],
      operationId: op.operationId,
      summary: op.summary,
      parameters: [...template.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } })),
      ...(body ? { requestBody: body } : {}),
      responses: {
        [String(op.success)]: { description: "Success", ...(content ? { content } : {}) },
        default: {
          description: "Error",
          content: { "application/problem+json": { schema: ref("ProblemDetails") } },
        },
      },
    };
  }
  const status = ref("AddonStatus");
  return {
    openapi: "3.0.1",
    info: { title: "Tridion Sites Add-ons Service (emulator)", version: "v1" },
    paths,
    components: {
      securitySchemes: { Bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: {
        Addon: object(
          {
            id: { type: "string" },
            name: { type: "string" },
            version: { type: "string" },
            author: { type: "string" },
            description: { type: "string" },
            manifestVersion: { type: "string" },
            requireConfiguration: { type: "string" },
            status,
            message: { type: "string" },
            packageFileName: { type: "string" },
            packageSize: { type: "integer", format: "int64" },
            packageSha256: { type: "string" },
            uploadedAt: { type: "string", format: "date-time" },
            hasConfiguration: { type: "boolean" },
            configurationSha256: { type: "string", nullable: true },
            extensions: { type: "array", items: ref("Extension") },
          },
          ["id", "status"],
        ),
        Extension: object({ name: { type: "string" }, type: { type: "string" }, status, message: { type: "string" } }, ["name"]),
        // Swashbuckle renders a C# enum serialized as strings (JsonStringEnumConverter / StringEnumConverter) like this.
        AddonStatus: { type: "string", enum: STATUS_ENUMS[dialect.statusSpelling ?? "10"] },
        AddonStatusUpdate: object({ enabled: { type: "boolean" } }, ["enabled"]),
        ExtensionStatusReport: object(
          { environment: { type: "string" }, status: { type: "string", enum: ["Success", "Failed"] }, message: { type: "string" } },
          ["environment", "status"],
        ),
        // ASP.NET Core's ProblemDetails names its members itself (RFC 7807), whatever the serializer.
        ProblemDetails: {
          type: "object",
          properties: { type: { type: "string" }, title: { type: "string" }, status: { type: "integer" }, detail: { type: "string" } },
        },
      },
    },
    security: [{ Bearer: [] }],
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
