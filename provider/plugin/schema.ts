// The package schema of the `tridion` provider plugin: the one description of its resources,
// their inputs and outputs, the provider's settings and the SDKs' language settings. Pulumi YAML
// reads it at run time (types, secrets); SDK generators read it to write the SDKs.
// tests/plugin/schema.test.ts holds it and the engines' typed inputs and state together.
import { SETTINGS, type SettingName } from "../config/settings";

/** A type or property of the schema (the subset of Pulumi's package schema used here). */
export interface PropertySpec {
  type?: "string" | "integer" | "number" | "boolean" | "array" | "object";
  $ref?: string;
  items?: PropertySpec;
  additionalProperties?: PropertySpec;
  oneOf?: PropertySpec[];
  description?: string;
  secret?: boolean;
  default?: unknown;
  /** Documentation: a change of this input replaces the resource (the provider's diff decides). */
  willReplaceOnChanges?: boolean;
}

export interface ResourceSpec {
  description: string;
  /** Earlier types of the resource: a stack moving to this type keeps it (no replacement). */
  aliases?: Array<{ type: string }>;
  inputProperties: Record<string, PropertySpec>;
  requiredInputs: string[];
  properties: Record<string, PropertySpec>;
  required: string[];
}

export const PACKAGE_NAME = "tridion";

/** The resource kinds' type tokens. */
export const TOKENS = {
  addonPackage: "tridion:index:AddonPackage",
  clientCredentialUser: "tridion:index:ClientCredentialUser",
  serviceAccount: "tridion:index:ServiceAccount",
} as const;

/**
 * The type each resource has as a dynamic resource (`import { AddonPackage } from "pulumi-tridion"`):
 * the schema names it as an alias, so a TypeScript stack moving to the plugin's SDK keeps its
 * resources instead of replacing them.
 */
export const dynamicType = (token: string): string => `pulumi-nodejs:dynamic/tridion:${token.split(":").pop()}`;

/** The output the dynamic face keeps in state (its serialized provider); the plugin drops it. */
export const DYNAMIC_PROVIDER_FIELD = "__provider";

/**
 * Fields the engines keep in state for themselves (recognising an interrupted create, putting
 * access back on delete): persisted, never documented as properties.
 */
export const INTERNAL_FIELDS = ["ownerKey", "originalAccess", "accessSeen", "proofPending"] as const;

/** Each setting's type and meaning (the README's table); a new setting fails to compile until it is described here. */
const SETTING_DOCS: Record<SettingName, { type: "string" | "boolean" | "integer"; description: string; secret?: true }> = {
  accessManagementUrl: {
    type: "string",
    description: "The Access Management authority, e.g. `https://sites.example.com/access-management` (discovery is read from it).",
  },
  addonsUrl: {
    type: "string",
    description: "The Add-ons Service base URL, on its own host or port, e.g. `https://sites.example.com:83/addon`.",
  },
  clientId: {
    type: "string",
    description:
      "The provider's identity: needs `Tridion.AccessManagement.Administrator` to manage identities, and the Add-ons Administrator role to deploy packages that have no `credentials`.",
  },
  clientSecret: { type: "string", description: "The client secret of `clientId`.", secret: true },
  routes: { type: "string", description: "JSON object overriding route templates (see the README's route profile)." },
  caCertificate: { type: "string", description: "PEM text or a file path: a private CA for on-premises HTTPS." },
  allowInsecureHttp: {
    type: "boolean",
    description: "`true` to allow plain `http://` to a non-loopback host (refused otherwise; loopback is always allowed).",
  },
  requestTimeoutSeconds: { type: "integer", description: "Timeout of every HTTP call, in seconds (default 60)." },
  productVersion: { type: "string", description: "`9.5`, `9.6` or `10`; detected when unset." },
  tokenAuthMethod: { type: "string", description: "`client_secret_basic` or `client_secret_post`; from discovery when unset." },
  maxRetries: { type: "integer", description: "Retries of idempotent calls and of 429/503 answers (default 4)." },
  retryBaseDelayMs: {
    type: "integer",
    description: "First pause before a retry, default 250 ms; it doubles per attempt up to 10 s, with jitter.",
  },
  pollIntervalMs: {
    type: "integer",
    description: "First pause while waiting for an add-on to activate, default 500 ms; it grows by half per poll up to 5 s.",
  },
  proxy: {
    type: "string",
    description:
      "A proxy URL for every call, or `direct`; unset, the usual `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` apply. A secret: the URL may hold a password.",
    secret: true,
  },
  verifyTimeoutSeconds: {
    type: "integer",
    description:
      "How long a new client secret (or a role change) may take to show in a token before `up` gives up on it without revoking the old secret, in seconds (default 60).",
  },
};

