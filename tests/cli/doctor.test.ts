// `pulumi-tridion doctor` as a user runs it (the built bin, a child process) against emulators on
// 127.0.0.1: a healthy setup, the predefined Add-ons API account that can list but not upload, a wrong
// secret, an expired secret, Add-ons routes moved (found from the service's own OpenAPI document,
// the proposal then makes a real `pulumi up` work), the service down, a private CA without
// tridion:caCertificate, settings from a Pulumi stack, and bad flags. Each run: verdicts, exit
// code, the JSON shape, no request but GETs and token requests, no secret in the output.
import test from "ava";
import { amAdmin } from "../helpers/accessManagement";
import { runCli, settingsEnv } from "../helpers/cli";
import { emulatorFor, freePort } from "../helpers/emulator";
import { openStack, openWorkspace, quiet, tridionConfig } from "../helpers/pulumi";
import { startHostileAccessManagement, type HostileRequest } from "../helpers/hostileAccessManagement";
import { leaks } from "../helpers/secretEncodings";
import { check, deployWithProposal, doctor, MOVED_ROUTES, verdicts, type Report } from "./doctorRun";

const ADDONS_ADMIN = "Tridion.AddonService.Administrator";

test("healthy (10): every check passes, exit 0; JSON and text say ready", async (t) => {
  const emulator = await emulatorFor(t, { productVersion: "10" });
  const { report } = await doctor(t, emulator, settingsEnv(emulator));
  t.is(report.verdict, "ready", report.summary);
  t.is(report.exitCode, 0);
  t.deepEqual(
    report.checks.filter((c) => c.verdict === "fail" || c.verdict === "warn").map((c) => `${c.id}: ${c.summary}`),
    [],
  );
  for (const id of [
    "settings.valid",
    "settings.present",
    "settings.transport",
    "accessManagement.discovery",
    "accessManagement.issuer",
    "accessManagement.jwks",
    "accessManagement.tokenEndpoint",
    "accessManagement.authMethod",
    "identity.token",
    "identity.roles",
    "managementApi.userInfo",
    "managementApi.apiResources",
    "managementApi.productVersion",
    "addons.list",
    "addons.fields",
    "addons.statuses",
    "addons.upload",
    "addons.configuration",
  ]) {
    t.is(check(report, id).verdict, "pass", id);
  }
  t.regex(
    check(report, "addons.openapi").summary,
    /^found at http:\/\/127\.0\.0\.1:\d+\/addon\/swagger\/v1\/swagger\.json \(OpenAPI 3\.0\.1\)/,
  );
  t.regex(check(report, "addons.fields").summary, /in camelCase .*nothing needs to be set/);
  t.regex(check(report, "addons.upload").summary, /takes multipart\/form-data with the file part "file", as the provider sends it/);
  t.regex(check(report, "accessManagement.authMethod").summary, /client_secret_basic .* works/);
  t.deepEqual(check(report, "identity.audience").details.aud.sort(), ["Tridion.AccessManagement", "Tridion.AddonService"]);
  t.regex(check(report, "managementApi.productVersion").summary, /Tridion Sites 10, from the names of the predefined service accounts/);
  t.regex(check(report, "settings.transport").summary, /on their own origins/);
  t.regex(report.readOnly, /last-login time .* audit log/);
  t.is(report.proposedRoutes, null);

  const text = await runCli(["doctor"], { env: settingsEnv(emulator) });
  t.is(text.code, 0, text.stdout + text.stderr);
  t.regex(text.stdout, /\[ok\] {3}list route: GET http:\/\/127\.0\.0\.1:\d+\/addon\/api\/v1\/addons answers/);
  t.regex(text.stdout, /^Ready: \d+ checks passed, no warnings\. \(exit 0\)$/m);
});

