// The dependency rules of the two packages (`npm run lint:deps`, part of `npm test`): no import
// cycles, and layers that point one way. In the provider:
//   errors  <-  config  <-  http  <-  clients  <-  resources  <-  dynamic
//                                          ^-- cli                 ^-- plugin
// (errors is the leaf: the error type and secret redaction; packaging is a room of its own that
// only resources use; cli, the `pulumi-tridion` commands, uses clients, config, http and errors,
// and nothing imports it; plugin, the `pulumi-resource-tridion` provider plugin, serves the same
// engines as dynamic, uses resources, config, clients and errors, and nothing imports it). The
// emulator and the provider share nothing but the contract package (contract/,
// `tridion-sites-contract`: routes, the Add-ons role matrix, the predefined accounts, as data),
// which both declare as a dependency and which imports nothing.
/** The program side of the resources: what `import { AddonPackage } from "pulumi-tridion"` loads. */
const PROGRAM_SIDE = "^provider/(index\\.ts$|resources/(shim|kinds|resourceOptions|ownership|[^/]+/program)\\.ts$)";

const layer = (name, mayNotUse) => ({
  name: `${name}-layer`,
  comment: `provider/${name} may not depend on ${mayNotUse.join(", ")}: dependencies point one way (errors <- config <- http <- clients <- resources <- dynamic | plugin; clients <- cli).`,
  severity: "error",
  from: { path: `^provider/${name}/` },
  to: { path: `^provider/(${mayNotUse.join("|")})/` },
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "An import cycle: split the module, or move what both need one layer down.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    layer("errors", ["config", "http", "clients", "resources", "dynamic", "plugin", "packaging", "cli"]),
    layer("config", ["http", "clients", "resources", "dynamic", "plugin", "packaging", "cli"]),
    layer("http", ["clients", "resources", "dynamic", "plugin", "packaging", "cli"]),
    layer("clients", ["resources", "dynamic", "plugin", "packaging", "cli"]),
    layer("packaging", ["config", "http", "clients", "resources", "dynamic", "plugin", "cli"]),
    {
      ...layer("resources", ["dynamic", "plugin", "cli"]),
      from: { path: "^provider/resources/", pathNot: "^provider/resources/shim\\.ts$" },
    },
    layer("dynamic", ["plugin", "cli"]),
    layer("plugin", ["dynamic", "cli", "http", "packaging"]),
    {
      name: "plugin-is-a-leaf",
      comment:
        "Nothing imports provider/plugin: the engine runs it as a process (provider/bin/pulumi-resource-tridion runs dist/plugin/main.js).",
      severity: "error",
      from: { pathNot: "^(provider/plugin/|tests/)" },
      to: { path: "^provider/plugin/" },
    },
    {
      name: "program-side-is-light",
      comment:
        "The classes a Pulumi program constructs (resources/*/program.ts, the shim, resource options, ownership keys) load @pulumi/pulumi and each other only: never the engine side (clients, HTTP, packaging, settings, the engines). The shim reaches pulumi-tridion/dynamic by require() at call time, in the engine's process: that late binding is the design.",
      severity: "error",
      from: { path: PROGRAM_SIDE, pathNot: "^provider/resources/shim\\.ts$" },
      to: {
        pathNot: [PROGRAM_SIDE, "^provider/errors/", "node_modules/@pulumi/pulumi/", "^node:|^(crypto|util)$"],
        dependencyTypesNot: ["type-only"],
      },
    },
    {
      name: "shim-binds-late",
      comment: "The serialized shim loads nothing but @pulumi/pulumi's types and, at call time, pulumi-tridion/dynamic.",
      severity: "error",
      from: { path: "^provider/resources/shim\\.ts$" },
      to: {
        pathNot: ["^provider/dynamic/index\\.ts$", "^provider/resources/kinds\\.ts$", "node_modules/@pulumi/pulumi/"],
        dependencyTypesNot: ["type-only"],
      },
    },
    layer("cli", ["resources", "dynamic", "plugin", "packaging"]),
    {
      name: "cli-is-a-leaf",
      comment: "Nothing imports provider/cli: the commands run from provider/bin/pulumi-tridion.js.",
      severity: "error",
      from: { pathNot: "^(provider/cli/|provider/bin/|tests/)" },
      to: { path: "^provider/cli/" },
    },
    {
      name: "contract-is-data",
      comment: "contract/ (tridion-sites-contract) is data both packages read: it imports nothing, not even Node's modules.",
      severity: "error",
      from: { path: "^contract/" },
      to: { pathNot: "^contract/" },
    },
    {
      name: "emulator-apart",
      comment: "The emulator shares nothing with the provider (and the other way round) but the contract package (contract/).",
      severity: "error",
      from: { path: "^(emulator|provider)/" },
      to: { path: "^(emulator|provider)/", pathNot: "$1" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|node_modules)/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
  },
};
