// Answers the contract does not expect still read as cause and fix: a redirecting service and an
// unexpected status, from a real HTTP server standing in front of the Add-ons Service.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import test from "ava";
import { configure, configFor, failure, impl, start } from "./support";

async function serve(status: number, headers: Record<string, string> = {}): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(status, { "Content-Type": "text/plain", ...headers });
    res.end(status >= 400 ? "teapot says no" : "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/addons`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test.serial("a redirect is not followed: the error names where it points and the fix", async (t) => {
  const emulator = await start();
  const redirecting = await serve(301, { Location: "https://sites.example.com/addons/api/v1/addons/x" });
  t.teardown(async () => {
    await emulator.close();
    await redirecting.close();
  });
  await configure(configFor(emulator, { "tridion:addonsUrl": redirecting.url }));
  const err = await failure(impl.addonPackage.read!("x", { addonId: "x" }));
  t.regex(err.message, /redirects \(301\) to https:\/\/sites\.example\.com\/addons/);
  t.regex(err.message, /Fix: set tridion:accessManagementUrl \/ tridion:addonsUrl to the final URL/);
});

test.serial("an unexpected status quotes the service and says where to look", async (t) => {
  const emulator = await start();
  const teapot = await serve(418);
  t.teardown(async () => {
    await emulator.close();
    await teapot.close();
  });
  await configure(configFor(emulator, { "tridion:addonsUrl": teapot.url }));
  const err = await failure(impl.addonPackage.read!("x", { addonId: "x" }));
  t.regex(err.message, /answered 418/);
  t.regex(err.message, /teapot says no/);
  t.regex(err.message, /Fix: check the URLs and route profile/);
  t.false(err.message.includes(emulator.credentials.admin.clientSecret));
});

test.serial("Access Management's errorMessage bodies become cause and fix; its stack trace never shows", async (t) => {
  const emulator = await start({ productVersion: "10" });
  t.teardown(() => emulator.close());
  // A 400: a rename onto a name the admin took meanwhile; the server's words, the field, a fix.
  const { adminApi } = await import("./support");
  const api = await adminApi(emulator);
  const ours = await impl.serviceAccount.create({ accountName: "ours", roles: ["Tridion.AddonService.Administrator"] });
  await api.access.createServiceAccount("taken", ["Tridion.AddonService.ReadOnly"]);
  const duplicate = await failure(
    impl.serviceAccount.update!(ours.id, ours.outs, { accountName: "taken", roles: ["Tridion.AddonService.Administrator"] }),
  );
  t.regex(duplicate.message, /^Cannot update the service account "ours" \(id \d+\): Access Management rejected the request \(400\)/);
  t.regex(duplicate.message, /The service said: "A service account named "taken" already exists \(ID \d+\)\. Choose another name\."/);
  t.regex(duplicate.message, /Fix: correct what that message names/);
  t.is((await api.access.account("ServiceAccounts", ours.outs.serviceAccountId))!.name, "ours", "nothing changed");
  // A 500 with a stack trace in its body (an installation in development mode).
  emulator.setFaults({ errorBursts: [{ status: 500, count: 50, method: "GET", path: "ServiceAccounts$" }] });
  const failed = await failure(impl.serviceAccount.create({ accountName: "pipeline", roles: ["Tridion.AddonService.Administrator"] }));
  emulator.setFaults({});
  t.regex(failed.message, /failed with 500/);
  t.regex(failed.message, /The service said: "An unexpected error occurred \(emulator fault injection\)\."/);
  t.false(failed.message.includes("Tridion.AccessManagement.Api.Controllers"), "no stack frame");
  t.false(/\bat lambda_method/.test(failed.message));
});

