// The `tridion-emulator` bin as another process would use it: one JSON line on stdout, HTTP test
// controls, a 50 MB upload streamed without buffering (peak RSS of the emulator process), SIGTERM.
import test from "ava";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ZipArchive } from "archiver";
import { amAdmin } from "../helpers/accessManagement";
import { bearer, getToken, http, manifest, uploadPackage } from "../helpers/emulator";

const cli = path.resolve(__dirname, "../../emulator/dist/cli.js");

interface Started {
  child: ChildProcess;
  info: {
    accessManagementUrl: string;
    addonsUrl: string;
    productVersion: string;
    credentials: { admin: { clientId: string; clientSecret: string }; addonsService: { clientId: string; clientSecret: string } };
  };
}

function startCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Started> {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr!.on("data", (d) => (err += d));
    child.stdout!.on("data", (d) => {
      out += d;
      const newline = out.indexOf("\n");
      if (newline >= 0) resolve({ child, info: JSON.parse(out.slice(0, newline)) });
    });
    child.on("exit", (code) => reject(new Error(`emulator exited with ${code}: ${err}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.removeAllListeners("exit");
    child.on("exit", (code) => resolve(code));
    child.kill("SIGTERM");
  });
}

const peakRssKb = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))![1]);

test("prints one JSON line, serves both versions, honours flags and env, exits cleanly on SIGTERM", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emu-cli-"));
  const routesFile = path.join(dir, "routes.json");
  fs.writeFileSync(routesFile, JSON.stringify({ addons: "/v2/addons", addon: "/v2/addons/{id}" }));
  const { child, info } = await startCli(
    [
      "--port",
      "0",
      "--product-version",
      "9.6",
      "--data-dir",
      path.join(dir, "data"),
      "--routes",
      routesFile,
      "--token-lifetime-seconds",
      "120",
      "--seed-users",
      "ann,bob",
    ],
    { TRIDION_EMULATOR_ADMIN_CLIENT_ID: "env-admin", TRIDION_EMULATOR_ADMIN_CLIENT_SECRET: "env-admin-secret-value" },
  );
  try {
    t.regex(info.accessManagementUrl, /^http:\/\/127\.0\.0\.1:\d+\/access-management$/);
    t.regex(info.addonsUrl, /^http:\/\/127\.0\.0\.1:\d+\/addon$/, "the Add-ons Service under /addon");
    t.not(new URL(info.addonsUrl).port, new URL(info.accessManagementUrl).port, "on a listener of its own");
    t.is(info.productVersion, "9.6");
    t.deepEqual(info.credentials.admin, { clientId: "env-admin", clientSecret: "env-admin-secret-value" });
    const token = await http.post(
      `${info.accessManagementUrl}/connect/token`,
      new URLSearchParams({ grant_type: "client_credentials", client_id: "env-admin", client_secret: "env-admin-secret-value" }).toString(),
    );
    t.is(token.data.expires_in, 120);
    t.is((await http.get(`${info.addonsUrl}/v2/addons`, bearer(token.data.access_token))).status, 200);
    const users = (await http.get(`${info.accessManagementUrl}/api/v1/Users`, bearer(token.data.access_token))).data;
    t.deepEqual(
      users.map((u: { name: string; identityProviderKey: string }) => [u.name, u.identityProviderKey]),
      [
        ["ann", "EntraId"],
        ["bob", "EntraId"],
      ],
    );
    const accounts = (await http.get(`${info.accessManagementUrl}/api/v1/ServiceAccounts`, bearer(token.data.access_token))).data;
    t.true(
      accounts.some((a: { name: string; clientId: string }) => a.name === "Emulator Bootstrap Administrator" && a.clientId === "env-admin"),
    );
    t.true(
      accounts.some((a: { name: string }) => a.name === "Add-ons API"),
      "9.x names",
    );
    const controls = `${new URL(info.addonsUrl).origin}/__emulator`;
    const log = (await http.get(`${controls}/requests`)).data;
    t.true(log.some((e: { path: string; identity: string }) => e.path === "/addon/v2/addons" && e.identity === "env-admin"));
    t.false(JSON.stringify(log).includes("env-admin-secret-value"));
    t.is((await http.delete(`${controls}/requests`)).status, 204);
    t.deepEqual((await http.get(`${controls}/requests`)).data, []);
  } finally {
    t.is(await stop(child), 0);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function runToExit(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
    child.kill("SIGTERM"); // it started although it should have refused: stop it, the test fails on the exit code
  });
  child.stderr.on("data", (d) => (stderr += d));
  // "close", not "exit": the process may exit before its stderr has been read to the end.
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

test("bad flags exit with status 2 and a usage message", async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [["--product-version", "11"], /--product-version must be 9\.6 or 10/],
    [["--am-base-path", "ISHAM"], /--am-base-path must be a path like \/access-management or \/ISHAM, got "ISHAM"/],
    [["--port", "8799", "--addons-port", "8799"], /--port and --addons-port must differ/],
    [["--addons-port", "70000"], /--addons-port must be an integer from 0 to 65535/],
    [["--seed-users", '[{"name": "ann"'], /--seed-users is not valid JSON/],
    [["--seed-users", '{"name": "ann"}'], /--seed-users as JSON must be a list/],
    [
      ["--seed-users", '[{"name": "ann", "identityProvider": 7}]'],
      /--seed-users\[0\] must be a name or \{"name", "email"\?, "identityProvider"\?\}/,
    ],
    [["--seed-users", '[{"displayName": "ann"}]'], /--seed-users\[0\]/],
    [["--keep-issuer-case=yes"], /keep-issuer-case/],
  ];
  for (const [args, message] of cases) {
    const { code, stdout, stderr } = await runToExit(args);
    t.is(code, 2, args.join(" "));
    t.regex(stderr, message);
    t.regex(stderr, /Usage: tridion-emulator/);
    t.is(stdout, "");
  }
});

test("--am-base-path, --keep-issuer-case and --seed-users as JSON with identity providers", async (t) => {
  const seeds = JSON.stringify([{ name: "ann", email: "ann@example.com", identityProvider: "Windows" }, { name: "ann" }]);
  let started = await startCli(["--port", "0", "--am-base-path", "/ISHAM", "--seed-users", seeds]);
  try {
    const am = started.info.accessManagementUrl;
    t.regex(am, /^http:\/\/127\.0\.0\.1:\d+\/ISHAM$/);
    const discovery = (await http.get(`${am}/.well-known/openid-configuration`)).data;
    t.is(discovery.issuer, am.replace("/ISHAM", "/isham"), "lower-cased by default");
    t.is(discovery.token_endpoint, `${am}/connect/token`);
    const token = await getToken(started.info, started.info.credentials.admin);
    const users = (await http.get(`${am}/api/v1/Users`, bearer(token))).data;
    t.deepEqual(
      users.map((u: { name: string; email: string | null; identityProviderKey: string }) => [u.name, u.email, u.identityProviderKey]),
      [
        ["ann", "ann@example.com", "Windows"],
        ["ann", null, "EntraId"],
      ],
    );
    t.is((await http.get(`${started.info.addonsUrl}/api/v1/addons`, bearer(token))).status, 200);
    t.is(await stop(started.child), 0);

    started = await startCli(["--port", "0", "--am-base-path", "/ISHAM", "--keep-issuer-case"]);
    const kept = (await http.get(`${started.info.accessManagementUrl}/.well-known/openid-configuration`)).data;
    t.is(kept.issuer, started.info.accessManagementUrl);
    const keptToken = await getToken(started.info, started.info.credentials.admin);
    t.is((await http.get(`${started.info.accessManagementUrl}/api/v1/System/userInfo`, bearer(keptToken))).status, 200);
  } finally {
    await stop(started.child);
  }
});

test("a data dir of format 1 makes the CLI exit with status 1 and a message saying to delete it", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emu-cli-format1-"));
  try {
    const state = JSON.stringify({ formatVersion: 1, productVersion: "10", users: [], serviceAccounts: [], addons: [] });
    fs.writeFileSync(path.join(dir, "state.json"), state);
    const { code, stdout, stderr } = await runToExit(["--port", "0", "--data-dir", dir]);
    t.is(code, 1);
    t.is(stdout, "");
    t.regex(stderr, /tridion-emulator: The data dir .* was written by an older emulator \(format 1; this one writes format 2/);
    t.regex(stderr, /Fix: delete the data dir \(or choose another --data-dir\)/);
    t.is(fs.readFileSync(path.join(dir, "state.json"), "utf8"), state, "left as it was");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("numbers out of range and bad fault settings exit with status 2, naming the flag and the valid range", async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [["--token-lifetime-seconds", "0"], /--token-lifetime-seconds must be an integer from 1 to 2147483647, got "0"/],
    [["--max-package-bytes", "0"], /--max-package-bytes must be an integer >= 1, got "0"/],
    [["--activation-delay-ms=-5"], /--activation-delay-ms must be an integer >= 0, got "-5"/],
    [["--port", "65536"], /--port must be an integer from 0 to 65535, got "65536"/],
    [["--token-lifetime-seconds", "1e3"], /--token-lifetime-seconds must be an integer from 1 to 2147483647, got "1e3"/],
    [["--faults", '{"latency": 5}'], /--faults: Unknown fault setting latency; known: errorBursts/],
    [
      ["--faults", '{"errorBursts": [{"status": 503, "count": 1, "retryAfterSeconds": -1}]}'],
      /--faults: errorBursts\[0\]\.retryAfterSeconds must be an integer from 0/,
    ],
  ];
  for (const [args, message] of cases) {
    const { code, stdout, stderr } = await runToExit(args);
    t.is(code, 2, args.join(" "));
    t.regex(stderr, message);
    t.regex(stderr, /Usage: tridion-emulator/);
    t.is(stdout, "", "nothing started, nothing printed");
  }
});

test("a restart after the Add-ons API bootstrap secret was revoked prints clientSecret null with a note", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emu-cli-revoked-"));
  const args = ["--port", "0", "--data-dir", path.join(dir, "data")];
  let started = await startCli(args);
  try {
    const admin = await amAdmin(started.info);
    const account = (await admin.list("ServiceAccounts")).find((a) => a.name === "Add-ons API Client (service)")!;
    t.is(account.clientId, started.info.credentials.addonsService.clientId);
    const [secret] = account.clientSecrets;
    t.is(secret.expiresAt, "9999-12-31T23:59:59.000Z");
    t.is((await admin.revokeSecret("ServiceAccounts", account.id, secret.id)).status, 204);
    t.is(await stop(started.child), 0);

    started = await startCli(args);
    const printed = started.info.credentials.addonsService as unknown as { clientId: string; clientSecret: string | null; note: string };
    t.is(printed.clientId, account.clientId!);
    t.is(printed.clientSecret, null);
    t.regex(printed.note, /was revoked in this data dir and is not re-created/);
    t.is(typeof started.info.credentials.admin.clientSecret, "string");
    t.is(
      (await http.get(`${started.info.addonsUrl}/api/v1/addons`, bearer(await getToken(started.info, started.info.credentials.admin))))
        .status,
      200,
    );
  } finally {
    await stop(started.child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a 64 MB package streams to disk: the emulator's peak memory grows far less than the package", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emu-big-"));
  const zipPath = path.join(dir, "big-addon-1.0.0.zip");
  const m = manifest({ id: "big-addon", version: "1.0.0", extensions: [] });
  await new Promise<void>((resolve, reject) => {
    const archive = new ZipArchive({ store: true });
    const out = fs.createWriteStream(zipPath);
    out.on("close", () => resolve());
    archive.on("error", reject);
    archive.pipe(out);
    archive.append(JSON.stringify(m), { name: "manifest.json" });
    for (let i = 0; i < 64; i++) archive.append(randomBytes(1024 * 1024), { name: `data/blob-${i}.bin` });
    void archive.finalize();
  });
  const size = fs.statSync(zipPath).size;
  const { child, info } = await startCli(["--port", "0", "--data-dir", path.join(dir, "data"), "--activation-delay-ms", "0"]);
  try {
    const token = await getToken(info, info.credentials.admin);
    await http.get(`${info.addonsUrl}/api/v1/addons`, bearer(token)); // warm up
    const before = peakRssKb(child.pid!);
    const res = await uploadPackage(`${info.addonsUrl}/api/v1/addons`, token, zipPath, "big-addon-1.0.0.zip");
    t.is(res.status, 201, JSON.stringify(res.data));
    t.is(res.data.packageSize, size);
    // Streaming costs a fixed ~35 MB of V8/socket overhead whatever the size (measured at 50 and
    // 150 MB); buffering the package would add its 64 MB on top.
    const growthMb = (peakRssKb(child.pid!) - before) / 1024;
    t.log(`package ${(size / 1048576).toFixed(1)} MB, emulator peak RSS growth ${growthMb.toFixed(1)} MB`);
    t.true(growthMb < 50, `peak RSS grew ${growthMb} MB for a ${size} byte upload`);
    const expected = createHash("sha256").update(fs.readFileSync(zipPath)).digest("hex");
    t.is(res.data.packageSha256, expected);
    const download = await http.get(`${info.addonsUrl}/api/v1/addons/big-addon/package`, { ...bearer(token), responseType: "stream" });
    const hash = createHash("sha256");
    for await (const chunk of download.data) hash.update(chunk);
    t.is(hash.digest("hex"), expected);
  } finally {
    await stop(child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