test("9.6: the predefined Add-ons API account can list but not upload, told before the 403", async (t) => {
  const emulator = await emulatorFor(t, { productVersion: "9.6" });
  const seed = emulator.credentials.addonsService;
  const { report } = await doctor(t, emulator, settingsEnv(emulator, seed));
  t.is(report.exitCode, 1, report.summary);
  const roles = check(report, "identity.roles");
  t.is(roles.verdict, "fail");
  t.regex(
    roles.summary,
    /can list add-ons but cannot upload: holds Tridion\.AddonService\.Service; an upload needs Tridion\.AddonService\.Administrator/,
  );
  t.regex(roles.fix!, /predefined "Add-ons API" account only has the Service role/);
  t.is(check(report, "addons.list").verdict, "pass", "listing works with the Service role");
  t.is(check(report, "managementApi.userInfo").verdict, "warn", "no access to Access Management's API");

  // The same account as an identity to deploy with, beside an administrator: the 9.x fix only, and its account named.
  const variable = `SEED_SECRET`;
  const withAdmin = await doctor(t, emulator, { ...settingsEnv(emulator), [variable]: seed.clientSecret }, [
    "--identity",
    `${seed.clientId}=${variable}`,
  ]);
  const subject = `--identity ${seed.clientId}`;
  const extra = check(withAdmin.report, "identity.roles", subject);
  t.is(extra.verdict, "fail");
  t.regex(extra.summary, /can list add-ons but cannot upload.*\(Tridion Sites 9\.5\/9\.6\)/);
  t.regex(extra.fix!, /^In Tridion Sites 9\.5\/9\.6/);
  t.notRegex(extra.fix!, /Tridion Sites 10/);
  t.regex(check(withAdmin.report, "identity.account", subject).summary, /the service account "Add-ons API" .*predefined/);
  t.is(check(withAdmin.report, "identity.roles", "provider identity, tridion:clientId").verdict, "pass");
  t.is(withAdmin.report.exitCode, 1);
});

test("a wrong secret: no token, the cause and the fix; nothing else is tried with it", async (t) => {
  const emulator = await emulatorFor(t);
  const env = { ...settingsEnv(emulator), TRIDION_CLIENT_SECRET: "not-the-admin-secret" };
  const { report } = await doctor(t, emulator, env);
  t.is(report.exitCode, 1);
  const token = check(report, "identity.token");
  t.is(token.verdict, "fail");
  t.regex(token.cause!, /invalid_client .* secret is wrong, expired or revoked/);
  t.regex(token.fix!, /tridion:clientId \/ tridion:clientSecret/);
  t.regex(check(report, "accessManagement.authMethod").summary, /no token .* with either method/, "the other auth method was tried too");
  t.is(check(report, "accessManagement.discovery").verdict, "pass");
  t.is(check(report, "managementApi.userInfo").verdict, "skip");
  t.false(JSON.stringify(report).includes("not-the-admin-secret"));
});

test("an expired secret: Access Management's view says it expired", async (t) => {
  const emulator = await emulatorFor(t, { productVersion: "9.6", seedUsers: ["addon-deployer"] });
  const am = await amAdmin(emulator);
  const user = await am.user("addon-deployer");
  await am.setRoles("Users", user.id, [ADDONS_ADMIN]);
  const secret = await am.generateSecret("Users", user.id);
  // Real time, not the emulator's clock: doctor reads expiries against its own clock, as against a real Access Management.
  t.is((await am.setSecretExpiry("Users", user.id, secret.id, new Date(Date.now() + 3000).toISOString())).status, 200);
  await new Promise((resolve) => setTimeout(resolve, 4000));
  const variable = `TRIDION_SECRET_${secret.clientId.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
  const { report } = await doctor(
    t,
    emulator,
    { ...settingsEnv(emulator), [variable]: secret.clientSecret },
    ["--identity", secret.clientId],
    [secret.clientSecret],
  );
  t.is(report.exitCode, 1);
  const token = check(report, "identity.token", `--identity ${secret.clientId}`);
  t.is(token.verdict, "fail");
  t.regex(
    token.cause!,
    /the user "addon-deployer" \(id \d+\) holds only expired client secrets \(id \d+, expired .*\): the secret expired/,
  );
  t.regex(token.fix!, /issue a new one/);
  t.is(check(report, "identity.token", "provider identity, tridion:clientId").verdict, "pass");
});

test("routes moved: doctor finds them in the service's OpenAPI document, proposes the profile, and `pulumi up` works with it", async (t) => {
  t.timeout(300_000);
  const moved = MOVED_ROUTES;
  const emulator = await emulatorFor(t, { routes: moved });
  const { report } = await doctor(t, emulator, settingsEnv(emulator));
  t.is(report.exitCode, 1);
  t.is(check(report, "addons.list").verdict, "fail");
  t.regex(check(report, "addons.list").cause!, /not found \(404\)/);
  const doc = check(report, "addons.openapi");
  t.is(doc.details.url, `${emulator.addonsUrl}/swagger/v1/swagger.json`);
  t.true(
    doc.details.paths.some((p: { path: string }) => p.path === "/v2/packages/{addonId}"),
    "the paths as the document names them",
  );
  t.deepEqual(report.proposedRoutes, moved, "exactly the profile the service serves");
  t.deepEqual(report.routeProposal.unmapped, []);
  t.true(report.routeProposal.verified, "the proposed list route answered");
  t.regex(check(report, "addons.routes").fix!, /^pulumi config set tridion:routes '\{"addons":"\/v2\/packages",/);

  // The proposal as stack config: a real `pulumi up` deploys through the moved routes.
  const { stack, log } = await deployWithProposal(t, emulator, report.proposedRoutes, {
    projectName: "tridion-doctor-routes",
    uploadPath: "/addon/v2/packages",
  });
  const after = await doctor(t, emulator, { ...settingsEnv(emulator), TRIDION_ROUTES: JSON.stringify(report.proposedRoutes) });
  t.is(after.report.exitCode, 0, after.report.summary);
  t.regex(check(after.report, "addons.list").summary, /1 add-on\(s\)/);
  await log.step(t, "destroy", () => stack.destroy(quiet(log)));
});

test("the Add-ons Service down: a problem (exit 1), the rest checked", async (t) => {
  const emulator = await emulatorFor(t);
  const down = `http://127.0.0.1:${await freePort()}/addon`;
  const { report } = await doctor(t, emulator, { ...settingsEnv(emulator), TRIDION_ADDONS_URL: down, TRIDION_MAX_RETRIES: "1" });
  t.is(report.exitCode, 1);
  const list = check(report, "addons.list");
  t.is(list.verdict, "fail");
  t.regex(list.summary, /does not answer .*down or unreachable/);
  t.regex(list.cause!, /connection was refused/);
  t.is(check(report, "identity.token").verdict, "pass");
  t.is(check(report, "managementApi.userInfo").verdict, "pass");
  t.is(report.checks.filter((c) => c.id.startsWith("addons.")).length, 1, "no OpenAPI search on a service that is down");
});

