// Flags every command shares: where the settings come from (--stack, --no-stack, one flag per
// provider setting, derived from the settings table so the names never drift), --json, --help.
// A flag that cannot be understood is a UsageError: exit 2 with the command's usage.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { SETTINGS, type SettingName } from "../config/settings";

/** Exit codes every command keeps: 0 done / ready, 1 refused or problems found, 2 could not run. */
export const EXIT = { ok: 0, problems: 1, cannotRun: 2 } as const;

/** The command could not run: bad flags, unreadable settings. Its message says why and the fix. */
export class CannotRun extends Error {
  /** Whether the command's usage follows the message. */
  readonly showUsage: boolean;
  /** What to do about it, when there is something to do beyond the usage. */
  readonly fix?: string;

  constructor(message: string, options: { showUsage?: boolean; fix?: string } = {}) {
    super(message);
    this.name = "CannotRun";
    this.showUsage = options.showUsage ?? false;
    if (options.fix !== undefined) this.fix = options.fix;
  }
}

/** "accessManagementUrl" -> "--access-management-url". */
export function settingFlag(name: SettingName): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Settings given as flags: every setting but the secret one (a command line is visible to every user of the machine, in `ps`). */
export const SETTING_FLAGS = (Object.keys(SETTINGS) as SettingName[]).filter((name) => !("secret" in SETTINGS[name]));

const settingOptions = Object.fromEntries(SETTING_FLAGS.map((name) => [settingFlag(name).slice(2), { type: "string" as const }]));

export const COMMON_OPTIONS = {
  stack: { type: "string" },
  "no-stack": { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  ...settingOptions,
} satisfies ParseArgsConfig["options"];

export const COMMON_USAGE = `Settings, as the provider reads them: the tridion:* stack config of the current stack when a
Pulumi.yaml is in this folder or above (read with \`pulumi config --json --show-secrets\`, so
\`pulumi\` must be on PATH and, for passphrase secrets, PULUMI_CONFIG_PASSPHRASE set), the
TRIDION_* environment variables where the stack sets nothing, and these flags over both:
  --stack NAME                    the stack to read (default: the selected one)
  --no-stack                      ignore any Pulumi project: environment variables and flags only
${SETTING_FLAGS.map((name) => `  ${`${settingFlag(name)} VALUE`.padEnd(31)} ${SETTINGS[name].key}`).join("\n")}
  (tridion:clientSecret only from the stack or TRIDION_CLIENT_SECRET: never on a command line)
  --json                          one JSON document on stdout instead of text
  --help`;

export interface ParsedFlags {
  values: Record<string, string | boolean | string[] | undefined>;
  /** Settings given as flags, by stack config key (tridion:x). */
  settingFlags: Record<string, string>;
}

/** Parses `argv` with the command's own options plus the common ones; UsageError on anything else. */
export function parseFlags(argv: string[], options: ParseArgsConfig["options"]): ParsedFlags {
  let values: ParsedFlags["values"];
  try {
    ({ values } = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new CannotRun((error as Error).message, { showUsage: true });
  }
  const settingFlags: Record<string, string> = {};
  for (const name of SETTING_FLAGS) {
    const value = values[settingFlag(name).slice(2)];
    if (typeof value === "string") settingFlags[SETTINGS[name].key] = value;
  }
  if (values.stack !== undefined && values["no-stack"])
    throw new CannotRun("--stack and --no-stack exclude each other.", { showUsage: true });
  return { values, settingFlags };
}

/** `--report FILE` (doctor): a file for a maintainer, written besides what the command prints. */
export const REPORT_OPTION = { report: { type: "string" } } satisfies ParseArgsConfig["options"];

export const REPORT_USAGE = `  --report FILE                   also write FILE: what a maintainer needs to support your
                                  installation (product version, the Add-ons Service's own
                                  OpenAPI paths, methods and schemas, the status values seen,
                                  the verdicts), with no secret, token, host name, port, client
                                  id or add-on id, name or content in it`;

/**
 * The file a flag names, resolved from the working folder; undefined when the flag is not given.
 * Checked before anything runs: its folder must exist, and it must not be a folder itself.
 */
export function outputFile(flag: string, value: ParsedFlags["values"][string], cwd: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !value.trim()) throw new CannotRun(`${flag} needs a file name.`, { showUsage: true });
  const file = path.resolve(cwd, value);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
    throw new CannotRun(`${flag} ${value}: that is a folder.`, {
      fix: `name a file in it, e.g. ${flag} ${path.join(value, "doctor-report.json")}.`,
    });
  }
  const folder = path.dirname(file);
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
    throw new CannotRun(`${flag} ${value}: the folder ${folder} does not exist.`, {
      fix: "create it, or name a file in a folder that exists.",
    });
  }
  return file;
}
