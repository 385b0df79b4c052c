// Pulumi YAML as its users run it: the real CLI and Pulumi's YAML language host
// (`pulumi-language-yaml`, which scripts/ensure-pulumi.sh provides beside `pulumi`), a program
// folder outside the repository with its own backend and Pulumi home, and the `tridion` provider
// plugin installed there from its tarball (`npm run plugin:pack`, then `pulumi plugin install
// resource tridion <version> --file <tarball>`, as the README tells users). Every command runs in
// a session of its own, so no plugin outlives it.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { obtainPulumiCli, pulumiEnvironment } from "../../demo/pulumiEngine";
import { pluginTarball, PLUGIN_VERSION } from "./pluginTarball";
import { runDetached } from "./processTree";

export const YAML_HOST = "pulumi-language-yaml";

/** The folder holding Pulumi's YAML language host: beside the CLI, or on PATH; else a clear error. */
export function yamlHostDir(pathDirs: string[]): string {
  const dirs = [...pathDirs, ...(process.env.PATH ?? "").split(path.delimiter)].filter(Boolean);
  const found = dirs.find((dir) => {
    try {
      fs.accessSync(path.join(dir, YAML_HOST), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!found) {
    throw new Error(
      `Pulumi YAML programs need Pulumi's YAML language host, and no ${YAML_HOST} is beside the CLI (${pathDirs.join(path.delimiter)}) or on PATH. ` +
        "Fix: run `bash scripts/ensure-pulumi.sh` (it provides the language hosts beside `pulumi`), or put a directory holding pulumi-language-yaml on PATH.",
    );
  }
  return found;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr as they arrived. */
  output: string;
}

export interface StoredResource {
  urn: string;
  type: string;
  id?: string;
  provider?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface YamlProject {
  /** The program folder (outside the repository). */
  dir: string;
  /** The environment every command runs with (holds the passphrase: never print it). */
  env: Record<string, string>;
  /** The plugin's tarball, installed into the project's Pulumi home. */
  tarball: string;
  /** Writes Pulumi.yaml: the project's name, `runtime: yaml`, and the program's sections (JSON is YAML). */
  writeProgram(program: Record<string, unknown>): void;
  /** `pulumi <args>` in the folder; fails (with the CLI's output) on a non-zero exit unless `allowFailure`. */
  pulumi(args: string[], options?: { allowFailure?: boolean; input?: string; timeoutMs?: number }): Promise<CommandResult>;
  /** `pulumi stack init` (or select) and `pulumi config set` of each value; secrets with --secret, from stdin. */
  initStack(stack: string, config: Record<string, { value: string; secret?: boolean }>): Promise<void>;
  /** `pulumi stack export` as a user runs it (no --show-secrets): the state as anyone holding it reads it. */
  exportStack(): Promise<{ text: string; resources: StoredResource[] }>;
  /** The state's resources as `type::name`, the stack and the providers left out, sorted. */
  declaredInState(): Promise<string[]>;
  /** `pulumi stack output --json` (secrets shown as "[secret]"). */
  outputs(showSecrets?: boolean): Promise<Record<string, unknown>>;
  remove(): void;
}

/**
 * A fresh YAML project in a temp folder outside the repository, with its own file backend, Pulumi
 * home and passphrase, the CLI and the YAML language host on PATH, and the plugin installed from
 * its tarball. Extra environment (e.g. TRIDION_POLL_INTERVAL_MS) goes in `env`.
 */
export async function openYamlProject(name: string, options: { env?: Record<string, string> } = {}): Promise<YamlProject> {
  const cli = obtainPulumiCli();
  const hostDir = yamlHostDir(cli.pathDirs);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tridion-yaml-"));
  const passphrase = crypto.randomBytes(18).toString("base64url");
  const base = pulumiEnvironment(cli, path.join(dir, ".pulumi"), passphrase);
  const env: Record<string, string> = {
    ...base,
    PATH: cli.pathDirs.includes(hostDir) ? base.PATH : `${base.PATH}${path.delimiter}${hostDir}`,
    HOME: dir,
    // Fast polling and retries: the emulator answers at once (the defaults suit real services).
    TRIDION_POLL_INTERVAL_MS: "50",
    TRIDION_RETRY_BASE_DELAY_MS: "20",
    PULUMI_TRIDION_CACHE_DIR: path.join(dir, ".package-cache"),
    ...(process.env.TRIDION_CI_RUN ? { TRIDION_CI_RUN: process.env.TRIDION_CI_RUN } : {}),
    ...options.env,
  };
  const pulumi: YamlProject["pulumi"] = async (args, opts = {}) => {
    const run = await runDetached(cli.binDir + path.sep + "pulumi", [...args, "--non-interactive"], {
      env: env,
      cwd: dir,
      timeoutMs: opts.timeoutMs ?? 300_000,
      input: opts.input,
    });
    const result = { code: run.code ?? -1, stdout: run.stdout, stderr: run.stderr, output: run.output };
    if (result.code !== 0 && !opts.allowFailure) {
      throw new Error(`\`pulumi ${args.join(" ")}\` failed with exit code ${result.code}:\n${result.output.slice(-6000)}`);
    }
    return result;
  };

  const tarball = await pluginTarball();
  await pulumi(["plugin", "install", "resource", "tridion", PLUGIN_VERSION, "--file", tarball]);

  const project: YamlProject = {
    dir,
    env,
    tarball,
    writeProgram(program) {
      const doc = { name, runtime: "yaml", ...program };
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), JSON.stringify(doc, null, 2) + "\n");
    },
    pulumi,
    async initStack(stack, config) {
      if (!fs.existsSync(path.join(dir, "Pulumi.yaml"))) project.writeProgram({});
      const selected = await pulumi(["stack", "select", stack], { allowFailure: true });
      if (selected.code !== 0) await pulumi(["stack", "init", stack]);
      for (const [key, { value, secret }] of Object.entries(config)) {
        await pulumi(["config", "set", ...(secret ? ["--secret"] : []), key], { input: value });
      }
    },
    async exportStack() {
      const { stdout } = await pulumi(["stack", "export"]);
      const parsed = JSON.parse(stdout) as { deployment?: { resources?: StoredResource[] } };
      return { text: stdout, resources: parsed.deployment?.resources ?? [] };
    },
    async declaredInState() {
      const { resources } = await project.exportStack();
      return resources
        .filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"))
        .map((r) => `${r.type}::${r.urn.split("::").pop()}`)
        .sort();
    },
    async outputs(showSecrets = false) {
      const { stdout } = await pulumi(["stack", "output", "--json", ...(showSecrets ? ["--show-secrets"] : [])]);
      return JSON.parse(stdout || "{}") as Record<string, unknown>;
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
  return project;
}

/** Every key named `key` anywhere in a JSON value, as paths (e.g. "$.resources[2].inputs.__provider"). */
export function keyPaths(value: unknown, key: string, at = "$"): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keyPaths(v, key, `${at}[${i}]`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => [...(k === key ? [`${at}.${k}`] : []), ...keyPaths(v, key, `${at}.${k}`)]);
  }
  return [];
}
