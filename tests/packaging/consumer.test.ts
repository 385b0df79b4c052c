// What `npm install pulumi-tridion` brings into a user's infrastructure repository, and what the
// emulator brings as a dev dependency: the workspace packages packed as `npm publish` would, and
// installed into a fresh project outside the repository. Checked as the ecosystem checks a
// package: its files, the consumer's production dependency tree, one copy of @pulumi/pulumi (a
// peer), its types under the module resolutions TypeScript users have (publint, attw, and tsc).
import test from "ava";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../../demo/pulumiEngine";
import { cliEnvironment, settingsEnv } from "../helpers/cli";
import { startTestEmulator } from "../helpers/emulator";
import { npm, packWorkspaces, PUBLISHED_PACKAGES, type Packed } from "../helpers/userProject";

const exec = promisify(execFile);
const bin = (name: string) => path.join(repoRoot, "node_modules", ".bin", name);
const env = { npm_config_cache: path.join(os.homedir(), ".npm") };

let packed: Promise<Record<string, Packed>> | undefined;
const tarballs = () => (packed ??= packWorkspaces(PUBLISHED_PACKAGES, env));

/** A user's project: package.json with the provider as a dependency and the emulator as a dev dependency. */
let consumer: Promise<string> | undefined;
async function consumerProject(): Promise<string> {
  const { "pulumi-tridion": provider, "tridion-sites-emulator": emulator, "tridion-sites-contract": contract } = await tarballs();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tridion-consumer-"));
  // The data package both depend on comes from its tarball, as the registry will serve it.
  const overrides = { "tridion-sites-contract": `file:${contract.tarball}` };
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "acme-infra", private: true, version: "1.0.0", overrides }, null, 2),
  );
  const quiet = ["--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];
  // The peer (@pulumi/pulumi) is installed by npm itself, as npm 7+ does for every user.
  await npm(["install", ...quiet, `file:${provider.tarball}`, "typescript@5"], dir, env);
  await npm(["install", ...quiet, "--save-dev", `file:${emulator.tarball}`], dir, env);
  return dir;
}
const project = () => (consumer ??= consumerProject());

test.after.always(async () => {
  if (consumer) fs.rmSync(await consumer, { recursive: true, force: true });
  if (packed) fs.rmSync(path.dirname((await packed)["pulumi-tridion"].tarball), { recursive: true, force: true });
});

