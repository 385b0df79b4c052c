// `pulumi-tridion revoke-secret` against emulators: it revokes exactly the one secret named (one
// DELETE, nothing else written), finds users by exact name as the provider does (an ambiguous
// name needs --identity-provider), refuses a secret of another account, a predefined service
// account and the provider's own account, and never prints a secret.
import test, { type ExecutionContext } from "ava";
import { amAdmin, signIn } from "../helpers/accessManagement";
import { runCli, settingsEnv, writesIn } from "../helpers/cli";
import { emulatorFor, type TestEmulator } from "../helpers/emulator";
import { SecretScanner } from "../helpers/secrets";

async function revoke(t: ExecutionContext, emulator: TestEmulator, args: string[], secrets: string[] = []) {
  emulator.clearRequestLog();
  const result = await runCli(["revoke-secret", "--json", ...args], { env: settingsEnv(emulator) });
  const report = JSON.parse(result.stdout);
  t.is(result.code, report.exitCode);
  const scanner = new SecretScanner().add(
    ...secrets,
    emulator.credentials.admin.clientSecret,
    emulator.credentials.addonsService.clientSecret,
  );
  t.deepEqual(scanner.findIn(result.stdout + result.stderr), [], "no secret in the output");
  return { result, report, writes: writesIn(emulator.requestLog()) };
}

test("a user's secret by exact name: revoked with one DELETE, the other secret kept", async (t) => {
  const emulator = await emulatorFor(t, { productVersion: "9.6", seedUsers: ["addon-deployer"] });
  const am = await amAdmin(emulator);
  const user = await am.user("addon-deployer");
  const left = await am.generateSecret("Users", user.id);
  const kept = await am.generateSecret("Users", user.id);
  const { report, writes } = await revoke(
    t,
    emulator,
    ["--user", "addon-deployer", "--secret-id", String(left.id)],
    [left.clientSecret, kept.clientSecret],
  );
  t.is(report.exitCode, 0, report.summary);
  t.like(report, {
    command: "revoke-secret",
    result: "revoked",
    secretId: left.id,
    account: { kind: "user", name: "addon-deployer", id: user.id },
  });
  t.deepEqual(writes, [`DELETE /access-management/api/v1/Users/${user.id}/clientSecrets/${left.id}`], "exactly one write");
  t.deepEqual(await am.secretIds("Users", user.id), [kept.id]);
  t.deepEqual(
    report.remainingSecrets.map((s: { id: number }) => s.id),
    [kept.id],
  );
  t.regex(report.summary, new RegExp(`Revoked the client secret ${left.id} of the user "addon-deployer"`));

  const text = await runCli(["revoke-secret", "--user", "addon-deployer", "--secret-id", String(kept.id)], { env: settingsEnv(emulator) });
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /^Revoked the client secret \d+ of the user "addon-deployer"/);
  t.deepEqual(await am.secretIds("Users", user.id), []);
});