test("a private CA without tridion:caCertificate: TLS refused with the fix; with it, ready", async (t) => {
  const emulator = await emulatorFor(t, { tls: "self-signed" });
  const { report } = await doctor(t, emulator, settingsEnv(emulator), [], [], { reachesEmulator: false }); // no TLS handshake completes
  t.is(report.exitCode, 1);
  const discovery = check(report, "accessManagement.discovery");
  t.is(discovery.verdict, "fail");
  t.regex(discovery.cause!, /TLS certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/);
  t.regex(discovery.fix!, /tridion:caCertificate/);
  t.regex(check(report, "addons.list").summary, /TLS certificate is not trusted/);

  const trusted = await doctor(t, emulator, { ...settingsEnv(emulator), TRIDION_CA_CERTIFICATE: emulator.caCertificate });
  t.is(trusted.report.exitCode, 0, trusted.report.summary);
  t.regex(check(trusted.report, "settings.transport").summary, /custom CA: CN=Tridion Sites emulator CA/);
  t.regex(check(trusted.report, "settings.transport").summary, /tridion:addonsUrl: https/);
});

test("settings from the current stack of a Pulumi project (pulumi config), secrets included; unreadable stack config is exit 2", async (t) => {
  t.timeout(180_000);
  const emulator = await emulatorFor(t, { productVersion: "9.6" });
  const ws = await openWorkspace();
  t.teardown(() => ws.remove());
  const program = async () => ({});
  await openStack(ws, { stackName: "dev", projectName: "tridion-doctor-stack", program, config: tridionConfig(emulator) });
  const env = { ...ws.env, PATH: `${ws.env.PATH}` };
  const inProject = await runCli(["doctor", "--json"], { env, cwd: ws.dir });
  const report = JSON.parse(inProject.stdout) as Report;
  t.is(inProject.code, 0, report.summary);
  t.like(report.settings.project, { dir: ws.dir, stack: "dev" });
  t.is(check(report, "settings.source").details.settings["tridion:clientSecret"].from, "stack config");
  t.is(check(report, "settings.source").details.settings["tridion:clientSecret"].value, "[secret]");
  t.false(inProject.stdout.includes(emulator.credentials.admin.clientSecret));
  // Another stack that does not exist: pulumi cannot read it.
  const missing = await runCli(["doctor", "--json", "--stack", "nope"], { env, cwd: ws.dir });
  t.is(missing.code, 2, missing.stderr);
  const refusal = JSON.parse(missing.stdout);
  t.like(refusal, { command: "doctor", verdict: "cannot-run", exitCode: 2 });
  t.regex(refusal.cause, /Cannot read the stack config of the Pulumi project .*Pulumi\.yaml: `pulumi config` failed/);
  t.regex(refusal.fix, /--no-stack/);
  // --no-stack: the environment alone.
  const noStack = await runCli(["doctor", "--json", "--no-stack"], { env: { ...env, ...settingsEnv(emulator) }, cwd: ws.dir });
  t.is(noStack.code, 0, noStack.stdout);
  t.is(JSON.parse(noStack.stdout).settings.project, undefined);
});