function settingVariables(): Record<string, PropertySpec> {
  return Object.fromEntries(
    (Object.keys(SETTINGS) as SettingName[]).map((name) => {
      const doc = SETTING_DOCS[name];
      const spec: PropertySpec = { type: doc.type, description: `${doc.description} Environment variable: \`${SETTINGS[name].env}\`.` };
      if (doc.secret) spec.secret = true;
      return [name, spec];
    }),
  );
}

const str = (description: string): PropertySpec => ({ type: "string", description });
const int = (description: string, dflt?: number): PropertySpec => ({
  type: "integer",
  description,
  ...(dflt === undefined ? {} : { default: dflt }),
});
const bool = (description: string, dflt?: boolean): PropertySpec => ({
  type: "boolean",
  description,
  ...(dflt === undefined ? {} : { default: dflt }),
});
/** An input whose change replaces the resource. */
const replacing = (spec: PropertySpec): PropertySpec => ({ ...spec, willReplaceOnChanges: true });
const strings = (description: string): PropertySpec => ({ type: "array", items: { type: "string" }, description });

const addonInputs: Record<string, PropertySpec> = {
  source: str(
    "A `.zip` file or a folder (zipped deterministically, named ID-VERSION.zip from its manifest). Uploads are named `ID-VERSION-COUNTER.zip`, the COUNTER taken from the stack and the resource.",
  ),
  configuration: {
    oneOf: [{ type: "object", additionalProperties: { $ref: "pulumi.json#/Any" } }, { type: "string" }],
    description:
      "The add-on's custom configuration: an object or its JSON text (`configuration`, `sitesCm`, CD environment keys); extension names are checked against the manifest.",
  },
  enabled: bool("Enable the add-on.", true),
  activationTimeoutSeconds: int(
    "Wait this long for the status to leave `PendingActivation` (0 = do not wait). `Failed` or a timeout is an error quoting the service's messages; the add-on stays in the state.",
    120,
  ),
  credentials: {
    $ref: "#/types/tridion:index:Credentials",
    secret: true,
    description: "Deploy as this identity (e.g. a ClientCredentialUser's outputs) instead of `tridion:clientId`. Stored as a secret.",
  },
  adopt: bool("Take over an add-on that already exists on the service with the same id (its package is replaced)."),
  expectedPackageSha256: str(
    "Refuse, in preview and again just before the upload, any package whose sha256 differs, e.g. the `packageSha256` that passed in another stack.",
  ),
};

const addonOutputs: Record<string, PropertySpec> = {
  ...addonInputs,
  addonId: str("The add-on's id, from its manifest (a new id replaces the add-on)."),
  version: str("The add-on's version, from its manifest."),
  name: str("The add-on's name, as the service reports it."),
  status: str("WaitingForConfiguration | PendingActivation | Success | Failed | Disabled"),
  statusMessage: str("The service's message about the status, if any."),
  packageSha256: str("sha256 of the package uploaded."),
  packageFileName: str("The file name the package was uploaded as."),
  extensions: {
    type: "array",
    items: { $ref: "#/types/tridion:index:Extension" },
    description: "The add-on's extensions and their status.",
  },
  configurationSha256: str("sha256 of the canonical JSON of the configuration; absent without one."),
  enabled: bool("Whether the add-on is enabled."),
};

