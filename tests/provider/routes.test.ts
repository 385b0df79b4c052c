// The route profile: defaults, overrides from tridion:routes, URL-encoding of placeholders, and
// a whole lifecycle against an emulator that serves another profile.
import test from "ava";
import { defaultRoutes } from "../../emulator/routes";
import { DEFAULT_ROUTES, parseRouteOverrides } from "../../provider/config/routeProfile";
import { RouteProfile } from "../../provider/clients/routes";
import { TridionError } from "../../provider/errors/tridionError";
import { adminApi, addonFolder, impl, start } from "./support";

test("expands templates with URL-encoded placeholders", (t) => {
  const routes = new RouteProfile({ addon: "/v2/add-ons/{id}" });
  t.is(routes.url("http://h/addons/", "addon", { id: "a b/c" }), "http://h/addons/v2/add-ons/a%20b%2Fc");
  t.is(routes.path("userSecret", { id: 7, secretId: "s?1" }), "/api/v1/Users/7/clientSecrets/s%3F1");
  t.throws(() => routes.path("addon"), {
    message: /holds the placeholder \{id\}, which this call has no value for/,
    instanceOf: TridionError,
  });
});

test("tridion:routes: unknown keys, missing placeholders and bad JSON are refused with the reason", (t) => {
  t.deepEqual(parseRouteOverrides('{"users": "/am/users"}'), { users: "/am/users" });
  t.throws(() => parseRouteOverrides('{"user": "/am/users"}'), { message: /must contain \{id\}/ });
  t.throws(() => parseRouteOverrides('{"usr": "/x"}'), { message: /unknown route key "usr" \(known keys: addons, addon/ });
  t.throws(() => parseRouteOverrides("[1]"), { message: /JSON object/ });
  t.throws(() => parseRouteOverrides("{"), { message: /not valid JSON/ });
  t.throws(() => parseRouteOverrides('{"addons": "api/addons"}'), { message: /starting with "\/"/ });
  // Keys of the earlier, invented Access Management contract name their successors.
  t.throws(() => parseRouteOverrides('{"userSecrets": "/x/{id}"}'), {
    message: /route key "userSecrets" is retired.*use userGenerateSecret \(POST \.\.\.\/generateClientSecret\) and userSecret instead/,
  });
  t.throws(() => parseRouteOverrides('{"serviceAccountSecrets": "/x/{id}"}'), { message: /serviceAccountGenerateSecret/ });
});

test.serial("nothing is hard-wired: a lifecycle against an emulator serving another route profile", async (t) => {
  const routes = {
    addons: "/v2/packages",
    addon: "/v2/packages/{id}",
    addonStatus: "/v2/packages/{id}/state",
    addonConfiguration: "/v2/packages/{id}/config",
    users: "/mgmt/people",
    user: "/mgmt/people/{id}",
    userGenerateSecret: "/mgmt/people/{id}/secrets/new",
    userSecret: "/mgmt/people/{id}/secrets/{secretId}",
    serviceAccounts: "/mgmt/robots",
    apiResources: "/mgmt/apis",
  };
  const emulator = await start({ productVersion: "9.6", routes, seedUsers: ["deployer"] }, { "tridion:routes": JSON.stringify(routes) });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  emulator.clearRequestLog(); // from here on, only the provider's calls (and the plain GETs below)
  const user = await impl.clientCredentialUser.create({ userName: "deployer", roles: ["Tridion.AddonService.Administrator"] });
  const credentials = { clientId: user.outs.clientId, clientSecret: user.outs.clientSecret };
  const checked = await impl.addonPackage.check!(
    {},
    { source: addonFolder(), credentials, configuration: { sitesCm: { isEnabled: true } }, enabled: false },
  );
  const addon = await impl.addonPackage.create(checked.inputs);
  t.is(addon.outs.status, "Disabled");
  t.is(
    (await api.get(`${emulator.addonsUrl}/v2/packages/acme-publishing-tools`)).data.configurationSha256,
    checked.inputs.configurationSha256,
  );
  await impl.addonPackage.delete!(addon.id, addon.outs);
  await impl.clientCredentialUser.delete!(user.id, user.outs);
  const paths = emulator.requestLog().map((e) => e.path);
  t.deepEqual(
    paths.filter((p) => p.includes("/api/v1/")),
    [],
    "only the overridden routes were used",
  );
  t.true(
    paths.some((p) => p.endsWith("/secrets/new")),
    "the secret came from the moved generateClientSecret route",
  );
  const after = (await api.get(`${emulator.accessManagementUrl}/mgmt/people/${user.id}`)).data;
  t.deepEqual(after.clientSecrets, [], "delete revoked the secret through the moved route");
  t.deepEqual(after.accessControlEntry.apiResourceRoles, []);
});

test("the provider's default routes are the emulator's: both follow the contract's route profile", (t) => {
  // Each side keeps its own copy on purpose (the emulator shares nothing with the provider but the
  // contract); this keeps the two copies from drifting apart. The emulator serves more routes
  // (activate, identity providers, ...) than the provider calls.
  const emulatorRoutes: Record<string, string> = { ...defaultRoutes };
  for (const [key, template] of Object.entries(DEFAULT_ROUTES)) t.is(emulatorRoutes[key], template, key);
});