test("the provider's tarball holds only what a program runs: compiled code, its types, its command and plugin launchers, README, CHANGELOG", async (t) => {
  const { files } = (await tarballs())["pulumi-tridion"];
  const unexpected = files.filter(
    (f) =>
      !/^dist\/.+\.(js|d\.ts)$/.test(f) &&
      ![
        "package.json",
        "README.md",
        "CHANGELOG.md",
        "bin/pulumi-tridion.js",
        "bin/pulumi-resource-tridion",
        "bin/pulumi-resource-tridion.cmd",
      ].includes(f),
  );
  t.deepEqual(unexpected, [], "no sources, source maps, tests or configs");
  t.deepEqual(
    files.filter((f) => /^dist\/(demo|bench|emulator|tests)\//.test(f)),
    [],
    "no demo, bench, emulator or tests",
  );
  t.deepEqual(
    files.filter(
      (f) =>
        f.startsWith("dist/") &&
        f.endsWith(".js") &&
        !fs.existsSync(path.join(repoRoot, "provider", f.replace(/^dist\//, "").replace(/\.js$/, ".ts"))),
    ),
    [],
    "no stale module whose source is gone (the build empties dist/ first)",
  );
  for (const entry of [
    "dist/index.js",
    "dist/index.d.ts",
    "dist/dynamic/index.js",
    "dist/cli/main.js",
    "bin/pulumi-tridion.js",
    "README.md",
    "CHANGELOG.md",
  ]) {
    t.true(files.includes(entry), `${entry} is in it`);
  }
});

test("the contract package's tarball holds data only: compiled code, its types, README", async (t) => {
  const { files } = (await tarballs())["tridion-sites-contract"];
  t.true(files.includes("dist/index.js") && files.includes("dist/index.d.ts"));
  t.deepEqual(
    files.filter((f) => !/^dist\/.+\.(js|d\.ts)$/.test(f) && !["package.json", "README.md"].includes(f)),
    [],
  );
});

test("the emulator's tarball holds its command and compiled code, nothing of the provider", async (t) => {
  const { files } = (await tarballs())["tridion-sites-emulator"];
  t.true(files.includes("bin/tridion-emulator.js"));
  t.true(files.includes("dist/cli.js") && files.includes("dist/index.d.ts"));
  t.deepEqual(
    files.filter((f) => /\.map$/.test(f) || (/\.ts$/.test(f) && !f.endsWith(".d.ts"))),
    [],
    "no sources or source maps",
  );
});

test("a consumer's production dependencies hold the provider and its runtime libraries, not the emulator's server", async (t) => {
  const dir = await project();
  const { stdout } = await exec("npm", ["ls", "--omit=dev", "--all", "--parseable"], { cwd: dir, env: { ...process.env, ...env } });
  const names = new Set(stdout.split("\n").map((line) => line.split(`node_modules${path.sep}`).pop() ?? ""));
  t.true(
    names.has("pulumi-tridion") && names.has("openid-client") && names.has("axios") && names.has("tridion-sites-contract"),
    "the provider and what it runs on",
  );
  t.deepEqual(
    [...names].filter((name) => /^(fastify|@fastify\/|tridion-sites-emulator|ava|ts-node|eslint)/.test(name)),
    [],
    "no web server, emulator or tooling in production",
  );
  const copies = fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((p) => p.endsWith(path.join("node_modules", "@pulumi", "pulumi", "package.json")));
  t.deepEqual(copies, [path.join("node_modules", "@pulumi", "pulumi", "package.json")], "one copy of @pulumi/pulumi, the program's own");
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "node_modules", "pulumi-tridion", "package.json"), "utf8"));
  t.is(manifest.peerDependencies?.["@pulumi/pulumi"], "^3.216.0", "a peer: ReadResult.inputs, which refresh uses, came in 3.216");
  t.is(manifest.dependencies?.["@pulumi/pulumi"], undefined);
});

test("the installed packages load: the provider's classes and the emulator's command", async (t) => {
  const dir = await project();
  const node = process.execPath;
  const loaded = await exec(node, ["-e", "const t = require('pulumi-tridion'); console.log(Object.keys(t).sort().join(','))"], {
    cwd: dir,
  });
  for (const name of ["AddonPackage", "ClientCredentialUser", "ServiceAccount"]) t.true(loaded.stdout.split(",").includes(name), name);
  const dynamic = await exec(node, ["-e", "console.log(typeof require('pulumi-tridion/dynamic').addonPackage.create)"], { cwd: dir });
  t.is(dynamic.stdout.trim(), "function", "the implementation the serialized shim requires");
  const help = await exec(path.join(dir, "node_modules", ".bin", "tridion-emulator"), ["--help"], { cwd: dir });
  t.regex(help.stdout, /tridion-emulator/);
});

test("npx pulumi-tridion runs from the consumer's project: --help, and doctor --json against an emulator", async (t) => {
  const dir = await project();
  const emulator = await startTestEmulator();
  t.teardown(() => emulator.close());
  // npx finds the installed command in node_modules/.bin; npm's own Node may be older, so the project's Node goes first on PATH.
  const env = cliEnvironment({
    ...settingsEnv(emulator),
    PATH: [path.dirname(process.execPath), process.env.PATH ?? ""].join(path.delimiter),
    npm_config_cache: path.join(os.homedir(), ".npm"),
  });
  const help = await exec("npx", ["--no-install", "pulumi-tridion", "--help"], { cwd: dir, env });
  t.regex(help.stdout, /doctor +read-only/);
  t.regex(help.stdout, /revoke-secret/);
  const doctor = await exec("npx", ["--no-install", "pulumi-tridion", "doctor", "--json"], { cwd: dir, env }).catch(
    (e: { stdout: string; stderr: string; code: number }) => ({ ...e, failed: true }),
  );
  t.false("failed" in doctor, `doctor: ${doctor.stdout} ${"stderr" in doctor ? doctor.stderr : ""}`);
  const report = JSON.parse(doctor.stdout);
  t.like(report, { command: "doctor", verdict: "ready", exitCode: 0 });
  t.false(doctor.stdout.includes(emulator.credentials.admin.clientSecret));
});

for (const moduleResolution of ["node10", "node16", "bundler"] as const) {
  test(`a TypeScript program type-checks against the installed package (moduleResolution ${moduleResolution})`, async (t) => {
    const dir = await project();
    const folder = fs.mkdtempSync(path.join(dir, `ts-${moduleResolution}-`));
    const module = moduleResolution === "node10" ? "commonjs" : moduleResolution === "node16" ? "node16" : "esnext";
    fs.writeFileSync(
      path.join(folder, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module, moduleResolution, target: "es2022", types: [] } }),
    );
    fs.writeFileSync(
      path.join(folder, "index.ts"),
      [
        'import * as tridion from "pulumi-tridion";',
        'import type * as dynamic from "pulumi-tridion/dynamic";',
        'const addon: tridion.AddonPackageArgs = { source: "./addon", enabled: true };',
        'export const kinds: Array<keyof typeof dynamic> = ["addonPackage", "clientCredentialUser", "serviceAccount"];',
        'export const built = () => new tridion.AddonPackage("x", addon);',
        "",
      ].join("\n"),
    );
    const result = await exec(process.execPath, [path.join(dir, "node_modules", "typescript", "bin", "tsc"), "-p", folder]).catch(
      (e: { stdout: string }) => ({ stdout: e.stdout, failed: true }),
    );
    t.false("failed" in result, `tsc: ${result.stdout}`);
  });
}

test("publint and Are the Types Wrong find nothing in either tarball", async (t) => {
  for (const { tarball } of Object.values(await tarballs())) {
    const lint = await exec(process.execPath, [bin("publint"), "--strict", tarball]).catch((e: { stdout: string }) => ({
      ...e,
      failed: true,
    }));
    t.false("failed" in lint, `publint ${path.basename(tarball)}: ${lint.stdout}`);
    t.regex(lint.stdout, /All good/);
    const types = await exec(process.execPath, [bin("attw"), "--format", "ascii", tarball]).catch((e: { stdout: string }) => ({
      ...e,
      failed: true,
    }));
    t.false("failed" in types, `attw ${path.basename(tarball)}: ${types.stdout}`);
    t.regex(types.stdout, /No problems found/);
  }
});
