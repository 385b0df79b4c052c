// Tokens: one per identity per provider process, renewed once on a 401, both client
// authentication methods, and token-endpoint failures explained.
import test from "ava";
import { adminApi, addonFolder, configFor, configRequest, configure, failure, impl, start } from "./support";

const tokenRequests = (log: { method: string; path: string }[]) =>
  log.filter((e) => e.method === "POST" && e.path.endsWith("/connect/token")).length;

test.serial("one token per identity for many operations; a 401 (expired server-side) gets one fresh token", async (t) => {
  const emulator = await start({ productVersion: "10", seedUsers: ["deployer"] });
  t.teardown(() => emulator.close());
  emulator.clearRequestLog();
  const user = await impl.clientCredentialUser.create({ userName: "deployer", roles: ["Tridion.AddonService.Administrator"] });
  const credentials = { clientId: user.outs.clientId, clientSecret: user.outs.clientSecret };
  for (let i = 0; i < 3; i++) await impl.clientCredentialUser.read!(user.id, user.outs);
  const checked = await impl.addonPackage.check!({}, { source: addonFolder(), credentials, activationTimeoutSeconds: 0 });
  const addon = await impl.addonPackage.create(checked.inputs);
  await impl.addonPackage.read!(addon.id, addon.outs);
  t.is(tokenRequests(emulator.requestLog()), 2, "the admin and the deployer: one token each (the proof's token is the deployer's)");

  // The emulator's clock jumps past the token's lifetime: the cached token is refused (401),
  // the provider fetches one new token and carries on.
  emulator.advanceClock(7200);
  emulator.clearRequestLog();
  const read = await impl.addonPackage.read!(addon.id, addon.outs);
  t.is(read.id, addon.id);
  const log = emulator.requestLog();
  t.is(log.filter((e) => e.status === 401).length, 1);
  t.is(tokenRequests(log), 1);
});

test.serial("every resource kind configures the process with the same stack config: still one token per identity", async (t) => {
  const emulator = await start({ productVersion: "10", seedUsers: ["deployer"] });
  t.teardown(() => emulator.close());
  const config = configFor(emulator);
  emulator.clearRequestLog();
  // As the engine does: one configure() per resource kind, then operations of each kind.
  await impl.clientCredentialUser.configure!(configRequest(config));
  const user = await impl.clientCredentialUser.create({ userName: "deployer", roles: ["Tridion.AddonService.Administrator"] });
  await impl.serviceAccount.configure!(configRequest(config));
  const account = await impl.serviceAccount.create({ accountName: "pipeline", roles: ["Tridion.AddonService.Administrator"] });
  await impl.addonPackage.configure!(configRequest(config));
  await impl.clientCredentialUser.read!(user.id, user.outs);
  await impl.serviceAccount.read!(account.id, account.outs);
  const admin = emulator.credentials.admin.clientId;
  const adminTokens = () => emulator.requestLog().filter((e) => e.identity === admin && e.path.endsWith("/connect/token")).length;
  t.is(adminTokens(), 1, "the admin asked for one token, whatever the kinds");
  t.is(tokenRequests(emulator.requestLog()), 3, "and each new secret one, its proof");

  // Another stack config (e.g. other credentials) does start afresh.
  await impl.addonPackage.configure!(configRequest({ ...config, "tridion:requestTimeoutSeconds": "30" }));
  await impl.clientCredentialUser.read!(user.id, user.outs);
  t.is(adminTokens(), 2);
});

test.serial("client_secret_post works as well as basic; the token endpoint down is a clear error", async (t) => {
  const emulator = await start({ seedUsers: ["post-user"] });
  t.teardown(() => emulator.close());
  await configure(configFor(emulator, { "tridion:tokenAuthMethod": "client_secret_post" }));
  const user = await impl.clientCredentialUser.create({ userName: "post-user", roles: ["Tridion.AddonService.ReadOnly"] });
  t.truthy(user.outs.clientSecret);

  await configure(configFor(emulator, { "tridion:maxRetries": "1" }));
  emulator.setFaults({ tokenEndpointDown: true });
  const down = await failure(impl.clientCredentialUser.read!(user.id, user.outs));
  t.regex(down.message, /Cannot get a token for "[^"]+" from Access Management/);
  t.regex(down.message, /token endpoint answered 503/);
  emulator.setFaults({});
  const api = await adminApi(emulator);
  t.is((await api.get(api.am(`/users/${user.id}`))).status, 200);
});
