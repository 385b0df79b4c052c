#!/usr/bin/env node
// The `pulumi-tridion` command (doctor, revoke-secret, delete-service-account). A committed file (not dist/cli/main.js
// itself), so that npm links the command even where the package is installed before it is built
// (a workspace's `npm ci`).
require("../dist/cli/main.js").run();
