// The serialized provider (`__provider`): tiny, no captured library, no secret, and it drives the
// installed implementation (dist/, through `require("pulumi-tridion/dynamic")`) at call time.
import test from "ava";
import { SecretScanner } from "../helpers/secrets";
import { adminApi, configFor, configRequest, serializedProvider, start } from "./support";
const requireFromString = require("require-from-string") as (code: string) => {
  handler: () => Record<string, (...a: unknown[]) => Promise<any>>;
};

test.serial("__provider is a small shim: a kind string and require() calls, nothing else", async (t) => {
  for (const kind of ["addonPackage", "clientCredentialUser", "serviceAccount"] as const) {
    const text = await serializedProvider(kind);
    t.true(text.length < 4096, `${kind}: ${text.length} characters`);
    t.true(text.includes(`require("pulumi-tridion/dynamic")`));
    t.true(text.includes(`kind: "${kind}"`));
    for (const captured of ["axios", "openid-client", "form-data", "accessManagementUrl", "Bearer", "http://", "https://"]) {
      t.false(text.includes(captured), `${kind} captures ${captured}`);
    }
    const provider = requireFromString(text).handler();
    t.deepEqual(Object.keys(provider).sort(), ["check", "configure", "create", "delete", "diff", "read", "update"]);
  }
});

test.serial("round trip: the deserialized shim configures and runs the installed provider; no secret in its text", async (t) => {
  const emulator = await start({ productVersion: "9.6", seedUsers: ["round-trip"] });
  t.teardown(() => emulator.close());
  const text = await serializedProvider("clientCredentialUser");
  const provider = requireFromString(text).handler();
  await provider.configure(configRequest(configFor(emulator)));
  const inputs = { userName: "round-trip", roles: ["Tridion.AddonService.Administrator"] };
  const checked = await provider.check({}, inputs);
  const created = await provider.create(checked.inputs);
  t.truthy(created.outs.clientSecret);
  const api = await adminApi(emulator);
  t.deepEqual(api.access.rolesOf((await api.access.account("Users", created.outs.userId))!), ["Tridion.AddonService.Administrator"]);

  const scanner = new SecretScanner().add(emulator.credentials.admin.clientSecret, created.outs.clientSecret, api.token);
  // The provider text is the same after configure() and create(): settings live in module state.
  t.deepEqual(scanner.findIn(await serializedProvider("clientCredentialUser")), []);
  t.deepEqual(scanner.findIn(text), []);
  await provider.delete(created.id, created.outs);
  const after = (await api.access.account("Users", created.outs.userId))!;
  t.deepEqual([after.clientSecrets, api.access.rolesOf(after)], [[], []], "delete took back the secret and the role");
});