test("bad flags and an --identity without its secret: exit 2, saying why", async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [["doctor", "--nope"], /Unknown option '--nope'/],
    [
      ["doctor", "--identity", "abc"],
      /--identity abc: its secret is read from the environment variable TRIDION_SECRET_ABC, which is not set/,
    ],
    [["doctor", "--stack", "dev", "--no-stack"], /--stack and --no-stack exclude each other/],
    [["doctor", "--stack", "dev"], /there is no Pulumi project/],
    [["nope"], /unknown command "nope"/],
    [[], /Usage: pulumi-tridion <command>/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(args);
    t.is(result.code, 2, args.join(" "));
    t.regex(result.stderr, message, args.join(" "));
  }
  const help = await runCli(["--help"]);
  t.is(help.code, 0);
  t.regex(help.stdout, /doctor +read-only/);
  t.regex(help.stdout, /revoke-secret +revoke one client secret/);
  const doctorHelp = await runCli(["doctor", "--help"]);
  t.is(doctorHelp.code, 0);
  t.regex(doctorHelp.stdout, /token request may still update Access Management's last-login time/);
  t.regex(doctorHelp.stdout, /--access-management-url VALUE +tridion:accessManagementUrl/);
  const invalid = await runCli([
    "doctor",
    "--json",
    "--no-stack",
    "--access-management-url",
    "ftp://x",
    "--addons-url",
    "http://127.0.0.1:1/addon",
  ]);
  t.is(invalid.code, 1, "an invalid setting is a problem found, not a failure to run");
  t.regex(JSON.parse(invalid.stdout).checks.find((c: { id: string }) => c.id === "settings.valid").cause, /tridion:accessManagementUrl/);
});

test("an --identity of a deployer (a 10.x service account with the Add-ons Administrator role) passes, its account named", async (t) => {
  const emulator = await emulatorFor(t, { productVersion: "10" });
  const am = await amAdmin(emulator);
  const account = await am.createServiceAccount("pipeline", [ADDONS_ADMIN]);
  const secret = await am.generateSecret("ServiceAccounts", account.id);
  const { report } = await doctor(
    t,
    emulator,
    { ...settingsEnv(emulator), PIPE: secret.clientSecret },
    ["--identity", `${secret.clientId}=PIPE`],
    [secret.clientSecret],
  );
  t.is(report.exitCode, 0, report.summary);
  const subject = `--identity ${secret.clientId}`;
  t.regex(check(report, "identity.roles", subject).summary, /^can deploy add-ons/);
  t.regex(check(report, "identity.account", subject).summary, /the service account "pipeline"/);
  t.is(verdicts(report)[`identity.token ${subject}`], "pass");
});

test("NODE_TLS_REJECT_UNAUTHORIZED=0 does not make an untrusted certificate pass; doctor warns about the variable", async (t) => {
  const emulator = await emulatorFor(t, { tls: "self-signed" });
  const env = { ...settingsEnv(emulator), NODE_TLS_REJECT_UNAUTHORIZED: "0" };
  const { report } = await doctor(t, emulator, env, [], [], { reachesEmulator: false });
  t.is(report.exitCode, 1, report.summary);
  t.regex(check(report, "accessManagement.discovery").cause!, /TLS certificate is not trusted/);
  const transport = check(report, "settings.transport");
  t.is(transport.verdict, "warn");
  t.regex(
    transport.summary,
    /NODE_TLS_REJECT_UNAUTHORIZED is set \("0"\): the provider and this command ignore it and check every certificate/,
  );
  t.regex(transport.fix!, /Unset NODE_TLS_REJECT_UNAUTHORIZED; for a private CA set tridion:caCertificate/);

  // With the CA, ready; the variable is still reported.
  const trusted = await doctor(t, emulator, { ...env, TRIDION_CA_CERTIFICATE: emulator.caCertificate });
  t.is(check(trusted.report, "accessManagement.discovery").verdict, "pass");
  t.is(check(trusted.report, "settings.transport").verdict, "warn");
});

