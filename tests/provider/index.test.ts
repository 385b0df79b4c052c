// The public API of `pulumi-tridion` as a program sees it (built dist/, mocked engine): type
// tokens, outputs, the credentials input stored as a secret, a small __provider.
// In a child process: registering a dynamic resource serializes the shim, which needs Node
// builtins that AVA's worker threads lack.
import { execFile } from "node:child_process";
import * as path from "node:path";
import test from "ava";

const script = `
const pulumi = require("@pulumi/pulumi");
const records = [];
pulumi.runtime.setMocks({
  newResource: (args) => { records.push({ type: args.type, inputs: args.inputs }); return { id: args.name + "-id", state: { ...args.inputs, clientId: "cid", clientSecret: "generated-secret", addonId: "acme" } }; },
  call: () => ({}),
}, "proj", "stack", false);
const { AddonPackage, ClientCredentialUser, ServiceAccount } = require("pulumi-tridion");
const u = new ClientCredentialUser("u", { userName: "x", roles: ["Tridion.AddonService.Administrator"] });
const s = new ServiceAccount("s", { accountName: "x", roles: ["Tridion.AddonService.Administrator"] });
const a = new AddonPackage("a", { source: "/tmp/x", credentials: { clientId: u.clientId, clientSecret: u.clientSecret } });
setTimeout(async () => {
  const value = (o) => new Promise((resolve) => o.apply(resolve));
  process.stdout.write(JSON.stringify({
    records,
    credentialsSecret: await pulumi.isSecret(a.credentials),
    userClientId: await value(u.clientId),
    addonId: await value(a.addonId),
    saClientSecret: await value(s.clientSecret),
  }));
}, 1000);`;

test("AddonPackage, ClientCredentialUser, ServiceAccount: type tokens, outputs, secret credentials", async (t) => {
  const root = path.resolve(__dirname, "..", "..");
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ["-e", script], { cwd: root }, (err, out, stderr) => (err ? reject(new Error(stderr)) : resolve(out))),
  );
  const result = JSON.parse(stdout);
  t.deepEqual(
    result.records.map((r: { type: string }) => r.type),
    [
      "pulumi-nodejs:dynamic/tridion:ClientCredentialUser",
      "pulumi-nodejs:dynamic/tridion:ServiceAccount",
      "pulumi-nodejs:dynamic/tridion:AddonPackage",
    ],
  );
  for (const r of result.records) t.true(String(r.inputs.__provider).length < 4096);
  t.true(result.credentialsSecret, "AddonPackage stores credentials as a secret");
  t.is(result.userClientId, "cid");
  t.is(result.addonId, "acme");
  t.is(result.saClientSecret, "generated-secret");
});

test("a program that imports pulumi-tridion loads none of the engine side: no HTTP client, ZIP library, token client or proxy agent", async (t) => {
  const root = path.resolve(__dirname, "..", "..");
  // What @pulumi/pulumi loads itself (it brings proxy agents of its own) is not ours to count.
  const probe = `
require("@pulumi/pulumi");
const before = new Set(Object.keys(require.cache));
require("pulumi-tridion");
const engineOnly = /[\\\\/]node_modules[\\\\/](axios|archiver|yauzl|openid-client|http-proxy-agent|https-proxy-agent|proxy-from-env)[\\\\/]|[\\\\/]provider[\\\\/]dist[\\\\/](clients|http|packaging|config|dynamic)[\\\\/]/;
process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((file) => !before.has(file) && engineOnly.test(file))));`;
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ["-e", probe], { cwd: root }, (err, out, stderr) => (err ? reject(new Error(stderr)) : resolve(out))),
  );
  t.deepEqual(JSON.parse(stdout), [], "modules of the engine side a program loaded");
});
