// The generated Python SDK, as far as a machine without PyPI can check it: every module
// byte-compiles (on a copy: nothing compiled is left in sdk/), and its package metadata names the
// package, the provider's version and the `pulumi` dependency.
import * as fs from "node:fs";
import * as path from "node:path";
import test from "ava";
import { copyOfSdk, PLUGIN_SERVER, PROVIDER_VERSION, run, SDK_DIR } from "./sdkFiles";
import { packageSchema } from "../../provider/plugin/schema";

const PACKAGE = (packageSchema(PROVIDER_VERSION).language as { python: { packageName: string } }).python.packageName;

test("the Python SDK byte-compiles, and its pyproject.toml names the package, the version and pulumi", async (t) => {
  const copy = copyOfSdk("python");
  t.teardown(copy.remove);
  await run("python3", ["-m", "compileall", "-q", copy.dir]);
  const modules = fs.readdirSync(path.join(copy.dir, PACKAGE)).filter((f) => f.endsWith(".py"));
  t.true(modules.includes("addon_package.py") && modules.includes("client_credential_user.py") && modules.includes("service_account.py"));
  const compiled = fs.readdirSync(path.join(copy.dir, PACKAGE, "__pycache__"));
  for (const module of modules) t.true(compiled.some((f) => f.startsWith(`${module.replace(/\.py$/, "")}.`)), `${module} was not compiled`);

  const { stdout } = await run("python3", [
    "-c",
    "import json, sys, tomllib; print(json.dumps(tomllib.load(open(sys.argv[1], 'rb'))['project']))",
    path.join(SDK_DIR, "python", "pyproject.toml"),
  ]);
  const project = JSON.parse(stdout) as { name: string; version: string; dependencies: string[] };
  t.is(project.name, PACKAGE);
  t.is(project.version, PROVIDER_VERSION);
  t.true(
    project.dependencies.some((d) => /^pulumi>=3\.\d+\.\d+,<4\.0\.0$/.test(d)),
    `no pulumi>=3,<4 dependency in ${project.dependencies.join(", ")}`,
  );
  // The plugin the engine starts for this SDK's resources: `tridion` at the provider's version.
  const plugin = JSON.parse(fs.readFileSync(path.join(SDK_DIR, "python", PACKAGE, "pulumi-plugin.json"), "utf8"));
  t.deepEqual(plugin, { resource: true, name: "tridion", version: PROVIDER_VERSION, server: PLUGIN_SERVER });
  t.false(fs.existsSync(path.join(SDK_DIR, "python", PACKAGE, "__pycache__")));
});
