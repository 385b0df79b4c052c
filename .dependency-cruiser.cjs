// The dependency rules of the two packages (`npm run lint:deps`, part of `npm test`): no import
// cycles, and layers that point one way. In the provider:
//   errors  <-  config  <-  http  <-  clients  <-  resources  <-  dynamic
//                                          ^-- cli
// (errors is the leaf: the error type and secret redaction; packaging is a room of its own that
// only resources use; cli, the `pulumi-tridion` commands, uses clients, config, http and errors,
// and nothing imports it). The emulator and the provider share nothing but the contract package
// (contract/, `tridion-sites-contract`: routes, the Add-ons role matrix, the predefined accounts,
// as data), which both declare as a dependency and which imports nothing.
const layer = (name, mayNotUse) => ({
  name: `${name}-layer`,
  comment: `provider/${name} may not depend on ${mayNotUse.join(", ")}: dependencies point one way (errors <- config <- http <- clients <- resources <- dynamic; clients <- cli).`,
  severity: "error",
  from: { path: `^provider/${name}/` },
  to: { path: `^provider/(${mayNotUse.join("|")})/` },
});

module.exports = {
  forbidden: [
    // resources/shim.ts is what Pulumi stores in `__provider`: it require()s pulumi-tridion/dynamic
    // when the engine calls it, from the installed package. That late binding is the design (state
    // never carries stale code), not a dependency of the module.
    {
      name: "no-circular",
      comment: "An import cycle: split the module, or move what both need one layer down.",
      severity: "error",
      from: {},
      to: { circular: true, viaNot: "^provider/resources/shim\\.ts$" },
    },
    layer("errors", ["config", "http", "clients", "resources", "dynamic", "packaging", "cli"]),
    layer("config", ["http", "clients", "resources", "dynamic", "packaging", "cli"]),
    layer("http", ["clients", "resources", "dynamic", "packaging", "cli"]),
    layer("clients", ["resources", "dynamic", "packaging", "cli"]),
    layer("packaging", ["config", "http", "clients", "resources", "dynamic", "cli"]),
    { ...layer("resources", ["dynamic", "cli"]), from: { path: "^provider/resources/", pathNot: "^provider/resources/shim\\.ts$" } },
    layer("dynamic", ["cli"]),
    layer("cli", ["resources", "dynamic", "packaging"]),
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
