// The generated .NET SDK, as far as a machine without the .NET SDK and NuGet can check it (the
// regeneration test holds every byte of it to the schema): the package id, version and Pulumi
// reference of its project, one class per resource in the namespace the schema names, every
// schema property as an output, the secret outputs listed as secrets; and the C# example
// (examples/csharp) uses only classes and arguments that exist in it.
import * as fs from "node:fs";
import * as path from "node:path";
import test from "ava";
import { PLUGIN_SERVER, PROVIDER_VERSION, repoRoot, SDK_DIR } from "./sdkFiles";
import { packageSchema, RESOURCES, type PropertySpec } from "../../provider/plugin/schema";

const schema = packageSchema(PROVIDER_VERSION) as { name: string; language: { csharp: { rootNamespace: string } }; provider: { inputProperties: Record<string, PropertySpec> } };
const NAMESPACE = `${schema.language.csharp.rootNamespace}.Tridion`;
const DOTNET = path.join(SDK_DIR, "dotnet");
const cs = (file: string) => fs.readFileSync(path.join(DOTNET, file), "utf8");
const className = (token: string) => token.split(":").pop()!;

/** The names listed in a class's `AdditionalSecretOutputs = { "a", "b" }`. */
function secretOutputs(source: string): string[] {
  const block = /AdditionalSecretOutputs =\s*\{([^}]*)\}/.exec(source);
  return block ? [...block[1].matchAll(/"(\w+)"/g)].map((m) => m[1]).sort() : [];
}

