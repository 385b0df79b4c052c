// AddonPackage deploys only the package that was checked: create and update build the package
// again from `source`, and refuse (uploading nothing) when its sha256 differs from the one check
// recorded, or from expectedPackageSha256. Through the provider, against the emulator.
import * as fs from "node:fs";
import * as path from "node:path";
import test from "ava";
import { adminApi, addonFolder, failure, impl, start, UNKNOWN } from "./support";

const p = impl.addonPackage;
const ADDONS_ADMIN = "Tridion.AddonService.Administrator";

async function deployer() {
  const emulator = await start({ seedUsers: ["deployer"] });
  const user = await impl.clientCredentialUser.create({ userName: "deployer", roles: [ADDONS_ADMIN] });
  const credentials = { clientId: user.outs.clientId as string, clientSecret: user.outs.clientSecret as string };
  return { emulator, credentials };
}

const uploads = (emulator: Awaited<ReturnType<typeof start>>) =>
  emulator.requestLog().filter((e) => (e.method === "POST" || e.method === "PUT") && e.path.includes("/addon/api"));

test.serial("create refuses a package that changed after check, naming both hashes; nothing is uploaded", async (t) => {
  const { emulator, credentials } = await deployer();
  t.teardown(() => emulator.close());
  const dir = addonFolder();
  const checked = await p.check!({}, { source: dir, credentials, activationTimeoutSeconds: 0 });
  t.deepEqual(checked.failures ?? [], []);
  const previewed = checked.inputs.packageSha256 as string;

  // Between preview (check) and deploy, something writes into the folder.
  fs.writeFileSync(path.join(dir, "CM", "Injected.txt"), "not what preview showed");
  emulator.clearRequestLog();
  const error = await failure(p.create(checked.inputs));
  t.is((error as { code?: string }).code, "PACKAGE_MISMATCH");
  const built = /has sha256 ([0-9a-f]{64})/.exec(error.message)?.[1];
  t.truthy(built, error.message);
  t.not(built, previewed);
  t.true(error.message.includes(`check recorded (and preview showed) ${previewed}`), error.message);
  t.regex(error.message, /the source changed after it was checked, so nothing was uploaded\.\nFix: /);
  t.deepEqual(uploads(emulator), [], "nothing was uploaded");
  const api = await adminApi(emulator);
  t.is((await api.get(api.addons("/acme-publishing-tools"))).status, 404, "the service holds no add-on");

  // Checked again, the new content deploys.
  const again = await p.check!({}, { source: dir, credentials, activationTimeoutSeconds: 0 });
  const created = await p.create(again.inputs);
  t.is(created.outs.packageSha256, built);
});

test.serial("create refuses a package whose sha256 is not expectedPackageSha256, even when check could not compare", async (t) => {
  const { emulator, credentials } = await deployer();
  t.teardown(() => emulator.close());
  const dir = addonFolder();
  // In preview the approved hash was not known yet (e.g. a StackReference output): check passes.
  const checked = await p.check!({}, { source: dir, credentials, expectedPackageSha256: UNKNOWN, activationTimeoutSeconds: 0 });
  t.deepEqual(checked.failures ?? [], []);
  const built = checked.inputs.packageSha256 as string;
  const approved = "ab".repeat(32);

  emulator.clearRequestLog();
  const error = await failure(p.create({ ...checked.inputs, expectedPackageSha256: approved.toUpperCase() }));
  t.is((error as { code?: string }).code, "PACKAGE_MISMATCH");
  t.true(error.message.includes(`has sha256 ${built}, but expectedPackageSha256 is ${approved}`), error.message);
  t.regex(error.message, /this is not the package that was approved, so nothing was uploaded/);
  t.deepEqual(uploads(emulator), [], "nothing was uploaded");

  // The approved hash, in any case, deploys.
  const created = await p.create({ ...checked.inputs, expectedPackageSha256: built.toUpperCase() });
  t.is(created.outs.packageSha256, built);
});

test.serial("update refuses new content that changed after check; the service keeps the deployed package", async (t) => {
  const { emulator, credentials } = await deployer();
  t.teardown(() => emulator.close());
  const dir = addonFolder();
  const inputs = { source: dir, credentials, activationTimeoutSeconds: 0 };
  const first = await p.check!({}, inputs);
  const created = await p.create(first.inputs);
  const deployed = created.outs.packageSha256 as string;

  fs.writeFileSync(path.join(dir, "README.txt"), "version two\n");
  const second = await p.check!(first.inputs, { ...inputs, expectedPackageSha256: undefined });
  const approved = second.inputs.packageSha256 as string;
  t.not(approved, deployed);
  t.true((await p.diff!(created.id, created.outs, second.inputs)).changes);

  fs.writeFileSync(path.join(dir, "README.txt"), "version two, changed again after preview\n");
  emulator.clearRequestLog();
  const error = await failure(p.update!(created.id, created.outs, { ...second.inputs, expectedPackageSha256: approved }));
  t.is((error as { code?: string }).code, "PACKAGE_MISMATCH");
  t.true(
    error.message.includes(`check recorded (and preview showed) ${approved}, and expectedPackageSha256 is ${approved}`),
    error.message,
  );
  t.deepEqual(uploads(emulator), [], "nothing was uploaded");
  const api = await adminApi(emulator);
  t.is((await api.get(api.addons("/acme-publishing-tools"))).data.packageSha256, deployed, "the deployed package stays");
});
