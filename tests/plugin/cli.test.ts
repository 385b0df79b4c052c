// The plugin with the real Pulumi CLI: the CLI starts the launcher and reads its schema
// (`pulumi package get-schema`), and Pulumi's own schema binder and Node.js code generator accept
// it (`pulumi package gen-sdk`): the SDK it writes names the three resources and keeps the secrets
// secret (the provider's clientSecret and proxy, an add-on's credentials, the identities'
// clientSecret).
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import test from "ava";
import { openWorkspace } from "../helpers/pulumi";
import { LAUNCHER } from "../helpers/pluginHost";
import { packageSchema } from "../../provider/plugin/schema";

const run = promisify(execFile);

test("pulumi package get-schema starts the plugin; gen-sdk binds its schema and keeps the secrets", async (t) => {
  const ws = await openWorkspace();
  t.teardown(() => ws.remove());
  const pulumi = (...args: string[]) =>
    run("pulumi", args, { cwd: ws.dir, env: { ...process.env, ...ws.env }, maxBuffer: 64 * 1024 * 1024 });

  const { stdout } = await pulumi("package", "get-schema", LAUNCHER);
  const version = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "provider", "package.json"), "utf8")).version as string;
  t.deepEqual(JSON.parse(stdout), JSON.parse(JSON.stringify(packageSchema(version))));

  const schemaFile = path.join(ws.dir, "schema.json");
  fs.writeFileSync(schemaFile, stdout);
  const out = path.join(ws.dir, "sdk");
  await pulumi("package", "gen-sdk", schemaFile, "--language", "nodejs", "--out", out);
  const sdk = (file: string) => fs.readFileSync(path.join(out, "nodejs", file), "utf8");
  t.regex(sdk("addonPackage.ts"), /"tridion:index:AddonPackage"/);
  t.regex(sdk("addonPackage.ts"), /additionalSecretOutputs: \["credentials"\]/);
  t.regex(sdk("addonPackage.ts"), /configuration\?: pulumi\.Input<\{\[key: string\]: any\} \| string/);
  t.regex(sdk("clientCredentialUser.ts"), /additionalSecretOutputs: \["clientSecret"\]/);
  t.regex(sdk("serviceAccount.ts"), /additionalSecretOutputs: \["clientSecret"\]/);
  t.regex(sdk("provider.ts"), /pulumi\.secret\(args\.clientSecret\)/);
  t.regex(sdk("provider.ts"), /pulumi\.secret\(args\.proxy\)/);
});
