// The `pulumi-tridion` command as users run it: the built bin (provider/bin/pulumi-tridion.js,
// which loads provider/dist) in a child process, in a folder outside any Pulumi project unless
// the test gives one, with only the TRIDION_* variables the test sets.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../../demo/pulumiEngine";
import type { RunningEmulator, RequestLogEntry } from "../../emulator";

export const bin = path.join(repoRoot, "provider", "bin", "pulumi-tridion.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A folder with no Pulumi.yaml in it or above (the repository root has one). */
export function outsideAnyProject(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "tridion-cli-"));
}

/** The parent's environment without any TRIDION_* variable, then `env`; fast retries (the emulator answers at once). */
export function cliEnvironment(env: Record<string, string | undefined> = {}): Record<string, string> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => !k.startsWith("TRIDION_") && v !== undefined)) as Record<
    string,
    string
  >;
  const out: Record<string, string> = { ...base, TRIDION_RETRY_BASE_DELAY_MS: "20" };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

export function runCli(args: string[], options: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? outsideAnyProject(),
      env: cliEnvironment(options.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    // "close", not "exit": the process may exit before its output has been read to the end.
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The provider settings of an emulator as TRIDION_* variables (the admin identity by default). */
export function settingsEnv(
  emulator: Pick<RunningEmulator, "accessManagementUrl" | "addonsUrl" | "credentials">,
  identity: { clientId: string; clientSecret: string } = emulator.credentials.admin,
): Record<string, string> {
  return {
    TRIDION_ACCESS_MANAGEMENT_URL: emulator.accessManagementUrl,
    TRIDION_ADDONS_URL: emulator.addonsUrl,
    TRIDION_CLIENT_ID: identity.clientId,
    TRIDION_CLIENT_SECRET: identity.clientSecret,
  };
}

/** Requests that write: anything but a GET and a token request. */
export function writesIn(log: RequestLogEntry[]): string[] {
  return log
    .filter((e) => e.method !== "GET" && !(e.method === "POST" && /\/connect\/token$/i.test(e.path)))
    .map((e) => `${e.method} ${e.path}`);
}
