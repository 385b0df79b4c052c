// `pulumi-resource-tridion`: the provider plugin's entry point (provider/bin/pulumi-resource-tridion
// runs it). The engine starts it with its own address as the first argument and reads the port
// from the first line of stdout: nothing may be printed before it.
import * as fs from "node:fs";
import * as path from "node:path";
import { serve } from "./server";

/**
 * Set by `npm run plugin:pack` (scripts/pack-plugin.js), which bundles this program into one file:
 * the version, written in at build time, since no package.json travels with the bundle.
 */
declare const PULUMI_TRIDION_BUNDLED_VERSION: string | undefined;

/** The provider package's version (dist/plugin/main.js and plugin/main.ts both sit two levels below a package.json of ours). */
function providerVersion(): string {
  if (typeof PULUMI_TRIDION_BUNDLED_VERSION === "string") return PULUMI_TRIDION_BUNDLED_VERSION;
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
    if (pkg.name === "pulumi-tridion" && pkg.version) return pkg.version;
  }
  return "0.0.0";
}

async function main(): Promise<void> {
  // Warnings (clients/engineLog.ts) reach the user through the engine's log service, whose
  // address the engine passes as the first argument.
  const engine = process.argv[2];
  if (engine && /^[\w.[\]:-]+:\d+$/.test(engine)) process.env.PULUMI_TRIDION_ENGINE_ADDRESS = engine;
  const { port } = await serve({ version: providerVersion() });
  process.stdout.write(`${port}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`pulumi-resource-tridion could not start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
