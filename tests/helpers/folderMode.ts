// `pulumi` in a folder, as users run it: the commands of an example's README, one line at a time
// in bash (its exports and `cd`s carry over to the next line), with the real CLI and its Node.js
// language host on PATH. Emulator commands of the README (`npx tridion-emulator ...`) run in the
// background, as in the README's other terminal.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { obtainPulumiCli, repoRoot } from "../../demo/pulumiEngine";
import { runDetached } from "./processTree";

/** The ```sh blocks under a README heading (up to the next heading of the same level). */
export function readmeBlocks(readme: string, heading: string): string[][] {
  const text = fs.readFileSync(readme, "utf8");
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`${readme} has no "## ${heading}" section`);
  const rest = text.slice(start + heading.length + 5);
  const section = rest.slice(0, rest.search(/\n## |$/));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) =>
    m[1]
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#")),
  );
}

/**
 * A PATH for commands: a folder holding only Node.js >= 22 (the project's, so nothing else of the
 * repository leaks into a user's project), the Pulumi CLI with its language host, the
 * dynamic-provider shim of @pulumi/pulumi, and the system's PATH (npm, bash, ...).
 */
export function userPath(): string {
  const nodeDir = fs.mkdtempSync(path.join(os.tmpdir(), "tridion-node-"));
  fs.symlinkSync(path.join(repoRoot, "node_modules", "node", "bin", "node"), path.join(nodeDir, "node"));
  const cli = obtainPulumiCli();
  return [nodeDir, ...cli.pathDirs, path.join(repoRoot, "node_modules", "@pulumi", "pulumi"), process.env.PATH ?? ""].join(path.delimiter);
}

/** Offline Pulumi settings a user's shell would have (the README sets the backend and passphrase). */
export function shellEnvironment(home: string): Record<string, string> {
  fs.mkdirSync(home, { recursive: true });
  return {
    PATH: userPath(),
    HOME: home,
    PULUMI_HOME: path.join(home, ".pulumi"),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    npm_config_cache: path.join(os.homedir(), ".npm"), // the machine's npm cache: installs stay offline-friendly
    // .ci/run's mark, so it finds any process a test leaves behind.
    ...(process.env.TRIDION_CI_RUN ? { TRIDION_CI_RUN: process.env.TRIDION_CI_RUN } : {}),
  };
}

export interface LineResult {
  line: string;
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command in the shell's current state (its exports and directory), without changing it. */
export type Shell = (command: string) => Promise<LineResult>;

/**
 * Runs each line in bash, in `cwd`, with `env`; what a line exports (and where it `cd`s to) carries
 * over to the next. Stops at the first failing line unless `allowFailure` says otherwise. After
 * each line, `after` may assert on the world.
 */
export async function runLines(
  lines: string[],
  options: {
    cwd: string;
    env: Record<string, string>;
    after?: (result: LineResult, shell: Shell) => Promise<void> | void;
    timeoutMs?: number;
  },
): Promise<LineResult[]> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "tridion-shell-"));
  const envFile = path.join(stateDir, "env");
  const cwdFile = path.join(stateDir, "cwd");
  fs.writeFileSync(envFile, "");
  fs.writeFileSync(cwdFile, options.cwd);
  const results: LineResult[] = [];
  const prelude = `set -e\nsource ${JSON.stringify(envFile)}\ncd "$(cat ${JSON.stringify(cwdFile)})"\n`;
  const shell: Shell = async (command) => ({
    line: command,
    ...(await run("bash", ["-c", `${prelude}${command}\n`], { env: options.env, timeoutMs: 120_000 })),
  });
  try {
    for (const line of lines) {
      const script = `${prelude}${line}\nexport -p > ${JSON.stringify(envFile)}\npwd > ${JSON.stringify(cwdFile)}\n`;
      const result = await run("bash", ["-c", script], { env: options.env, timeoutMs: options.timeoutMs ?? 300_000 });
      const entry = { line, ...result };
      results.push(entry);
      if (result.code !== 0) {
        throw new Error(`\`${line}\` failed with exit code ${result.code}:\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
      }
      await options.after?.(entry, shell);
    }
    return results;
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

async function run(
  command: string,
  args: string[],
  options: { env: Record<string, string>; cwd?: string; timeoutMs: number },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await runDetached(command, args, options);
  return { code: code ?? -1, stdout, stderr };
}

export interface BackgroundEmulator {
  /** What the emulator printed at start: its URLs and bootstrap credentials. */
  info: { accessManagementUrl: string; addonsUrl: string; credentials: { admin: { clientId: string; clientSecret: string } } };
  stop(): Promise<void>;
}

/** Starts a README's `npx tridion-emulator ...` line in the background; resolves once it serves. */
export function startEmulatorLine(line: string, options: { cwd: string; env: Record<string, string> }): Promise<BackgroundEmulator> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", `exec ${line}`], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let out = "";
    let err = "";
    const stop = () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once("close", () => done());
        try {
          process.kill(-child.pid!, "SIGTERM");
        } catch {
          done();
        }
      });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString("utf8");
    });
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString("utf8");
      const newline = out.indexOf("\n");
      if (newline >= 0) resolve({ info: JSON.parse(out.slice(0, newline)), stop });
    });
    child.on("close", (code) => reject(new Error(`\`${line}\` exited (${code}) before serving: ${err}`)));
  });
}
