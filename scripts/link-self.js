#!/usr/bin/env node
// In this repository the examples and the demo `require("pulumi-tridion")` exactly as a user's
// program would. The serialized dynamic provider resolves packages from the program's
// node_modules (it cannot use Node's package self-reference), so link the repo into its own
// node_modules. Skipped when the package is installed as somebody's dependency.
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
if (root.split(path.sep).includes("node_modules")) process.exit(0);
const link = path.join(root, "node_modules", "pulumi-tridion");
try {
  if (fs.realpathSync(link) === fs.realpathSync(root)) process.exit(0);
  fs.rmSync(link, { recursive: true, force: true });
} catch { /* not there yet */ }
fs.mkdirSync(path.dirname(link), { recursive: true });
fs.symlinkSync("..", link, "dir");