test("an Access Management that echoes the credentials it got: no encoding of the secret in doctor's JSON or text", async (t) => {
  const clientId = "doctor-echo-client";
  const secret = `Dq7"r\\ s+t/u@ö~*'(n)-Lk2%Vb5Nm8`;
  const echo = (r: HostileRequest) => {
    const auth = String(r.headers.authorization ?? "");
    const parsed = Object.fromEntries(new URLSearchParams(r.body));
    return `you sent: authorization ${auth}; body ${r.body}; as JSON ${JSON.stringify(parsed)}; cut ${auth.slice(0, -3)} / ${r.body.slice(0, -3)}`;
  };
  const am = await startHostileAccessManagement({
    handle: (r) =>
      r.path === "/connect/token" ? { status: 400, body: { error: "invalid_request", error_description: echo(r) } } : undefined,
  });
  t.teardown(() => am.close());
  const env = {
    TRIDION_ACCESS_MANAGEMENT_URL: am.authority,
    TRIDION_ADDONS_URL: "http://127.0.0.1:9/addon",
    TRIDION_CLIENT_ID: clientId,
    TRIDION_CLIENT_SECRET: secret,
  };
  for (const [method, args] of [
    ["client_secret_basic", ["doctor", "--json"]],
    ["client_secret_post", ["doctor"]],
  ] as const) {
    const before = am.requests.length;
    const result = await runCli([...args], { env: { ...env, TRIDION_TOKEN_AUTH_METHOD: method } });
    t.is(result.code, 1, result.stdout);
    t.regex(result.stdout, /invalid_request: you sent: authorization/, "the echo is shown");
    t.true(
      am.requests.slice(before).some((r) => r.path === "/connect/token"),
      "the credentials did reach the server",
    );
    t.deepEqual(leaks(result.stdout + result.stderr, clientId, secret), [], `${method}: ${args.join(" ")}`);
  }
});

test("a proxy password with @ or / never shows in doctor's output", async (t) => {
  const emulator = await emulatorFor(t, { productVersion: "10" });
  // "@" in the password: the URL parses; the report names the proxy without it.
  const withAt = await doctor(t, emulator, { ...settingsEnv(emulator), TRIDION_PROXY: "http://proxyuser:Pw@with-at-7y@127.0.0.1:9" });
  t.is(check(withAt.report, "settings.source").details.settings["tridion:proxy"].value, "http://proxyuser:[secret]@127.0.0.1:9");
  t.false(withAt.result.stdout.includes("with-at"), "no piece of the password");
  t.is(withAt.report.exitCode, 0, "loopback URLs go direct, not through the proxy");
  // "/" in the password: the URL does not parse, and the setting's refusal does not quote it.
  const withSlash = await doctor(
    t,
    emulator,
    { ...settingsEnv(emulator), TRIDION_PROXY: "http://proxyuser:Pw/with-slash-8z@proxy.example.com:3128" },
    [],
    [],
    { reachesEmulator: false },
  );
  t.is(check(withSlash.report, "settings.valid").verdict, "fail");
  t.regex(
    check(withSlash.report, "settings.valid").cause!,
    /tridion:proxy \(env TRIDION_PROXY\) is "http:\/\/proxyuser:\[secret\]@proxy\.example\.com:3128"/,
  );
  t.false(withSlash.result.stdout.includes("with-slash"), "no piece of the password");
});

test("the proof's wait (tridion:verifyTimeoutSeconds) shows among the settings, and a bad value is named", async (t) => {
  const emulator = await emulatorFor(t, { productVersion: "10" });
  const set = await doctor(t, emulator, { ...settingsEnv(emulator), TRIDION_VERIFY_TIMEOUT_SECONDS: "300" });
  t.is(set.report.exitCode, 0, set.report.summary);
  t.deepEqual(check(set.report, "settings.source").details.settings["tridion:verifyTimeoutSeconds"], {
    from: "environment TRIDION_VERIFY_TIMEOUT_SECONDS",
    value: "300",
  });
  const bad = await doctor(t, emulator, { ...settingsEnv(emulator), TRIDION_VERIFY_TIMEOUT_SECONDS: "-5" }, [], [], {
    reachesEmulator: false,
  });
  t.is(check(bad.report, "settings.valid").verdict, "fail");
  t.regex(
    check(bad.report, "settings.valid").cause!,
    /tridion:verifyTimeoutSeconds \(env TRIDION_VERIFY_TIMEOUT_SECONDS\) is "-5": expected a number from 0 to 3600/,
  );
});
