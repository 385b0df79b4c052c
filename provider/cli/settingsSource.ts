// Where a command's settings come from, in the provider's own order: flags over the tridion:*
// stack config of the current stack (when a Pulumi.yaml is in the folder or above: read with
// `pulumi config --json --show-secrets`), then the TRIDION_* environment variables, which the
// provider's own parser (config/settings.ts) falls back to. The values go through that parser,
// so the rules are the provider's.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { resolveSettings, SETTINGS, type ConfigSource, type ProviderSettings, type SettingName } from "../config/settings";
import { clip, registerSecret } from "../errors/redaction";
import { CannotRun } from "./args";

/** Where one setting's value came from. */
export type SettingOrigin = "flag" | "stack" | "environment";

export interface SettingsSource {
  /** The raw values for resolveSettings: flags, then stack config (the environment is its fallback). */
  get: ConfigSource;
  /** Where a setting's value comes from (undefined: not set anywhere). */
  origin(name: SettingName): SettingOrigin | undefined;
  /** The Pulumi project and stack read, when there is one. */
  project?: { dir: string; stack?: string };
  /** In words, for the report: where the settings were read. */
  description: string;
}

export interface SourceOptions {
  cwd: string;
  stack?: string;
  noStack?: boolean;
  /** Settings given as flags, by key (tridion:x). */
  flags: Record<string, string>;
  env: NodeJS.ProcessEnv;
  /** The Pulumi CLI to run (default `pulumi` on PATH). */
  pulumi?: string;
}

/** The folder holding Pulumi.yaml (or Pulumi.yml): `dir` or the nearest above it. */
export function findPulumiProject(dir: string): string | undefined {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (["Pulumi.yaml", "Pulumi.yml"].some((name) => fs.existsSync(path.join(current, name)))) return current;
    if (path.dirname(current) === current) return undefined;
  }
}

function runPulumi(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, timeout: 120_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stderr: String(stderr) }));
      else resolve(String(stdout));
    });
  });
}

/** The first lines of what pulumi said, without secrets (it never prints values, but be sure). */
function pulumiSaid(error: unknown): string {
  const stderr = String((error as { stderr?: string }).stderr ?? "").trim();
  const text = stderr || (error as Error).message;
  return clip(text.split("\n").slice(0, 4).join(" "), 600); // redacted, then cut
}

/** The tridion:* keys of `pulumi config --json` (values as the provider's configure() sees them: text). */
export function parsePulumiConfig(json: string): Record<string, string> {
  const parsed = JSON.parse(json) as Record<string, { value?: unknown; objectValue?: unknown; secret?: boolean }>;
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(parsed ?? {})) {
    if (!key.startsWith("tridion:") || !entry || typeof entry !== "object") continue;
    const value = typeof entry.value === "string" ? entry.value : JSON.stringify(entry.objectValue ?? entry.value);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

async function readStack(options: SourceOptions, dir: string): Promise<{ values: Record<string, string>; stack?: string }> {
  const command = options.pulumi ?? "pulumi";
  const stackArgs = options.stack ? ["--stack", options.stack] : [];
  const where = path.join(dir, fs.existsSync(path.join(dir, "Pulumi.yaml")) ? "Pulumi.yaml" : "Pulumi.yml");
  let json: string;
  try {
    json = await runPulumi(command, ["config", "--json", "--show-secrets", "--non-interactive", ...stackArgs], options.cwd, options.env);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new CannotRun(`Cannot read the stack config of the Pulumi project ${where}: \`${command}\` is not on PATH.`, {
        fix: "put the Pulumi CLI on PATH, or run with --no-stack to use only the TRIDION_* environment variables and flags.",
      });
    }
    throw new CannotRun(`Cannot read the stack config of the Pulumi project ${where}: \`pulumi config\` failed: ${pulumiSaid(error)}`, {
      fix:
        "select the stack (`pulumi stack select NAME`, or --stack NAME), set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) for a stack with passphrase secrets, " +
        "or run with --no-stack to use only the TRIDION_* environment variables and flags.",
    });
  }
  let values: Record<string, string>;
  try {
    values = parsePulumiConfig(json);
  } catch {
    throw new CannotRun(`Cannot read the stack config of ${where}: \`pulumi config --json\` printed no JSON.`, {
      fix: "run it yourself to see why.",
    });
  }
  let stack = options.stack;
  if (!stack) {
    stack =
      (await runPulumi(command, ["stack", "--show-name", "--non-interactive"], options.cwd, options.env).catch(() => "")).trim() ||
      undefined;
  }
  return { values, stack };
}

/** The sources as a command's parsed flags name them (--stack, --no-stack, one flag per setting). */
export function loadSettingsFromFlags(
  values: Record<string, unknown>,
  settingFlags: Record<string, string>,
  io: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<SettingsSource> {
  return loadSettingsSource({
    cwd: io.cwd,
    stack: values.stack as string | undefined,
    noStack: values["no-stack"] === true,
    flags: settingFlags,
    env: io.env,
  });
}

/** Reads the settings' sources; CannotRun when a Pulumi project is there but its stack config cannot be read. */
export async function loadSettingsSource(options: SourceOptions): Promise<SettingsSource> {
  const dir = options.noStack ? undefined : findPulumiProject(options.cwd);
  if (options.stack && !dir) {
    throw new CannotRun(`--stack ${options.stack}: there is no Pulumi project (Pulumi.yaml) in ${options.cwd} or above.`, {
      fix: "run the command in the project's folder.",
    });
  }
  const stack = dir ? await readStack(options, dir) : undefined;
  const stackValues = stack?.values ?? {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const spec = SETTINGS[name];
    if (!("secret" in spec)) continue;
    registerSecret(options.flags[spec.key] ?? stackValues[spec.key] ?? options.env[spec.env]); // never shown in any output
  }
  const present = (v: string | undefined) => v !== undefined && v !== "";
  const get: ConfigSource = (key) =>
    present(options.flags[key]) ? options.flags[key] : present(stackValues[key]) ? stackValues[key] : undefined;
  const origin = (name: SettingName): SettingOrigin | undefined => {
    const spec = SETTINGS[name];
    if (present(options.flags[spec.key])) return "flag";
    if (present(stackValues[spec.key])) return "stack";
    if (present(options.env[spec.env])) return "environment";
    return undefined;
  };
  const description = dir
    ? `the stack ${stack?.stack ? `"${stack.stack}"` : "(selected)"} of the Pulumi project in ${dir}, the TRIDION_* environment variables where it sets nothing, and flags`
    : `the TRIDION_* environment variables and flags${options.noStack ? " (--no-stack)" : " (no Pulumi project here)"}`;
  return { get, origin, project: dir ? { dir, stack: stack?.stack } : undefined, description };
}

/** The provider's own parser over these sources (throws its TridionError on a bad value). */
export function resolveFrom(source: SettingsSource): ProviderSettings {
  return resolveSettings(source.get);
}
