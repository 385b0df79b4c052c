#!/usr/bin/env node
// The `tridion-emulator` command. A committed file (not dist/cli.js itself), so that npm links
// the command even where the package is installed before it is built (a workspace's `npm ci`).
require("../dist/cli.js").run();
