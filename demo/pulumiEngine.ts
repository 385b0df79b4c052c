// Finds the real Pulumi CLI (building it offline when needed) and the environment an offline,
// file-backed Pulumi run needs. Shared by the demo, the end-to-end tests and the benchmarks.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export const repoRoot = path.resolve(__dirname, "..", fs.existsSync(path.join(__dirname, "..", "package.json")) ? "" : "..");

export interface PulumiCli {
  /** Folder holding `pulumi`. */
  binDir: string;
  /** What to put on PATH: `binDir`, and the folder of the Node.js language host when it lives elsewhere. */
  pathDirs: string[];
}

let cached: PulumiCli | undefined;

/**
 * Runs scripts/ensure-pulumi.sh: uses `pulumi` (and its Node.js language host) from PATH, else
 * builds them once into a cache. Throws when either cannot be had.
 */
export function obtainPulumiCli(log: (line: string) => void = () => undefined): PulumiCli {
  if (cached) return cached;
  log("Looking for the Pulumi CLI (the first run on a machine without it builds it from source; that takes several minutes)...");
  const out = execFileSync("bash", [path.join(repoRoot, "scripts", "ensure-pulumi.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const pathDirs = out.trim().split("\n").pop()!.trim().split(path.delimiter).filter(Boolean);
  const binDir = pathDirs[0] ?? "";
  if (!fs.existsSync(path.join(binDir, "pulumi"))) {
    throw new Error(`scripts/ensure-pulumi.sh reported ${pathDirs.join(path.delimiter)}, but there is no pulumi binary in ${binDir}.`);
  }
  if (!pathDirs.some((dir) => fs.existsSync(path.join(dir, "pulumi-language-nodejs")))) {
    throw new Error(`scripts/ensure-pulumi.sh reported ${pathDirs.join(path.delimiter)}, but no pulumi-language-nodejs is there.`);
  }
  cached = { binDir, pathDirs };
  return cached;
}

/**
 * Environment for an offline Pulumi run with a file backend under `stateDir`: passphrase secrets,
 * no update checks, no plugin downloads, and a PATH that starts with the project's Node (>= 22),
 * the CLI and the dynamic-provider shim shipped inside @pulumi/pulumi.
 */
export function pulumiEnvironment(cli: PulumiCli, stateDir: string, passphrase: string): Record<string, string> {
  fs.mkdirSync(path.join(stateDir, "backend"), { recursive: true });
  fs.mkdirSync(path.join(stateDir, "home"), { recursive: true });
  const pathDirs = [
    path.join(repoRoot, "node_modules", ".bin"),
    ...cli.pathDirs,
    path.join(repoRoot, "node_modules", "@pulumi", "pulumi"),
    process.env.PATH ?? "",
  ];
  return {
    PATH: pathDirs.join(path.delimiter),
    PULUMI_BACKEND_URL: `file://${path.join(stateDir, "backend")}`,
    PULUMI_HOME: path.join(stateDir, "home"),
    PULUMI_CONFIG_PASSPHRASE: passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
  };
}