/** The properties of `public sealed class <name>` (up to the next class), by their C# names. */
function argsProperties(source: string, name: string): Set<string> {
  const start = source.indexOf(`public sealed class ${name} `);
  if (start < 0) return new Set();
  const end = source.indexOf("public sealed class ", start + 1);
  const body = source.slice(start, end < 0 ? undefined : end);
  return new Set([...body.matchAll(/^\s*public (?:Input|InputList|InputMap|InputUnion)\b[^\n]*? (\w+)\s*(?:\{|$)/gm)].map((m) => m[1]));
}

test("the .NET SDK project: package id, version, the Pulumi package and the plugin it asks for", (t) => {
  const projects = fs.readdirSync(DOTNET).filter((f) => f.endsWith(".csproj"));
  t.deepEqual(projects, [`${NAMESPACE}.csproj`]); // the package id is the project's name
  const project = cs(projects[0]);
  t.regex(project, new RegExp(`<Version>${PROVIDER_VERSION.replace(/\./g, "\\.")}</Version>`));
  t.regex(project, /<PackageReference Include="Pulumi" Version="3\.\*" \/>/);
  t.regex(project, /<PackageLicenseExpression>Apache-2\.0<\/PackageLicenseExpression>/);
  t.deepEqual(JSON.parse(cs("pulumi-plugin.json")), { resource: true, name: "tridion", version: PROVIDER_VERSION, server: PLUGIN_SERVER });
  t.is(cs("version.txt"), PROVIDER_VERSION);
  // The icon is drawn by the generator, never downloaded: a PNG.
  t.deepEqual([...fs.readFileSync(path.join(DOTNET, "logo.png")).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
});

test("the .NET SDK has one class per resource, every output of the schema, and keeps the secret ones secret", (t) => {
  for (const [token, resource] of Object.entries(RESOURCES)) {
    const name = className(token);
    const source = cs(path.join("Tridion", `${name}.cs`));
    t.regex(source, new RegExp(`namespace ${NAMESPACE.replace(/\./g, "\\.")}\\n`), name);
    t.regex(source, new RegExp(`\\[TridionResourceType\\("${token}"\\)\\]\\s*public partial class ${name} : global::Pulumi\\.CustomResource`));
    for (const property of Object.keys(resource.properties)) t.true(source.includes(`[Output("${property}")]`), `${name}.${property}`);
    const secrets = Object.entries(resource.properties)
      .filter(([, spec]) => spec.secret)
      .map(([property]) => property)
      .sort();
    t.true(secrets.length > 0, name);
    t.deepEqual(secretOutputs(source), secrets, `${name}'s secret outputs`);
    const inputs = argsProperties(source, `${name}Args`);
    for (const input of Object.keys(resource.inputProperties)) t.true(inputs.has(input.charAt(0).toUpperCase() + input.slice(1)), `${name}Args.${input}`);
  }
  // The provider's secret settings are wrapped as secrets when set.
  const provider = cs(path.join("Tridion", "Provider.cs"));
  t.regex(provider, /public partial class Provider : global::Pulumi\.ProviderResource/);
  for (const [setting, spec] of Object.entries(schema.provider.inputProperties).filter(([, s]) => s.secret)) {
    const setter = new RegExp(`\\[Input\\("${setting}"\\)\\]\\s*private Input<\\w+>\\? _${setting};[\\s\\S]*?Output\\.CreateSecret`);
    t.regex(provider, setter, `${setting} (${spec.type})`);
  }
});

test("examples/csharp references the SDK project and uses only its classes and arguments", (t) => {
  const example = path.join(repoRoot, "examples", "csharp");
  const project = fs.readFileSync(path.join(example, "TridionQuickstart.csproj"), "utf8");
  const reference = /<ProjectReference Include="([^"]+)"/.exec(project)?.[1];
  t.truthy(reference);
  t.true(fs.existsSync(path.resolve(example, reference!)), `${reference} does not exist`);
  t.is(path.resolve(example, reference!), path.join(DOTNET, `${NAMESPACE}.csproj`));

  const program = fs.readFileSync(path.join(example, "Program.cs"), "utf8");
  for (const [, ns] of program.matchAll(/^using (Tridion\.[\w.]+);/gm))
    t.true(ns === NAMESPACE || fs.existsSync(path.join(DOTNET, "Tridion", ns.slice(NAMESPACE.length + 1))), `namespace ${ns}`);
  // Every `new XArgs { A = ..., B = ... }`: each A, B is a property of XArgs in the SDK.
  const sources = [...fs.readdirSync(path.join(DOTNET, "Tridion"), { recursive: true })]
    .filter((f) => String(f).endsWith(".cs"))
    .map((f) => fs.readFileSync(path.join(DOTNET, "Tridion", String(f)), "utf8"))
    .join("\n");
  const constructed = [...program.matchAll(/new (\w+Args)\s*\{/g)];
  t.deepEqual(constructed.map((m) => m[1]).sort(), ["AddonPackageArgs", "ClientCredentialUserArgs", "CredentialsArgs"]);
  for (const m of constructed) {
    const known = argsProperties(sources, m[1]);
    let depth = 0;
    let body = "";
    for (const ch of program.slice(m.index! + m[0].length - 1)) {
      depth += ch === "{" ? 1 : ch === "}" ? -1 : 0;
      body += ch;
      if (depth === 0) break;
    }
    // The object initializer's own assignments: nested initializers taken out first.
    let own = body.slice(1, -1);
    while (/\{[^{}]*\}/.test(own)) own = own.replace(/\{[^{}]*\}/g, "");
    const assigned = [...own.matchAll(/^\s*(\w+) = /gm)].map((a) => a[1]);
    t.true(assigned.length > 0, m[1]);
    for (const name of assigned) t.true(known.has(name), `${m[1]}.${name} is not in the SDK`);
  }
  for (const [, resource] of program.matchAll(/new (\w+)\("[^"]*", new \1Args/g)) t.regex(sources, new RegExp(`public partial class ${resource} : global::Pulumi\\.CustomResource`));
  for (const [, output] of program.matchAll(/(?:deployer|addon)\.(\w+)/g)) t.regex(sources, new RegExp(`public Output<[^>]+>+ ${output} \\{`), output);
});