const identityInputs: Record<string, PropertySpec> = {
  roles: strings("Role keys `<api>.<role>`, e.g. `Tridion.AddonService.Administrator`; one role per API."),
  secretExpiresInDays: int("Lifetime of the client secret, 1-365 days (Access Management's maximum).", 365),
  rotateBeforeDays: int("`up` rotates a secret that expires within this many days; preview shows it coming.", 30),
  secretVersion: {
    oneOf: [{ type: "string" }, { type: "number" }],
    description: "Change it (any string or number) to rotate the client secret now.",
  },
  secretOverlapHours: int(
    "Hours the previous client secret stays valid after a rotation, for consumers outside the stack; the first `up` after `previousSecret.revokeAfter` revokes it. 0: it is revoked as soon as a token with the new one holds the roles.",
    0,
  ),
};

const identityOutputs: Record<string, PropertySpec> = {
  ...identityInputs,
  clientId: str("The client id to request tokens with."),
  clientSecret: { type: "string", secret: true, description: "The client secret (a secret; Access Management shows it only once)." },
  secretId: int("Access Management id of the client secret in use."),
  secretExpiresAt: str("ISO 8601 expiry of the client secret."),
  secretStatus: str('"active", or after a refresh "revoked"/"expired" (the next `up` issues a new secret).'),
  grantedRoles: strings("Roles this resource granted (delete takes them away again; roles the account held before stay)."),
  pendingRevocations: {
    type: "array",
    items: { type: "integer" },
    description: "Ids of older secrets of ours not revoked yet (a revoke failed); the next `up` revokes them.",
  },
  previousSecret: {
    $ref: "#/types/tridion:index:PreviousSecret",
    description: "The client secret before the last rotation, while `secretOverlapHours` keeps it valid.",
  },
};

const userInputs: Record<string, PropertySpec> = {
  userName: replacing(
    str(
      "The user's name in Access Management, exactly as it is listed there (the identity provider sets it). Changing it means another user.",
    ),
  ),
  identityProvider: replacing(
    str(
      'The identity provider the user signs in with (its key, e.g. "EntraId", or its name), when users of several identity providers share the name.',
    ),
  ),
  ...identityInputs,
};

const accountInputs: Record<string, PropertySpec> = {
  accountName: str("The service account's name in Access Management (unique)."),
  clientId: replacing(
    str(
      "Client id to give the account. Changing it replaces the account. Default: one derived from the stack and the resource name (`pulumi-<32 hex digits>`), by which an interrupted create recognises the account it made.",
    ),
  ),
  adopt: bool("Take over a service account that already exists with this name (kept on delete; only what this resource did is undone)."),
  ...identityInputs,
};

export const RESOURCES: Record<(typeof TOKENS)[keyof typeof TOKENS], ResourceSpec> = {
  [TOKENS.addonPackage]: {
    aliases: [{ type: dynamicType(TOKENS.addonPackage) }],
    description:
      "An add-on package (ZIP or folder) deployed to the Tridion Sites Add-ons Service, with its custom configuration and enabled state.",
    inputProperties: addonInputs,
    requiredInputs: ["source"],
    properties: addonOutputs,
    required: ["source", "addonId", "enabled"],
  },
  [TOKENS.clientCredentialUser]: {
    aliases: [{ type: dynamicType(TOKENS.clientCredentialUser) }],
    description:
      "Tridion Sites 9.5/9.6: a user who has signed in once gets client credentials and API roles, and then acts as a service account. The user is never created or deleted: delete takes away exactly the roles and secret this resource added.",
    inputProperties: userInputs,
    requiredInputs: ["userName", "roles"],
    properties: {
      ...identityOutputs,
      ...userInputs,
      userId: int("Access Management id of the user."),
      identityProviderKey: str("The key of the identity provider the user signs in with."),
      email: str("The user's e-mail address as the identity provider gave it (read only)."),
      userEnabled: bool("False when the user is deactivated in Access Management (its credentials then get no token)."),
    },
    required: ["userName", "roles", "userId"],
  },
  [TOKENS.serviceAccount]: {
    aliases: [{ type: dynamicType(TOKENS.serviceAccount) }],
    description: "Tridion Sites 10: a service account of your own with chosen roles and its own client secret.",
    inputProperties: accountInputs,
    requiredInputs: ["accountName", "roles"],
    properties: {
      ...identityOutputs,
      ...accountInputs,
      clientId: str("The client id to request tokens with."),
      serviceAccountId: int("Access Management id of the service account."),
      createdAccount: bool("Whether this resource created the account (delete removes it only then)."),
    },
    required: ["accountName", "roles", "serviceAccountId"],
  },
};

