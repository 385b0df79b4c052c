#!/usr/bin/env node
// `npm run sdk:gen`: the SDKs of the `tridion` provider plugin, generated from its package schema
// (provider/plugin/schema.ts) by Pulumi's own code generators, and their reference:
//   sdk/nodejs  sdk/python  sdk/go  sdk/dotnet   (committed; never edited by hand)
//   sdk/REFERENCE.md                              (each resource's inputs and outputs, per language)
// The generators are built once into a cache outside the repository by scripts/ensure-sdkgen.sh.
//
//   node scripts/sdk-gen.js            write them into the repository
//   node scripts/sdk-gen.js --out DIR  write them into DIR instead (DIR/sdk/...), e.g. to compare
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const LANGUAGES = ["nodejs", "python", "go", "dotnet"];

function parseArgs(argv) {
  const outAt = argv.indexOf("--out");
  if (outAt >= 0 && !argv[outAt + 1]) throw new Error("--out needs a folder");
  const unknown = argv.filter((a, i) => a !== "--out" && i !== outAt + 1);
  if (unknown.length) throw new Error(`unknown argument(s): ${unknown.join(" ")} (usage: sdk-gen.js [--out DIR])`);
  return { out: outAt >= 0 ? path.resolve(argv[outAt + 1]) : ROOT };
}

/** The schema exactly as the plugin answers GetSchema: packageSchema() at the provider's version. */
function loadSchema() {
  require("ts-node").register({ transpileOnly: true, project: path.join(ROOT, "tsconfig.json") });
  const { packageSchema } = require(path.join(ROOT, "provider/plugin/schema.ts"));
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, "provider/package.json"), "utf8"));
  return packageSchema(version);
}

function generators() {
  const lines = execFileSync("bash", [path.join(ROOT, "scripts/ensure-sdkgen.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  return lines.split("\n").pop();
}

function main() {
  const { out } = parseArgs(process.argv.slice(2));
  const schema = loadSchema();
  const bin = generators();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tridion-sdk-gen-"));
  try {
    const schemaFile = path.join(work, "schema.json");
    fs.writeFileSync(schemaFile, JSON.stringify(schema, null, 2));
    for (const language of LANGUAGES) {
      const target = path.join(work, language);
      const [program, ...args] =
        language === "dotnet"
          ? [path.join(bin, "sdkgen-dotnet"), schemaFile, target]
          : [path.join(bin, "sdkgen-pulumi"), language, schemaFile, target];
      execFileSync(program, args, { stdio: ["ignore", "inherit", "inherit"] });
    }
    const { renderReference } = require("./sdk-reference");
    const sdk = path.join(out, "sdk");
    fs.mkdirSync(sdk, { recursive: true });
    for (const language of LANGUAGES) {
      fs.rmSync(path.join(sdk, language), { recursive: true, force: true });
      fs.cpSync(path.join(work, language), path.join(sdk, language), { recursive: true });
    }
    fs.writeFileSync(
      path.join(sdk, "REFERENCE.md"),
      renderReference(schema, { python: path.join(work, "python"), go: path.join(work, "go") }),
    );
    process.stderr.write(`sdk-gen: wrote ${LANGUAGES.map((l) => `sdk/${l}`).join(", ")} and sdk/REFERENCE.md under ${out}\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  process.stderr.write(`sdk-gen: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
