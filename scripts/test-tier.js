#!/usr/bin/env node
// Runs one tier of the AVA suite (`npm run test:unit`, `test:emulator`, `test:e2e`), or lists the
// tiers (`node scripts/test-tier.js --list`). A test file's tier follows from what it imports,
// directly or through the test helpers, so a new file lands in the right tier by itself:
//   e2e       the real Pulumi CLI and engine (the Automation API, `pulumi` in a folder), or the
//             SDK generators built from the Go module proxy (`scripts/sdk-gen.js`)
//   emulator  an emulator over HTTP, or a provider host process, but no Pulumi CLI
//   unit      neither: packaging, mappers, policy, errors, routes (seconds, no build needed)
// `npm test` runs all of them.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const root = path.resolve(__dirname, "..");
const TIERS = ["unit", "emulator", "e2e"];

/** What makes a file need the Pulumi CLI, or an emulator (paths relative to the repository). */
const NEEDS_CLI = [/^tests\/helpers\/(pulumi|folderMode|userProject|processTree)\.ts$/, /^demo\//, /^@pulumi\/pulumi\/automation$/];
const NEEDS_EMULATOR = [/^tests\/helpers\/(emulator|grpcHost|cli)\.ts$/, /^emulator\//, /^tridion-sites-emulator$/];

function testFiles(dir = path.join(root, "tests")) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith(".test.ts") ? [path.relative(root, full).split(path.sep).join("/")] : [];
  });
}

/** Import specifiers of a TypeScript file: `import ... from`, `import(...)`, `require(...)`. */
function specifiers(file) {
  const text = fs.readFileSync(path.join(root, file), "utf8");
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*|^import\s+)["']([^"']+)["']/gm)].map((m) => m[1]);
}

/** A relative specifier as a repository path (with its .ts file), or the package name as is. */
function resolve(from, specifier) {
  if (!specifier.startsWith(".")) return specifier;
  const base = path.join(path.dirname(from), specifier).split(path.sep).join("/");
  for (const candidate of [`${base}.ts`, `${base}/index.ts`, base]) {
    if (fs.existsSync(path.join(root, candidate)) && fs.statSync(path.join(root, candidate)).isFile()) return candidate;
  }
  return base;
}

/** Every module a test file reaches through the tests' own modules (provider and emulator sources are not followed). */
function reach(file) {
  const seen = new Set([file]);
  const queue = [file];
  while (queue.length) {
    const current = queue.shift();
    for (const specifier of specifiers(current)) {
      const target = resolve(current, specifier);
      if (seen.has(target)) continue;
      seen.add(target);
      if (target.startsWith("tests/") && target.endsWith(".ts")) queue.push(target);
    }
  }
  return seen;
}

/** Runs a Go-built tool (the SDK generators): minutes on a cold build cache, like the CLI. */
const RUNS_GO_TOOLS = /scripts["'/, ]+sdk-gen\.js/;

function tierOf(file) {
  const reached = [...reach(file)];
  if (reached.some((m) => NEEDS_CLI.some((re) => re.test(m)))) return "e2e";
  if (
    reached.some(
      (m) => m.endsWith(".ts") && fs.existsSync(path.join(root, m)) && RUNS_GO_TOOLS.test(fs.readFileSync(path.join(root, m), "utf8")),
    )
  )
    return "e2e";
  if (reached.some((m) => NEEDS_EMULATOR.some((re) => re.test(m)))) return "emulator";
  return "unit";
}

function main() {
  const [tier] = process.argv.slice(2);
  const files = testFiles().sort();
  if (tier === "--list") {
    for (const file of files) console.log(`${tierOf(file).padEnd(8)} ${file}`);
    return 0;
  }
  if (!TIERS.includes(tier)) {
    console.error(`usage: node scripts/test-tier.js ${TIERS.join("|")}|--list`);
    return 2;
  }
  const chosen = files.filter((file) => tierOf(file) === tier);
  console.log(`${tier}: ${chosen.length} test files`);
  const ava = path.join(root, "node_modules", "ava", "entrypoints", "cli.mjs");
  const result = spawnSync(process.execPath, [ava, ...process.argv.slice(3), ...chosen], { cwd: root, stdio: "inherit" });
  return result.status ?? 1;
}

process.exitCode = main();
