// Command line of `npm run demo`.
import * as path from "path";
import { repoRoot } from "./pulumiEngine";

export type DemoAction = "up" | "preview" | "refresh" | "destroy";

export interface DemoOptions {
  action: DemoAction;
  once: boolean;
  /** Access Management's port. */
  port: number;
  /** The Add-ons Service's own port. */
  addonsPort: number;
  dataDir: string;
  /** The stack's name (its settings go to Pulumi.<stack>.yaml in the repository root). */
  stack: string;
}

const usage = `Usage: npm run demo -- [up|preview|refresh|destroy] [--once] [--port N] [--addons-port N] [--data-dir DIR] [--stack NAME]

  up        (default) deploy the quickstart; keeps the emulator up until Ctrl-C unless --once
  preview   show what \`up\` would change, refreshing from the emulator first (drift shows here)
  refresh   record what the emulator holds now in the Pulumi state
  destroy   remove everything the quickstart created
  --once           stop the emulator after the run
  --port N         Access Management's port (default 8765; 0 = any free port)
  --addons-port N  the Add-ons Service's own port (default 8766; 0 = any free port)
  --data-dir       where the emulator, the Pulumi state and its env file live (default .demo-data)
  --stack          the stack's name (default demo; its settings are Pulumi.<name>.yaml in the root)`;

export function parseArgs(argv: string[]): DemoOptions {
  const options: DemoOptions = {
    action: "up",
    once: false,
    port: 8765,
    addonsPort: 8766,
    dataDir: path.join(repoRoot, ".demo-data"),
    stack: "demo",
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "up" || arg === "preview" || arg === "refresh" || arg === "destroy") options.action = arg;
    else if (arg === "--once") options.once = true;
    else if (arg === "--port") options.port = Number(argv[++i]);
    else if (arg === "--addons-port") options.addonsPort = Number(argv[++i]);
    else if (arg === "--data-dir") options.dataDir = path.resolve(argv[++i] ?? "");
    else if (arg === "--stack") options.stack = argv[++i] ?? "";
    else if (arg === "--help" || arg === "-h") {
      console.log(usage);
      process.exit(0);
    } else {
      throw new Error(`Unknown argument ${arg}.\n${usage}`);
    }
  }
  if (!/^demo[\w.-]*$/.test(options.stack))
    throw new Error(`--stack takes a name that starts with "demo" (letters, digits, - _ .), got ${JSON.stringify(options.stack)}.`);
  for (const [flag, port] of [
    ["--port", options.port],
    ["--addons-port", options.addonsPort],
  ] as const) {
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${flag} takes a whole number from 0 to 65535.`);
  }
  if (options.port !== 0 && options.port === options.addonsPort) throw new Error("--port and --addons-port must differ.");
  return options;
}
