// End-to-end helpers: the real Pulumi engine through the Automation API, with a file backend and
// passphrase secrets in a throwaway folder. The CLI and the offline environment come from
// demo/pulumiEngine.ts (shared with the demo and the benchmarks); when the CLI cannot be obtained,
// openWorkspace() throws, so the e2e tests fail instead of skipping.
import { execFile } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { ConfigMap, EngineEvent, LocalWorkspace, PulumiCommand, PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { obtainPulumiCli, pulumiEnvironment, repoRoot } from "../../demo/pulumiEngine";
import type { RunningEmulator } from "../../emulator";

export { repoRoot };

// AVA runs test files in child processes (`workerThreads: false` in package.json): Pulumi's closure
// serializer, which inline programs use, cannot load `trace_events` inside a worker thread.

export interface E2eWorkspace {
  /** The program folder (workDir); inside the repo tree unless created elsewhere on purpose. */
  dir: string;
  /** The environment every Pulumi command runs with (holds the passphrase: never print it). */
  env: Record<string, string>;
  passphrase: string;
  pulumiCommand: PulumiCommand;
  /** Removes the folder with its backend (state) and Pulumi home. */
  remove(): void;
}

/**
 * A fresh program folder with its own backend and Pulumi home. By default under `.cache/` in the
 * repository (git-ignored), so the dynamic provider resolves `pulumi-tridion/dynamic` from the
 * repository's node_modules, which links the package itself.
 */
export async function openWorkspace(options: { dir?: string } = {}): Promise<E2eWorkspace> {
  const cli = obtainCli();
  const dir = options.dir ?? makeTempDir(path.join(repoRoot, ".cache"), "e2e-");
  fs.mkdirSync(dir, { recursive: true });
  const passphrase = crypto.randomBytes(18).toString("base64url");
  const env = {
    ...pulumiEnvironment(cli, path.join(dir, ".pulumi"), passphrase),
    // Fast polling and retries: the emulator answers at once (the defaults suit real services).
    TRIDION_POLL_INTERVAL_MS: "50",
    TRIDION_RETRY_BASE_DELAY_MS: "20",
    PULUMI_TRIDION_CACHE_DIR: path.join(dir, ".package-cache"),
  };
  const pulumiCommand = await PulumiCommand.get({ root: path.dirname(cli.binDir), skipVersionCheck: true });
  return { dir, env, passphrase, pulumiCommand, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function obtainCli(): ReturnType<typeof obtainPulumiCli> {
  try {
    return obtainPulumiCli();
  } catch (e) {
    throw new Error(
      `The end-to-end tests need the real Pulumi CLI, and it could not be obtained: ${(e as Error).message.split("\n")[0]} ` +
        "(scripts/ensure-pulumi.sh printed the cause above). Fix: put `pulumi` on PATH, or let the script build it (Go and the Go module proxy).",
      { cause: e },
    );
  }
}

export function makeTempDir(parent: string, prefix: string): string {
  fs.mkdirSync(parent, { recursive: true });
  return fs.mkdtempSync(path.join(parent, prefix));
}

export interface StackSpec {
  stackName: string;
  projectName: string;
  program: PulumiFn;
  config?: ConfigMap;
}

/** Creates (or selects) a stack of an inline program in the workspace and sets its config. */
export async function openStack(ws: E2eWorkspace, spec: StackSpec): Promise<Stack> {
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: spec.stackName, projectName: spec.projectName, program: spec.program },
    { workDir: ws.dir, pulumiCommand: ws.pulumiCommand, envVars: ws.env, pulumiHome: ws.env.PULUMI_HOME },
  );
  if (spec.config) await stack.setAllConfig(spec.config);
  return stack;
}

export interface Credential {
  clientId: string;
  clientSecret: string;
}

/** Provider settings as stack config: the emulator's URLs and an identity (the admin by default). */
export function tridionConfig(
  emulator: Pick<RunningEmulator, "accessManagementUrl" | "addonsUrl" | "credentials">,
  identity: Credential = emulator.credentials.admin,
): ConfigMap {
  return {
    "tridion:accessManagementUrl": { value: emulator.accessManagementUrl },
    "tridion:addonsUrl": { value: emulator.addonsUrl },
    "tridion:clientId": { value: identity.clientId },
    "tridion:clientSecret": { value: identity.clientSecret, secret: true },
  };
}

/** The operations of a change summary other than `same` (empty = no changes). */
export function changesIn(summary: Record<string, number> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(summary ?? {}).filter(([op, count]) => op !== "same" && count > 0));
}

/**
 * Collects the engine's output (shown only when a test fails; Pulumi masks secrets in it) and the
 * step each resource took (from the engine's events), for asserting *which* resource changes.
 */
export class EngineLog {
  private text = "";
  private ops: Record<string, string> = {};
  readonly onOutput = (out: string): void => {
    this.text += out;
  };
  readonly onEvent = (event: EngineEvent): void => {
    const meta = event.resourcePreEvent?.metadata;
    if (meta && meta.op !== "same" && !meta.urn.includes("::pulumi:pulumi:Stack::")) {
      this.ops[meta.urn.split("::").pop()!] = meta.op;
    }
  };
  /** The output since the last take(), then cleared (with the recorded steps). */
  take(): string {
    const out = this.text;
    this.text = "";
    this.ops = {};
    return out;
  }
  /** Runs an engine command; on failure its output goes into the test log (Pulumi masks secrets). */
  async step<T>(t: { log: (...v: unknown[]) => void }, name: string, run: () => Promise<T>): Promise<T> {
    this.take();
    try {
      return await run();
    } catch (e) {
      t.log(`step "${name}" failed; engine output:\n${this.take()}`);
      throw e;
    }
  }
  /** resource name -> step ("create", "update", "delete", "refresh", ...) since the last take(); `same` left out. */
  steps(): Record<string, string> {
    return { ...this.ops };
  }
}

/** Options for every command: no colour, output and events into the log. */
export function quiet(log: EngineLog) {
  return { color: "never" as const, onOutput: log.onOutput, onEvent: log.onEvent };
}

/** The error of a command that must fail: its message is what a user reads. */
export async function failureOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the Pulumi command to fail, and it succeeded");
}

/** The exported deployment's resources of one dynamic type (e.g. "tridion:AddonPackage"). */
export function resourcesOfType(
  deployment: { deployment?: { resources?: Array<Record<string, any>> } },
  type: string,
): Array<Record<string, any>> {
  const token = `pulumi-nodejs:dynamic/${type}`;
  return (deployment.deployment?.resources ?? []).filter((r) => r.type === token);
}

/**
 * `pulumi stack export` exactly as a user runs it (the Automation API's exportStack() adds
 * `--show-secrets`, which decrypts them): what anyone with the state file can read.
 */
export async function exportStackAsStored(
  ws: E2eWorkspace,
  stackName: string,
): Promise<{ deployment?: { resources?: Array<Record<string, any>> } }> {
  const { stdout } = await promisify(execFile)(ws.pulumiCommand.command, ["stack", "export", "--stack", stackName, "--non-interactive"], {
    cwd: ws.dir,
    env: { ...process.env, ...ws.env },
    maxBuffer: 64 << 20,
  });
  return JSON.parse(stdout);
}
