// The plugin's schema and the engines' typed inputs and state, held together: every key of the
// state and input types is a documented property or one of the internal fields, and every
// documented property is a key of those types. The key lists below are checked by the compiler
// against the types (a key added to or removed from a type fails `tsc` here until listed), and
// by this test against the schema (a property added to or removed from the schema fails here).
import test from "ava";
import type { AddonPackageInputs, AddonPackageState } from "../../provider/resources/addonPackage/state";
import type {
  ClientCredentialUserInputs,
  ClientCredentialUserState,
  ServiceAccountInputs,
  ServiceAccountState,
} from "../../provider/resources/identity/identityState";
import { SETTINGS } from "../../provider/config/settings";
import { INTERNAL_FIELDS, packageSchema, TOKENS, type PropertySpec, type ResourceSpec } from "../../provider/plugin/schema";

/** Exactly the keys of T: the compiler refuses a missing or an extra one. */
type KeysOf<T> = Record<keyof T, true>;
/** Exactly the keys T requires. */
type RequiredKeysOf<T> = Record<{ [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T], true>;

const addonState: KeysOf<AddonPackageState> = {
  source: true,
  configuration: true,
  enabled: true,
  activationTimeoutSeconds: true,
  credentials: true,
  adopt: true,
  expectedPackageSha256: true,
  ownerKey: true,
  addonId: true,
  version: true,
  packageSha256: true,
  packageFileName: true,
  configurationSha256: true,
  name: true,
  status: true,
  statusMessage: true,
  extensions: true,
};
const addonInputs: KeysOf<AddonPackageInputs> = {
  source: true,
  configuration: true,
  enabled: true,
  activationTimeoutSeconds: true,
  credentials: true,
  adopt: true,
  expectedPackageSha256: true,
  ownerKey: true,
  addonId: true,
  version: true,
  packageSha256: true,
  packageFileName: true,
  configurationSha256: true,
};
const addonRequired: RequiredKeysOf<AddonPackageInputs> = { source: true };

const identityState = {
  roles: true,
  secretExpiresInDays: true,
  rotateBeforeDays: true,
  secretVersion: true,
  ownerKey: true,
  clientId: true,
  clientSecret: true,
  secretId: true,
  secretExpiresAt: true,
  secretStatus: true,
  grantedRoles: true,
  originalAccess: true,
  accessSeen: true,
  pendingRevocations: true,
  secretOverlapHours: true,
  previousSecret: true,
  proofPending: true,
} as const;
const identityInputs = {
  roles: true,
  secretExpiresInDays: true,
  rotateBeforeDays: true,
  secretVersion: true,
  secretOverlapHours: true,
  ownerKey: true,
} as const;

const userState: KeysOf<ClientCredentialUserState> = {
  ...identityState,
  userName: true,
  identityProvider: true,
  userId: true,
  identityProviderKey: true,
  email: true,
  userEnabled: true,
};
const userInputs: KeysOf<ClientCredentialUserInputs> = { ...identityInputs, userName: true, identityProvider: true };
const userRequired: RequiredKeysOf<ClientCredentialUserInputs> = { userName: true, roles: true };

const accountState: KeysOf<ServiceAccountState> = {
  ...identityState,
  accountName: true,
  adopt: true,
  serviceAccountId: true,
  createdAccount: true,
};
const accountInputs: KeysOf<ServiceAccountInputs> = { ...identityInputs, accountName: true, clientId: true, adopt: true };
const accountRequired: RequiredKeysOf<ServiceAccountInputs> = { accountName: true, roles: true };

const schema = packageSchema("1.2.3") as {
  name: string;
  version: string;
  config: { variables: Record<string, PropertySpec> };
  provider: { inputProperties: Record<string, PropertySpec> };
  types: Record<string, { properties: Record<string, PropertySpec>; required?: string[] }>;
  resources: Record<string, ResourceSpec>;
  language: Record<string, Record<string, unknown>>;
};

const sorted = (o: object) => Object.keys(o).sort();
const internal = new Set<string>(INTERNAL_FIELDS);
const documented = (keys: object) => sorted(keys).filter((k) => !internal.has(k));

const kinds = [
  { token: TOKENS.addonPackage, state: addonState, inputs: addonInputs, required: addonRequired },
  { token: TOKENS.clientCredentialUser, state: userState, inputs: userInputs, required: userRequired },
  { token: TOKENS.serviceAccount, state: accountState, inputs: accountInputs, required: accountRequired },
];

for (const { token, state, inputs, required } of kinds) {
  test(`${token}: the schema documents exactly the engine's state and inputs`, (t) => {
    const resource = schema.resources[token];
    t.truthy(resource, "the resource is in the schema");
    t.deepEqual(sorted(resource.properties), documented(state), "outputs: every state key but the internal fields");
    // Every input the program sets is an input property; what check adds (the package's id,
    // version, hashes) is documented as an output.
    for (const key of sorted(resource.inputProperties)) t.true(key in inputs, `${key} is an input of the engine`);
    for (const key of documented(inputs)) t.true(key in resource.properties, `${key} is documented`);
    t.deepEqual([...resource.requiredInputs].sort(), sorted(required));
    for (const key of resource.required) t.true(key in resource.properties);
    for (const field of INTERNAL_FIELDS) {
      t.false(field in resource.properties, `${field} is not a documented output`);
      t.false(field in resource.inputProperties, `${field} is not a documented input`);
    }
    for (const [key, spec] of [...Object.entries(resource.inputProperties), ...Object.entries(resource.properties)]) {
      t.truthy(spec.description, `${key} has a description`);
      t.true(Boolean(spec.type || spec.$ref || spec.oneOf), `${key} has a type`);
    }
  });
}

test("secrets, references, configuration and settings", (t) => {
  t.is(schema.name, "tridion");
  t.is(schema.version, "1.2.3");
  const addon = schema.resources[TOKENS.addonPackage];
  t.true(addon.inputProperties.credentials.secret);
  t.true(addon.properties.credentials.secret);
  t.true(schema.types["tridion:index:Credentials"].properties.clientSecret.secret);
  for (const token of [TOKENS.clientCredentialUser, TOKENS.serviceAccount]) t.true(schema.resources[token].properties.clientSecret.secret);
  // Nothing else is marked secret: a secret mark hides the value in every preview.
  const secretOutputs = Object.values(schema.resources).flatMap((r) =>
    Object.entries(r.properties)
      .filter(([, p]) => p.secret)
      .map(([k]) => k),
  );
  t.deepEqual([...new Set(secretOutputs)].sort(), ["clientSecret", "credentials"]);
  // configuration: an object or JSON text, as today.
  t.deepEqual(
    addon.inputProperties.configuration.oneOf?.map((o) => o.type),
    ["object", "string"],
  );
  // Every $ref points into the schema (or at Pulumi's Any).
  const refs = JSON.stringify(schema).match(/"\$ref":"[^"]+"/g) ?? [];
  for (const ref of refs) {
    const target = ref.slice(8, -1);
    t.true(target === "pulumi.json#/Any" || target.replace("#/types/", "") in schema.types, `${target} resolves`);
  }
  // A config variable for every setting, secret where the value may hold a credential.
  t.deepEqual(sorted(schema.config.variables), sorted(SETTINGS));
  t.deepEqual(schema.provider.inputProperties, schema.config.variables);
  const secretSettings = Object.entries(schema.config.variables)
    .filter(([, v]) => v.secret)
    .map(([k]) => k);
  t.deepEqual(secretSettings.sort(), ["clientSecret", "proxy"]);
  for (const [name, spec] of Object.entries(SETTINGS)) t.regex(schema.config.variables[name].description!, new RegExp(spec.env));
  // Language sections the SDK generators read.
  t.truthy(schema.language.csharp.rootNamespace);
  t.truthy(schema.language.python.packageName);
  t.truthy(schema.language.go.importBasePath);
  t.truthy(schema.language.nodejs.packageName);
  t.not(schema.language.nodejs.packageName, "pulumi-tridion", "the npm name of the dynamic provider stays its own");
});
