// Finds the real Pulumi CLI (building it offline when needed) and the environment an offline,
// file-backed Pulumi run needs. Shared by the demo, the end-to-end tests and the benchmarks.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export const repoRoot = path.resolve(__dirname, "..", fs.existsSync(path.join(__dirname, "..", "package.json")) ? "" : "..");

export interface PulumiCli {
  /** Folder holding `pulumi` (and `pulumi-language-nodejs` when it could be built). */
  binDir: string;
  /** True when `pulumi up` in a project folder can run (the Node.js language host is there). */
  hasLanguageHost: boolean;
}

let cached: PulumiCli | undefined;

/** Runs scripts/ensure-pulumi.sh: uses `pulumi` from PATH, else builds it once into a cache. */
export function obtainPulumiCli(log: (line: string) => void = () => undefined): PulumiCli {
  if (cached) return cached;
  log("Looking for the Pulumi CLI (the first run on a machine without it builds it from source; that takes several minutes)...");
  const out = execFileSync("bash", [path.join(repoRoot, "scripts", "ensure-pulumi.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const binDir = out.trim().split("\n").pop()!.trim();
  if (!fs.existsSync(path.join(binDir, "pulumi"))) {
    throw new Error(`scripts/ensure-pulumi.sh reported ${binDir}, but there is no pulumi binary in it.`);
  }
  cached = { binDir, hasLanguageHost: onPath("pulumi-language-nodejs", binDir) };
  return cached;
}

function onPath(program: string, binDir: string): boolean {
  const dirs = [binDir, ...(process.env.PATH ?? "").split(path.delimiter)];
  return dirs.some((dir) => dir && fs.existsSync(path.join(dir, program)));
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
    cli.binDir,
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
