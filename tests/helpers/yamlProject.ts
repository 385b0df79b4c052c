// Pulumi YAML as its users run it: the real CLI and Pulumi's YAML language host
// (`pulumi-language-yaml`), a program folder outside the repository with its own backend and
// Pulumi home, and the `tridion` provider plugin. The plugin comes from its tarball
// (`npm run plugin:pack`, installed with `pulumi plugin install resource tridion <version> --file`
// into the project's own Pulumi home) when the repository can pack it; a repository without that script points the program at
// `provider/bin` (`plugins: providers:` in Pulumi.yaml), as the README's development setup does.
// Every command runs in a session of its own, so no plugin outlives it.
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { obtainPulumiCli, pulumiEnvironment, repoRoot } from "../../demo/pulumiEngine";
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

/** The provider package's version (the plugin's version). */
export function providerVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(repoRoot, "provider", "package.json"), "utf8")) as { version: string }).version;
}

/** Pulumi's names for this machine's platform, as the plugin tarballs carry them. */
function platform(): { os: string; arch: string } {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  return { os: process.platform === "win32" ? "windows" : process.platform, arch };
}

/** Whether the repository packs the plugin (`npm run plugin:pack`). */
export function canPackPlugin(): boolean {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { scripts?: Record<string, string> };
  return Boolean(pkg.scripts?.["plugin:pack"]);
}

/** The newest modification time of a file or of anything in a folder (node_modules left out). */
function newestMtime(file: string): number {
  if (!fs.existsSync(file)) return 0;
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(file, { withFileTypes: true })) {
    if (entry.name !== "node_modules") newest = Math.max(newest, newestMtime(path.join(file, entry.name)));
  }
  return newest;
}

/** What the plugin's tarball is built from: the provider and contract sources, and the packing script. */
const PLUGIN_INPUTS = ["provider", "contract", path.join("scripts", "pack-plugin.js")];

/**
 * The plugin's tarball for this machine, packed once per change: `npm run plugin:pack` runs when
 * the tarball is missing or older than what it is built from. Test files run in parallel
 * processes, so one packs while the others wait on a lock folder.
 */
export function pluginTarball(): string {
  const { os: osName, arch } = platform();
  const tarball = path.join(repoRoot, "dist", "plugin", `pulumi-resource-tridion-v${providerVersion()}-${osName}-${arch}.tar.gz`);
  const fresh = () =>
    fs.existsSync(tarball) && fs.statSync(tarball).mtimeMs >= Math.max(...PLUGIN_INPUTS.map((p) => newestMtime(path.join(repoRoot, p))));
  if (fresh()) return tarball;
  if (!canPackPlugin()) {
    throw new Error(
      `${tarball} is missing (or older than the provider's sources), and this repository has no \`npm run plugin:pack\` to write it.`,
    );
  }
  const lock = path.join(repoRoot, "dist", ".plugin-pack.lock");
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`${lock} has been held for 10 minutes: remove it if no \`npm run plugin:pack\` is running.`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    if (!fresh()) {
      execFileSync("npm", ["run", "--silent", "plugin:pack"], {
        cwd: repoRoot,
        env: { ...process.env, PATH: `${path.join(repoRoot, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}` },
        stdio: ["ignore", "ignore", "pipe"],
        maxBuffer: 64 << 20,
      });
    }
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
  if (!fs.existsSync(tarball)) throw new Error(`\`npm run plugin:pack\` ran, and ${tarball} is not there.`);
  return tarball;
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
  /** How the plugin reaches the engine: installed from its tarball, or a path in Pulumi.yaml. */
  plugin: { kind: "tarball"; tarball: string } | { kind: "path"; dir: string };
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
 * home and passphrase, the CLI and the YAML language host on PATH, and the plugin installed (or
 * pointed at). Extra environment (e.g. TRIDION_POLL_INTERVAL_MS) goes in `env`.
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

  let plugin: YamlProject["plugin"];
  if (canPackPlugin()) {
    const tarball = pluginTarball();
    plugin = { kind: "tarball", tarball };
    await pulumi(["plugin", "install", "resource", "tridion", providerVersion(), "--file", tarball]);
  } else {
    plugin = { kind: "path", dir: path.join(repoRoot, "provider", "bin") };
  }

  const project: YamlProject = {
    dir,
    env,
    plugin,
    writeProgram(program) {
      const doc = {
        name,
        runtime: "yaml",
        ...(plugin.kind === "path" ? { plugins: { providers: [{ name: "tridion", path: plugin.dir }] } } : {}),
        ...program,
      };
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