test("a 10.x service account's secret; refusals change nothing: another account's secret, a predefined account, the provider's own", async (t) => {
  const emulator = await emulatorFor(t, { productVersion: "10" });
  const am = await amAdmin(emulator);
  const pipeline = await am.createServiceAccount("pipeline", ["Tridion.AddonService.Administrator"]);
  const other = await am.createServiceAccount("other", []);
  const mine = await am.generateSecret("ServiceAccounts", pipeline.id);
  const theirs = await am.generateSecret("ServiceAccounts", other.id);

  const foreign = await revoke(
    t,
    emulator,
    ["--service-account", "pipeline", "--secret-id", String(theirs.id)],
    [mine.clientSecret, theirs.clientSecret],
  );
  t.is(foreign.report.exitCode, 1);
  t.is(foreign.report.result, "refused");
  t.regex(foreign.report.summary, new RegExp(`holds no client secret with the id ${theirs.id}`));
  t.regex(foreign.report.cause, new RegExp(`Its client secrets: id ${mine.id} \\(expires`));
  t.deepEqual(foreign.writes, []);

  const accounts = await am.list("ServiceAccounts");
  const predefined = accounts.find((a) => a.name === "Add-ons API Client (service)")!;
  const predefinedSecret = predefined.clientSecrets[0].id;
  const refused = await revoke(t, emulator, ["--service-account", predefined.name, "--secret-id", String(predefinedSecret)]);
  t.is(refused.report.exitCode, 1);
  t.regex(refused.report.summary, /is a predefined account of Access Management/);
  t.deepEqual(refused.writes, []);

  const admin = accounts.find((a) => a.clientId === emulator.credentials.admin.clientId)!;
  const own = await revoke(t, emulator, ["--service-account", admin.name, "--secret-id", String(admin.clientSecrets[0].id)]);
  t.is(own.report.exitCode, 1);
  t.regex(own.report.summary, /the provider's own identity/);
  t.deepEqual(own.writes, []);

  const missing = await revoke(t, emulator, ["--service-account", "nobody", "--secret-id", "1"]);
  t.is(missing.report.exitCode, 1);
  t.regex(missing.report.summary, /No service account named "nobody"/);

  const done = await revoke(t, emulator, ["--service-account", "pipeline", "--secret-id", String(mine.id)], [mine.clientSecret]);
  t.is(done.report.exitCode, 0, done.report.summary);
  t.deepEqual(done.writes, [`DELETE /access-management/api/v1/ServiceAccounts/${pipeline.id}/clientSecrets/${mine.id}`]);
  t.deepEqual(await am.secretIds("ServiceAccounts", other.id), [theirs.id], "the other account keeps its secret");
});

test("users as the provider finds them: a name two identity providers share needs --identity-provider", async (t) => {
  const emulator = await emulatorFor(t, { productVersion: "9.6" });
  const entra = await signIn(emulator, "ann");
  const windows = await signIn(emulator, "ann", { identityProvider: "Windows" });
  const am = await amAdmin(emulator);
  const secret = await am.generateSecret("Users", windows.id);
  const ambiguous = await revoke(t, emulator, ["--user", "ann", "--secret-id", String(secret.id)], [secret.clientSecret]);
  t.is(ambiguous.report.exitCode, 1);
  t.is(ambiguous.report.result, "refused");
  t.regex(ambiguous.report.summary, /2 users of that name/);
  t.regex(ambiguous.report.fix, /pass --identity-provider with the one you mean \(e\.g\. --identity-provider \w+\)/);
  t.deepEqual(ambiguous.writes, []);
  const wrongCase = await revoke(t, emulator, ["--user", "Ann", "--identity-provider", "Windows", "--secret-id", String(secret.id)]);
  t.is(wrongCase.report.exitCode, 1);
  const picked = await revoke(
    t,
    emulator,
    ["--user", "ann", "--identity-provider", "Windows", "--secret-id", String(secret.id)],
    [secret.clientSecret],
  );
  t.is(picked.report.exitCode, 0, picked.report.summary);
  t.like(picked.report.account, { id: windows.id, identityProvider: "Windows" });
  t.not(entra.id, windows.id);
});

test("bad flags and missing settings: exit 2, nothing sent", async (t) => {
  const emulator = await emulatorFor(t);
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [["--user", "a", "--service-account", "b", "--secret-id", "1"], settingsEnv(emulator), /Name one account/],
    [["--secret-id", "1"], settingsEnv(emulator), /Name one account/],
    [["--user", "a"], settingsEnv(emulator), /--secret-id ID is required/],
    [["--user", "a", "--secret-id", "abc"], settingsEnv(emulator), /--secret-id must be a secret's id/],
    [
      ["--service-account", "a", "--identity-provider", "x", "--secret-id", "1"],
      settingsEnv(emulator),
      /--identity-provider goes with --user/,
    ],
    [
      ["--user", "a", "--secret-id", "1"],
      { TRIDION_ADDONS_URL: emulator.addonsUrl },
      /Missing provider setting\(s\) tridion:accessManagementUrl/,
    ],
    [["--user", "a", "--secret-id", "1"], { ...settingsEnv(emulator), TRIDION_MAX_RETRIES: "many" }, /tridion:maxRetries/],
  ];
  emulator.clearRequestLog();
  for (const [args, env, message] of cases) {
    const result = await runCli(["revoke-secret", ...args], { env });
    t.is(result.code, 2, args.join(" "));
    t.regex(result.stderr, message, args.join(" "));
  }
  t.deepEqual(emulator.requestLog(), [], "nothing was sent");
  const help = await runCli(["revoke-secret", "--help"]);
  t.is(help.code, 0);
  t.regex(help.stdout, /It writes exactly that/);
});
