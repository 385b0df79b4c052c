#!/usr/bin/env node
// `npm run plugin:pack`: the provider plugin's tarballs, one per platform Pulumi installs plugins
// for, as `pulumi plugin install resource tridion <version> --file <tarball>` takes them:
//
//   dist/plugin/pulumi-resource-tridion-v<version>-<os>-<arch>.tar.gz
//
// Each holds, as plain files at its root: the plugin bundled into ONE JavaScript file with
// everything it loads (`pulumi-resource-tridion.js`, built by esbuild from provider/plugin/main.ts;
// no node_modules, no `npm install` on the user's machine), the launcher Pulumi runs (the sh
// `pulumi-resource-tridion` on Linux and macOS, `pulumi-resource-tridion.cmd` on Windows: the
// engine looks for `<name>.exe` or `<name>.cmd` there), which checks for Node.js 22 or later on
// PATH, and a README. The JavaScript is the same in every tarball: only the launcher differs.
//
// The build fails, rather than ship a plugin that breaks on a user's machine, when the bundle
// would `require` a package it does not hold, or holds two copies of gRPC (the SDK's generated
// stubs and our code must share one).
//
// The tarballs are deterministic: entries sorted, fixed mode, owner and mtime (SOURCE_DATE_EPOCH
// when set), gzip without a name or time. archiver writes them: no system `tar` is needed.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { builtinModules } = require("node:module");
const esbuild = require("esbuild");
const { TarArchive } = require("archiver");

const ROOT = path.resolve(__dirname, "..");
const PLUGIN = "pulumi-resource-tridion";
const BUNDLE = `${PLUGIN}.js`;
const OUT_DIR = path.join(ROOT, "dist", "plugin");
/** os-arch as Pulumi names them (GOOS-GOARCH): where `pulumi plugin install` looks. */
const TARGETS = ["linux-amd64", "linux-arm64", "darwin-amd64", "darwin-arm64", "windows-amd64"];
const FIXED_DATE = new Date(Number(process.env.SOURCE_DATE_EPOCH ?? Date.UTC(2020, 0, 1) / 1000) * 1000);

const version = JSON.parse(fs.readFileSync(path.join(ROOT, "provider", "package.json"), "utf8")).version;

/**
 * The engine side of the resources reads one value of the SDK's root module: the marker of an
 * unknown value in preview (`pulumi.runtime.unknownValue`). Everything else of `@pulumi/pulumi`
 * it uses is types, and the program side (ownership.ts's `ownerKeyFor`) never runs in the plugin.
 * So the bundle takes that value from the module that defines it, not the whole SDK root, whose
 * automation API brings npm's installer and TypeScript along (a 3.6 MB bundle instead of 17 MB).
 * Every other name of the root module (and of `runtime`) is still there, as a getter that fails
 * saying so: code that starts to use one fails its tests through the bundle with that message,
 * rather than with `undefined is not a function`.
 */
function sdkRootModule() {
  const sdk = require("@pulumi/pulumi");
  const missing = (key, name = key) =>
    `get ${JSON.stringify(key)}() { throw new Error(${JSON.stringify(
      `pulumi-resource-tridion: @pulumi/pulumi.${name} is not in the plugin's bundle (see scripts/pack-plugin.js)`,
    )}); }`;
  const runtimeNames = Object.keys(sdk.runtime).filter((key) => key !== "unknownValue");
  const rootNames = Object.keys(sdk).filter((key) => key !== "runtime");
  return [
    `const rpc = require("@pulumi/pulumi/runtime/rpc");`,
    `const runtime = { unknownValue: rpc.unknownValue, ${runtimeNames.map((key) => missing(key, `runtime.${key}`)).join(", ")} };`,
    `module.exports = { runtime, ${rootNames.map((key) => missing(key)).join(", ")} };`,
  ].join("\n");
}

const sdkRootPlugin = {
  name: "sdk-root",
  setup(build) {
    build.onResolve({ filter: /^@pulumi\/pulumi$/ }, () => ({ path: "@pulumi/pulumi", namespace: "sdk-root" }));
    build.onLoad({ filter: /.*/, namespace: "sdk-root" }, () => ({ contents: sdkRootModule(), loader: "js", resolveDir: ROOT }));
  },
};

async function bundle() {
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, "provider", "plugin", "main.ts")],
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    // The root tsconfig maps `tridion-sites-contract` to its sources: no `npm run build` needed.
    tsconfig: path.join(ROOT, "tsconfig.json"),
    define: { PULUMI_TRIDION_BUNDLED_VERSION: JSON.stringify(version) },
    plugins: [sdkRootPlugin],
    // Folds the branches PULUMI_TRIDION_BUNDLED_VERSION decides, so the ones for an unbundled run are gone.
    minifySyntax: true,
    legalComments: "eof",
    metafile: true,
    write: false,
    outfile: path.join(OUT_DIR, BUNDLE),
    logLevel: "silent",
    // tokens.ts keeps a require.resolve() for unbundled runs, in a branch the bundle folds away;
    // checkBundle() proves none is left.
    logOverride: { "require-resolve-not-external": "silent" },
  });
  for (const warning of result.warnings) {
    const where = warning.location ? `${warning.location.file}:${warning.location.line}: ` : "";
    process.stderr.write(`pack-plugin: esbuild warning: ${where}${warning.text}\n`);
  }
  const code = result.outputFiles[0].text;
  checkBundle(code, result.metafile);
  return Buffer.from(code, "utf8");
}

/**
 * What the bundle would need from outside itself: nothing but Node.js's own modules, and no file
 * beside it. The one exception is @grpc/grpc-js's .proto files for its admin (channelz) service and
 * ORCA load reports, loaded on first use of those, which the plugin never makes.
 */
function checkBundle(code, metafile) {
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  const required = [...code.matchAll(/\brequire\(\s*(?:\/\*[^]*?\*\/\s*)*(?:"([^"]*)"|'([^']*)'|`([^`$]*)`|)/g)].map(
    (m) => m[1] ?? m[2] ?? m[3],
  );
  const dynamic = required.filter((name) => name === undefined).length;
  if (dynamic) throw new Error(`the bundle has ${dynamic} require() of a computed name, which it cannot hold`);
  const outside = [...new Set(required)].filter((name) => !builtins.has(name));
  if (outside.length) throw new Error(`the bundle requires packages it does not hold: ${outside.join(", ")}`);
  if (/\brequire\.resolve\b/.test(code)) throw new Error("the bundle calls require.resolve, which finds nothing beside it");
  const besideItself = [...code.matchAll(/\b__(?:dirname|filename)\b.{0,20}/g)]
    .map((m) => m[0])
    .filter((use) => !use.startsWith("__dirname}/../../proto"));
  if (besideItself.length) throw new Error(`the bundle reads files beside itself: ${besideItself.join("; ")}`);
  const grpcCopies = new Set(
    Object.keys(metafile.inputs)
      .map((file) => /^(.*node_modules\/@grpc\/grpc-js)\//.exec(file)?.[1])
      .filter(Boolean),
  );
  if (grpcCopies.size !== 1)
    throw new Error(`the bundle must hold exactly one @grpc/grpc-js, found: ${[...grpcCopies].join(", ") || "none"}`);
}

