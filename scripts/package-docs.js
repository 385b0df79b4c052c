#!/usr/bin/env node
// `npm pack` of the provider package: its README and CHANGELOG are the repository's (one copy
// each, at the top level), copied in beside package.json so the tarball carries them.
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const pkg = process.cwd();
for (const name of ["README.md", "CHANGELOG.md"]) fs.copyFileSync(path.join(root, name), path.join(pkg, name));
