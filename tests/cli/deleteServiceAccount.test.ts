// `pulumi-tridion delete-service-account`: the repair the provider names when an interrupted
// create left a service account with a client id of the program's own (no mark of the stack).
// It deletes exactly the account named by name and id (one DELETE), refuses a mismatch, a
// predefined account and an account in use, and the next create works.
import test, { type ExecutionContext } from "ava";
import { amAdmin } from "../helpers/accessManagement";
import { runCli, settingsEnv, writesIn } from "../helpers/cli";
import { emulatorFor, requestToken, type TestEmulator } from "../helpers/emulator";
import { SecretScanner } from "../helpers/secrets";
import { configure, configFor, failure, impl } from "../provider/support";

const ADDONS_ADMIN = "Tridion.AddonService.Administrator";

async function remove(t: ExecutionContext, emulator: TestEmulator, args: string[]) {
  emulator.clearRequestLog();
  const result = await runCli(["delete-service-account", "--json", ...args], { env: settingsEnv(emulator) });
  const report = JSON.parse(result.stdout);
  t.is(result.code, report.exitCode);
  const scanner = new SecretScanner().add(emulator.credentials.admin.clientSecret, emulator.credentials.addonsService.clientSecret);
  t.deepEqual(scanner.findIn(result.stdout + result.stderr), [], "no secret in the output");
  return { report, writes: writesIn(emulator.requestLog()) };
}

test.serial(
  "the account an interrupted create left: the error names the command, it deletes that account, the next create works",
  async (t) => {
    const emulator = await emulatorFor(t, { productVersion: "10" });
    await configure(configFor(emulator));
    const inputs = { accountName: "chosen", clientId: "chosen-client", roles: [ADDONS_ADMIN], ownerKey: "3".repeat(64) };
    await impl.serviceAccount.create(inputs); // its result never reached the state
    const refused = await failure(impl.serviceAccount.create(inputs));
    const named = /`npx (pulumi-tridion delete-service-account --name "chosen" --id (\d+))`/.exec(refused.message);
    t.truthy(named, refused.message);

    const { report, writes } = await remove(t, emulator, ["--name", "chosen", "--id", named![2]]);
    t.like(report, {
      command: "delete-service-account",
      result: "deleted",
      exitCode: 0,
      account: { name: "chosen", id: Number(named![2]) },
    });
    t.deepEqual(writes, [`DELETE /access-management/api/v1/ServiceAccounts/${named![2]}`], "exactly one write");
    const created = await impl.serviceAccount.create(inputs);
    t.is(created.outs.clientId, "chosen-client");
    t.is((await requestToken(emulator.accessManagementUrl, created.outs.clientId, created.outs.clientSecret)).status, 200);
  },
);

test.serial(
  "refusals change nothing: name and id of two accounts, a predefined account, an account in use; a gone one is done",
  async (t) => {
    const emulator = await emulatorFor(t, { productVersion: "10" });
    const am = await amAdmin(emulator);
    const one = await am.createServiceAccount("one", [ADDONS_ADMIN]);
    const two = await am.createServiceAccount("two", [ADDONS_ADMIN]);

    const mismatch = await remove(t, emulator, ["--name", "one", "--id", String(two.id)]);
    t.like(mismatch.report, { result: "refused", exitCode: 1 });
    t.regex(mismatch.report.summary, new RegExp(`"one" has the id ${one.id}, not ${two.id}`));
    t.deepEqual(mismatch.writes, []);

    const predefined = (await am.list("ServiceAccounts")).find((a) => a.name === "Add-ons API Client (service)")!;
    const refusedPredefined = await remove(t, emulator, ["--name", predefined.name, "--id", String(predefined.id)]);
    t.like(refusedPredefined.report, { result: "refused", exitCode: 1 });
    t.regex(refusedPredefined.report.summary, /predefined account/);
    t.deepEqual(refusedPredefined.writes, []);

    const secret = await am.generateSecret("ServiceAccounts", one.id);
    emulator.advanceClock(900); // past what a create's own proof of its secret could be
    t.is((await requestToken(emulator.accessManagementUrl, secret.clientId, secret.clientSecret)).status, 200); // it signs in: in use
    const inUse = await remove(t, emulator, ["--name", "one", "--id", String(one.id)]);
    t.like(inUse.report, { result: "refused", exitCode: 1 });
    t.regex(inUse.report.summary, /is in use: its client secret\(s\) \d+ \(last used .*\) have signed in/);
    t.deepEqual(inUse.writes, []);
    t.truthy(await am.account("ServiceAccounts", one.id), "still there");

    await am.del(`/ServiceAccounts/${two.id}`);
    const gone = await remove(t, emulator, ["--name", "two", "--id", String(two.id)]);
    t.like(gone.report, { result: "already-gone", exitCode: 0 });
    t.deepEqual(gone.writes, []);
  },
);

test.serial("bad flags exit 2 before anything is sent", async (t) => {
  const emulator = await emulatorFor(t, { productVersion: "10" });
  emulator.clearRequestLog();
  for (const [args, message] of [
    [["--id", "5"], /--name NAME is required/],
    [["--name", "x"], /--id ID is required/],
    [["--name", "x", "--id", "0"], /--id must be a whole number from 1 to 2147483647/],
  ] as const) {
    const result = await runCli(["delete-service-account", ...args], { env: settingsEnv(emulator) });
    t.is(result.code, 2, args.join(" "));
    t.regex(result.stderr, message);
  }
  t.deepEqual(emulator.requestLog(), [], "nothing was sent");
  const help = await runCli(["delete-service-account", "--help"]);
  t.is(help.code, 0);
  t.regex(help.stdout, /Name and id|--name NAME/);
});