const readme = (target) => `# ${PLUGIN} v${version} (${target})

The \`tridion\` Pulumi provider plugin: RWS Tridion Sites add-on packages and client-credential
identities, for Pulumi YAML and the other Pulumi languages.

It needs Node.js 22 or later on \`PATH\`: the launcher (\`${target.startsWith("windows") ? `${PLUGIN}.cmd` : PLUGIN}\`)
checks for it and says so when it is missing or older. \`${BUNDLE}\` is the whole plugin in one
file; nothing else is installed.

Install:

    pulumi plugin install resource tridion ${version} --file ${PLUGIN}-v${version}-${target}.tar.gz

Licensed under the Apache License 2.0. The licence notices of the bundled libraries are kept at
the end of \`${BUNDLE}\`.
`;

/** A launcher with the line ends its shell reads, whatever the checkout did to them (Git on
 * Windows may turn the sh one's into CRLF, which sh cannot run). */
function launcher(name) {
  const text = fs.readFileSync(path.join(ROOT, "provider", "bin", name), "utf8").replace(/\r\n/g, "\n");
  return Buffer.from(name.endsWith(".cmd") ? text.replace(/\n/g, "\r\n") : text, "utf8");
}

/** The tarball's entries: [name, bytes, mode], in the order they are written (sorted by name). */
function entriesFor(target, code) {
  const windows = target.startsWith("windows-");
  const entries = [
    ["README.md", Buffer.from(readme(target), "utf8"), 0o644],
    [BUNDLE, code, 0o644],
    windows ? [`${PLUGIN}.cmd`, launcher(`${PLUGIN}.cmd`), 0o755] : [PLUGIN, launcher(PLUGIN), 0o755],
  ];
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function writeTarball(file, entries) {
  return new Promise((resolve, reject) => {
    const archive = new TarArchive({ gzip: true, gzipOptions: { level: 9 } });
    const tmp = `${file}.${process.pid}.tmp`;
    const out = fs.createWriteStream(tmp);
    archive.on("warning", reject);
    archive.on("error", reject);
    out.on("error", reject);
    out.on("close", () => {
      fs.renameSync(tmp, file);
      resolve();
    });
    archive.pipe(out);
    for (const [name, bytes, mode] of entries) {
      archive.append(bytes, { name, mode, date: FIXED_DATE, uid: 0, gid: 0, uname: "", gname: "" });
    }
    archive.finalize();
  });
}

async function main() {
  const started = Date.now();
  const code = await bundle();
  fs.mkdirSync(OUT_DIR, { recursive: true });
  for (const target of TARGETS) {
    const file = path.join(OUT_DIR, `${PLUGIN}-v${version}-${target}.tar.gz`);
    await writeTarball(file, entriesFor(target, code));
    console.log(path.relative(process.cwd(), file));
  }
  process.stderr.write(`pack-plugin: ${TARGETS.length} tarballs of v${version} in ${Date.now() - started} ms\n`);
}

main().catch((e) => {
  process.stderr.write(`pack-plugin: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
