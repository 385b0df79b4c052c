// Smoke test for the real engine: an Automation API inline program with one dynamic resource
// whose provider does nothing, against the file backend that the environment names.
// Usage: node smoke-inline.js <dir holding pulumi> <workDir>
// Run it with the repo (or a folder below it) as the working directory: the engine starts the
// dynamic-provider shim there, and the shim resolves @pulumi/pulumi from it.
"use strict";
const path = require("path");
const pulumi = require("@pulumi/pulumi");
const { LocalWorkspace, PulumiCommand } = require("@pulumi/pulumi/automation");

const noopProvider = {
  async create(inputs) {
    return { id: "noop-1", outs: { ...inputs, made: true } };
  },
  async diff() {
    return { changes: false };
  },
  async delete() {},
};

function program() {
  const thing = new pulumi.dynamic.Resource(noopProvider, "thing", { greeting: "hi", made: undefined }, {}, "smoke", "Noop");
  return { made: thing.made };
}

function expect(condition, message) {
  if (!condition) throw new Error(`smoke test failed: ${message}`);
}

async function main() {
  const [binDir, workDir] = process.argv.slice(2);
  const pulumiCommand = await PulumiCommand.get({ root: path.dirname(binDir), skipVersionCheck: true });
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "inline", projectName: "smoke-inline", program },
    { workDir, pulumiCommand },
  );
  const up = await stack.up({ onOutput: (s) => process.stderr.write(s) });
  expect(up.summary.result === "succeeded", `up: ${up.summary.result}`);
  expect(up.outputs.made.value === true, "the dynamic provider's output did not reach the stack");
  const preview = await stack.preview();
  expect(!preview.changeSummary.create && !preview.changeSummary.update, "preview after up shows changes");
  const down = await stack.destroy({ onOutput: (s) => process.stderr.write(s) });
  expect(down.summary.result === "succeeded", `destroy: ${down.summary.result}`);
  console.log("inline program: up, preview (no changes), destroy: ok");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
