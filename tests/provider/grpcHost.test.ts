// The three resources through the real dynamic-provider gRPC host of @pulumi/pulumi (what the
// engine talks to), against the emulator: lifecycles, warnings as engine logs, partial creates
// as ErrorResourceInitFailed, error texts without stack traces, and no secret anywhere.
import test from "ava";
import { DIFF_NONE, DIFF_SOME, initFailure, startGrpcHost, type GrpcHost } from "../helpers/grpcHost";
import { SecretScanner } from "../helpers/secrets";
import { addonFolder, adminApi, configFor, serializedProvider } from "./support";
import { startTestEmulator } from "../helpers/emulator";

const urn = (type: string, name: string) => `urn:pulumi:dev::quickstart::pulumi-nodejs:dynamic/tridion:${type}::${name}`;
const ADDONS_ADMIN = "Tridion.AddonService.Administrator";
const hostEnv = { TRIDION_RETRY_BASE_DELAY_MS: "20", TRIDION_POLL_INTERVAL_MS: "50" };

async function withHost(config: Record<string, string>): Promise<GrpcHost> {
  const host = await startGrpcHost(hostEnv);
  await host.configure(config);
  return host;
}

test.serial("through the gRPC host on 10: ClientCredentialUser -> AddonPackage as that identity -> ServiceAccount", async (t) => {
  const emulator = await startTestEmulator({ productVersion: "10", activationDelayMs: 3_600_000, seedUsers: ["deployer"] });
  t.teardown(() => emulator.close());
  const host = await withHost(configFor(emulator));
  t.teardown(() => host.close());
  const api = await adminApi(emulator);
  const ccuProvider = await serializedProvider("clientCredentialUser");
  const addonProvider = await serializedProvider("addonPackage");
  const saProvider = await serializedProvider("serviceAccount");

  // ClientCredentialUser: check, create, no-op diff; the deprecation warning reaches the engine.
  const userUrn = urn("ClientCredentialUser", "deployer");
  const userNews = { __provider: ccuProvider, userName: "deployer", roles: [ADDONS_ADMIN] };
  const userChecked = await host.check(userUrn, {}, userNews);
  t.deepEqual(userChecked.failures, []);
  t.is(userChecked.inputs.__provider, ccuProvider);
  const user = await host.create(userUrn, userChecked.inputs);
  t.truthy(user.properties.clientSecret);
  t.is(user.properties.__provider, ccuProvider);
  t.is((await host.diff(userUrn, user.id, user.properties, userChecked.inputs)).changes, DIFF_NONE);
  t.true(
    host.engineLogs.some((l) => l.severity === 2 && /deprecated in Tridion Sites 10/.test(l.message)),
    "a warning through Engine.Log",
  );

  // AddonPackage deployed with the user's credentials.
  const addonUrn = urn("AddonPackage", "tools");
  const credentials = { clientId: user.properties.clientId, clientSecret: user.properties.clientSecret };
  const addonNews = {
    __provider: addonProvider,
    source: addonFolder(),
    credentials,
    activationTimeoutSeconds: 0,
    configuration: { sitesCm: { isEnabled: true } },
  };
  const addonChecked = await host.check(addonUrn, {}, addonNews);
  t.deepEqual(addonChecked.failures, []);
  const addon = await host.create(addonUrn, addonChecked.inputs);
  t.is(addon.id, "acme-publishing-tools");
  t.is(addon.properties.status, "PendingActivation");
  t.is((await api.get(api.addons("/acme-publishing-tools"))).data.packageSha256, addonChecked.inputs.packageSha256);
  const again = await host.check(addonUrn, addonChecked.inputs, addonNews);
  t.is((await host.diff(addonUrn, addon.id, addon.properties, again.inputs)).changes, DIFF_NONE);
  // configuration-only update, full outputs back
  const news2 = { ...addonNews, configuration: { sitesCm: { isEnabled: false } } };
  const checked2 = await host.check(addonUrn, again.inputs, news2);
  t.is((await host.diff(addonUrn, addon.id, addon.properties, checked2.inputs)).changes, DIFF_SOME);
  const updated = await host.update(addonUrn, addon.id, addon.properties, checked2.inputs);
  t.is(updated.properties.addonId, "acme-publishing-tools");
  t.is(updated.properties.packageSha256, addon.properties.packageSha256);
  t.is(updated.properties.configurationSha256, checked2.inputs.configurationSha256);
  // refresh: read returns props and inputs
  const read = await host.read(addonUrn, addon.id, updated.properties);
  t.is(read.id, addon.id);
  t.is(read.inputs?.packageSha256, addon.properties.packageSha256);
  // out-of-band delete: read returns no id, so the engine drops it
  await api.del(api.addons("/acme-publishing-tools"));
  t.is((await host.read(addonUrn, addon.id, updated.properties)).id, "");

  // Partial create: the add-on is uploaded but never activates within the timeout.
  const partialNews = { ...addonNews, activationTimeoutSeconds: 1 };
  const partialChecked = await host.check(addonUrn, {}, partialNews);
  const failed = initFailure(
    await host.create(addonUrn, partialChecked.inputs).then(
      () => undefined,
      (e) => e,
    ),
  );
  t.regex(failed.message, /still PendingActivation after 1 s/);
  t.is(failed.id, "acme-publishing-tools", "the engine records the partially created add-on");
  t.is(failed.properties?.packageSha256, partialChecked.inputs.packageSha256);
  t.is(failed.properties?.__provider, addonProvider, "the partial outputs keep __provider, so refresh and destroy can run");
  await host.delete(addonUrn, failed.id!, failed.properties!);
  t.is((await api.get(api.addons("/acme-publishing-tools"))).status, 404);

  // ServiceAccount: create, rotate, delete.
  const saUrn = urn("ServiceAccount", "pipeline");
  const saNews = { __provider: saProvider, accountName: "pipeline", roles: [ADDONS_ADMIN] };
  const sa = await host.create(saUrn, (await host.check(saUrn, {}, saNews)).inputs);
  const rotated = await host.update(saUrn, sa.id, sa.properties, { ...saNews, secretVersion: 2 });
  t.not(rotated.properties.secretId, sa.properties.secretId);
  await host.delete(saUrn, sa.id, rotated.properties);
  t.is((await api.get(api.am(`/ServiceAccounts/${sa.id}`))).status, 404);

  await host.delete(userUrn, user.id, user.properties);
  const after = (await api.access.account("Users", Number(user.id)))!;
  t.deepEqual([after.clientSecrets, api.access.rolesOf(after)], [[], []], "the user stays, without our secret and role");

  // No secret in what the host printed or logged, nor in any __provider.
  const scanner = new SecretScanner().add(
    emulator.credentials.admin.clientSecret,
    user.properties.clientSecret,
    sa.properties.clientSecret,
    rotated.properties.clientSecret,
    api.token,
  );
  t.deepEqual(scanner.findIn(host.stderr()), []);
  t.deepEqual(scanner.findInValue(host.engineLogs), []);
  t.deepEqual(scanner.findIn(ccuProvider + addonProvider + saProvider), []);
});