test.serial("a token whose aud lacks the Add-ons Service fails before the upload, naming the API access to grant", async (t) => {
  const emulator = await start({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const { adminApi, addonFolder } = await import("./support");
  const api = await adminApi(emulator);
  // A service account with access to Content Manager only: AM issues it tokens, not for the Add-ons Service.
  const cm = await api.access.createServiceAccount("cm-only", ["Tridion.ContentManager.Administrator"]);
  const secret = await api.access.generateSecret("ServiceAccounts", cm.id);
  const credentials = { clientId: secret.clientId, clientSecret: secret.clientSecret };
  const err = await failure(impl.addonPackage.check!({}, { source: addonFolder(), credentials }));
  t.regex(
    err.message,
    /is not issued for the Add-ons Service \(its aud holds Tridion\.ContentManager; the Add-ons Service accepts only tokens whose aud includes Tridion\.AddonService\)/,
  );
  t.regex(err.message, /has no access to the API Tridion\.AddonService, let alone the role Tridion\.AddonService\.Administrator/);
  t.regex(err.message, /Fix: In Tridion Sites 10 create a service account with the role Tridion\.AddonService\.Administrator/);
  t.false(err.message.includes(secret.clientSecret));
  t.is((await api.get(api.addons(""))).data.length, 0, "nothing uploaded");
});

test.serial("an identity without any API access: invalid_scope explained", async (t) => {
  const emulator = await start({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const { adminApi, addonFolder } = await import("./support");
  const api = await adminApi(emulator);
  const bare = await api.access.createServiceAccount("no-access", []);
  const secret = await api.access.generateSecret("ServiceAccounts", bare.id);
  const err = await failure(
    impl.addonPackage.check!({}, { source: addonFolder(), credentials: { clientId: secret.clientId, clientSecret: secret.clientSecret } }),
  );
  t.regex(err.message, /invalid_scope — the identity has access to no API/);
  t.regex(err.message, /Fix: give it access to the API it calls and a role there/);
});

test.serial(
  "Access Management under a mixed-case base path (Tridion Docs' /ISHAM): an issuer that differs in case is the same authority",
  async (t) => {
    const emulator = await start({ productVersion: "10", accessManagementBasePath: "/ISHAM", seedUsers: ["deployer"] });
    t.teardown(() => emulator.close());
    t.true(emulator.accessManagementUrl.endsWith("/ISHAM"));
    const discovery = (await (await fetch(`${emulator.accessManagementUrl}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
    };
    t.true(discovery.issuer.endsWith("/isham"), "the issuer is lower-cased, as IdentityServer does");
    const user = await impl.clientCredentialUser.create(
      (await impl.clientCredentialUser.check!({}, { userName: "deployer", roles: ["Tridion.AddonService.Administrator"] })).inputs,
    );
    const { addonFolder } = await import("./support");
    const checked = await impl.addonPackage.check!(
      {},
      {
        source: addonFolder(),
        credentials: { clientId: user.outs.clientId, clientSecret: user.outs.clientSecret },
        activationTimeoutSeconds: 0,
      },
    );
    t.deepEqual(checked.failures ?? [], []);
    const addon = await impl.addonPackage.create(checked.inputs);
    t.is(addon.outs.addonId, "acme-publishing-tools");
    await impl.addonPackage.delete!(addon.id, addon.outs);
    await impl.clientCredentialUser.delete!(user.id, user.outs);

    // An issuer that differs in more than case is another authority: the error says which to set.
    await configure(configFor(emulator, { "tridion:accessManagementUrl": emulator.accessManagementUrl.replace("127.0.0.1", "localhost") }));
    const other = await failure(impl.clientCredentialUser.create({ userName: "deployer", roles: ["Tridion.AddonService.Administrator"] }));
    t.regex(
      other.message,
      /names the issuer http:\/\/127\.0\.0\.1:\d+\/isham, which is not the configured authority http:\/\/localhost:\d+\/ISHAM/,
    );
    t.regex(other.message, /Fix: set tridion:accessManagementUrl to http:\/\/127\.0\.0\.1:\d+\/isham/);
  },
);

test.serial("errors carry a stable code and their cause; the cause never travels with the error's own properties", async (t) => {
  const emulator = await start({ productVersion: "9.6", seedUsers: ["pipeline"] });
  t.teardown(() => emulator.close());
  const { TridionError } = await import("../../provider/errors/tridionError");
  const codeOf = async (p: Promise<unknown>) => {
    const e = await failure(p);
    t.true(e instanceof TridionError, e.message);
    return (e as InstanceType<typeof TridionError>).code;
  };
  const inputs = { userName: "pipeline", roles: ["Tridion.AddonService.Administrator"] };
  t.is(await codeOf(impl.clientCredentialUser.create({ ...inputs, userName: "nobody" })), "USER_NOT_SIGNED_IN");
  await configure({});
  t.is(await codeOf(impl.clientCredentialUser.create(inputs)), "SETTING_MISSING");
  await configure(configFor(emulator, { "tridion:clientSecret": "definitely-wrong-secret-value" }));
  t.is(await codeOf(impl.clientCredentialUser.create(inputs)), "CREDENTIALS_REJECTED");
  const service = emulator.credentials.addonsService;
  await configure(configFor(emulator, { "tridion:clientId": service.clientId, "tridion:clientSecret": service.clientSecret }));
  t.is(await codeOf(impl.clientCredentialUser.create(inputs)), "AUDIENCE_MISSING");
  const { addonFolder } = await import("./support");
  t.is(await codeOf(impl.addonPackage.create({ source: addonFolder() })), "ROLE_MISSING", "the predefined account's 403, foretold");

  // An HTTP failure keeps a summary of the request as its cause: never its headers (the token).
  await configure(configFor(emulator, { "tridion:maxRetries": "0" }));
  emulator.setFaults({ errorBursts: [{ status: 503, count: 5, method: "GET", path: "/Users$" }] });
  const down = await failure(impl.clientCredentialUser.create(inputs));
  emulator.setFaults({});
  t.is((down as InstanceType<typeof TridionError>).code, "SERVER_ERROR");
  const cause = (down as { cause?: { status?: number; method?: string; url?: string } }).cause;
  t.like(cause, { status: 503, method: "GET" });
  t.regex(String(cause?.url), /\/api\/v1\/Users$/);
  t.false(Object.keys(down).includes("cause"), "the cause is not an own enumerable property");
  t.false(JSON.stringify(down).includes("Bearer"), "nothing of the request's headers");
});
