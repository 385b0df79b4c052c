/**
 * Benchmark: a no-change `preview` of BENCH_PREVIEW_RESOURCES (default 50) AddonPackages through
 * the `tridion` provider plugin (a Pulumi YAML program, the real CLI and YAML language host),
 * against the same preview of as many AddonPackages through the dynamic resources (a TypeScript
 * inline program), on one emulator, taking turns, BENCH_PULUMI_REPS (default 3) each, medians.
 *
 *   npm run build && node --require ts-node/register/transpile-only bench/run.ts plugin
 */
import { alternate, envNumber, log, median, round, timed } from "./common";
import { startEmulatorProcess } from "./emulatorProcess";
import { addonFolders, addonsProgram, openBenchStack, removeBenchStack, tridionConfig, type BenchStack } from "./pulumiStacks";
import { openYamlProject, type YamlProject } from "../tests/helpers/yamlProject";
import * as path from "node:path";

export interface PluginBenchResult {
  resources: number;
  reps: number;
  /** median seconds */
  dynamicPreviewSeconds: number;
  pluginPreviewSeconds: number;
  /** plugin / dynamic */
  ratio: number;
  /** Changes either preview showed (none expected). */
  changesSeen: { dynamic: Record<string, number>; plugin: boolean };
}

/** The YAML program of `addonsProgram`: the same add-ons, the same configuration. */
function yamlAddons(folders: string[]) {
  return {
    resources: Object.fromEntries(
      folders.map((source) => [
        path.basename(source),
        {
          type: "tridion:AddonPackage",
          properties: {
            source,
            configuration: { configuration: { AcmeEventHandler: { threshold: 5 } }, sitesCm: { isEnabled: true } },
            activationTimeoutSeconds: 60,
          },
        },
      ]),
    ),
  };
}

export async function benchPlugin(): Promise<PluginBenchResult> {
  const resources = envNumber("BENCH_PREVIEW_RESOURCES", 50);
  const reps = envNumber("BENCH_PULUMI_REPS", 3);
  const emulator = await startEmulatorProcess(["--activation-delay-ms", "100"]);
  let dynamic: BenchStack | undefined;
  let yaml: YamlProject | undefined;
  try {
    // Add-on ids are unique on the service: each face gets its own set (same files, other ids).
    dynamic = await openBenchStack("plugin-dynamic", addonsProgram(addonFolders("bench-dyn", resources)), tridionConfig(emulator));
    yaml = await openYamlProject("bench-plugin-yaml", { env: { TRIDION_POLL_INTERVAL_MS: process.env.TRIDION_POLL_INTERVAL_MS ?? "100" } });
    yaml.writeProgram(yamlAddons(addonFolders("bench-yaml", resources)));
    await yaml.initStack("bench", tridionConfig(emulator));
    log(`plugin: deploying ${resources} AddonPackages through each face (setup, not timed)`);
    await dynamic.stack.up({ color: "never" });
    await yaml.pulumi(["up", "--yes", "--color", "never"]);

    const dynamicStack = dynamic.stack;
    const pluginProject = yaml;
    let dynamicChanges: Record<string, number> = {};
    let pluginChanged = false;
    log(`plugin: ${reps} alternating timed previews each`);
    const { reference, subject } = await alternate(
      reps,
      async () => {
        const { seconds, value } = await timed(() => dynamicStack.preview({ color: "never" }));
        dynamicChanges = Object.fromEntries(Object.entries(value.changeSummary).filter(([op, n]) => op !== "same" && n > 0));
        return seconds;
      },
      async () => {
        const { seconds, value } = await timed(() =>
          pluginProject.pulumi(["preview", "--expect-no-changes", "--color", "never"], { allowFailure: true }),
        );
        pluginChanged ||= value.code !== 0;
        return seconds;
      },
    );
    log("plugin: destroying the stacks");
    await dynamic.stack.destroy({ color: "never" });
    await yaml.pulumi(["destroy", "--yes", "--color", "never"]);
    return {
      resources,
      reps,
      dynamicPreviewSeconds: round(median(reference)),
      pluginPreviewSeconds: round(median(subject)),
      ratio: round(median(subject) / median(reference)),
      changesSeen: { dynamic: dynamicChanges, plugin: pluginChanged },
    };
  } finally {
    await emulator.stop();
    if (dynamic) removeBenchStack(dynamic);
    yaml?.remove();
  }
}

if (require.main === module) {
  benchPlugin()
    .then((result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