test.serial("through the gRPC host: errors read as messages, not stack traces", async (t) => {
  const emulator = await startTestEmulator({ productVersion: "9.6", seedUsers: ["u"] });
  t.teardown(() => emulator.close());
  const service = emulator.credentials.addonsService;
  const host = await withHost({
    ...configFor(emulator),
    "tridion:clientId": service.clientId,
    "tridion:clientSecret": service.clientSecret,
    "tridion:productVersion": "9.6",
  });
  t.teardown(() => host.close());
  const ccuProvider = await serializedProvider("clientCredentialUser");
  const saProvider = await serializedProvider("serviceAccount");
  const addonProvider = await serializedProvider("addonPackage");

  const denied = await host
    .check(urn("ClientCredentialUser", "u"), {}, { __provider: ccuProvider, userName: "u", roles: [ADDONS_ADMIN] })
    .then(
      () => undefined,
      (e) => e,
    );
  t.regex(denied.details, /is not issued for Access Management/);
  t.regex(denied.details, /Tridion\.AccessManagement\.Administrator/);
  t.regex(denied.details, new RegExp(service.clientId));
  const sa = await host.check(urn("ServiceAccount", "s"), {}, { __provider: saProvider, accountName: "s", roles: [ADDONS_ADMIN] }).then(
    () => undefined,
    (e) => e,
  );
  t.regex(sa.details, /use ClientCredentialUser instead/);
  const upload = await host.check(urn("AddonPackage", "a"), {}, { __provider: addonProvider, source: addonFolder() }).then(
    () => undefined,
    (e) => e,
  );
  t.regex(upload.details, /lacks the role Tridion\.AddonService\.Administrator/);
  t.regex(upload.details, /ClientCredentialUser/);
  const bad = await host.check(urn("AddonPackage", "b"), {}, { __provider: addonProvider, source: addonFolder({ id: "" }) });
  t.is(bad.failures[0].property, "source");

  t.false(/\n\s+at /.test(host.stderr()), "no stack frames printed");
  t.deepEqual(new SecretScanner().add(service.clientSecret, emulator.credentials.admin.clientSecret).findIn(host.stderr()), []);
});