/** The whole schema, as GetSchema answers it. */
export function packageSchema(version: string): Record<string, unknown> {
  const variables = settingVariables();
  return {
    name: PACKAGE_NAME,
    displayName: "Tridion Sites",
    version,
    description: "RWS Tridion Sites add-on packages and client-credential identities (Access Management).",
    keywords: ["pulumi", "tridion", "rws", "category/utility", "kind/native"],
    license: "Apache-2.0",
    publisher: "pulumi-tridion",
    // Where Pulumi will fetch the plugin's tarballs (`npm run plugin:pack`) once releases carry
    // them; not published yet. A plugin installed with `pulumi plugin install --file`, or one
    // named under `plugins: providers` in Pulumi.yaml, is used without asking it.
    pluginDownloadURL: "github://api.github.com/pulumi-tridion/pulumi-tridion",
    // supportPack: the SDKs are packages of their own (the Go SDK a module with its go.mod in sdk/go).
    meta: { moduleFormat: "(.*)", supportPack: true },
    config: { variables },
    provider: {
      description:
        "The tridion provider: where Tridion Sites is and the identity that manages it. Unset settings fall back to the `TRIDION_*` environment variables.",
      inputProperties: variables,
    },
    types: {
      "tridion:index:Credentials": {
        type: "object",
        description: "A client id and secret to request tokens with.",
        properties: {
          clientId: str("The client id."),
          clientSecret: { type: "string", secret: true, description: "The client secret." },
        },
        required: ["clientId", "clientSecret"],
      },
      "tridion:index:PreviousSecret": {
        type: "object",
        description: "The client secret before the last rotation, valid until `revokeAfter`.",
        properties: {
          secretId: int("Access Management id of the previous client secret."),
          expiresAt: str("ISO 8601 expiry of the previous client secret."),
          revokeAfter: str("ISO 8601, on Access Management's clock: the first `up` from then on revokes it."),
        },
        required: ["secretId", "expiresAt", "revokeAfter"],
      },
      "tridion:index:Extension": {
        type: "object",
        description: "An extension of an add-on, as the service reports it.",
        properties: {
          name: str("The extension's name."),
          type: str("The extension's type, e.g. CMEventHandler."),
          status: str("The extension's status."),
          message: str("The service's message about it, if any."),
        },
        required: ["name"],
      },
    },
    resources: RESOURCES,
    language: {
      csharp: { rootNamespace: "Tridion.Pulumi", packageReferences: { Pulumi: "3.*" }, respectSchemaVersion: true },
      python: { packageName: "pulumi_tridion_sites", respectSchemaVersion: true, pyproject: { enabled: true } },
      go: {
        importBasePath: "github.com/pulumi-tridion/pulumi-tridion/sdk/go/tridion",
        generateResourceContainerTypes: true,
        respectSchemaVersion: true,
      },
      nodejs: { packageName: "@pulumi-tridion/sdk", respectSchemaVersion: true },
    },
  };
}
