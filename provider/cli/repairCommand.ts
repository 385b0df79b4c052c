// What the two repair commands (revoke-secret, delete-service-account) share: the provider's
// settings, required as `pulumi up` requires them (they run as the provider's identity against
// Access Management), and how a report reaches the terminal or a pipeline (--json).
import type { ProviderSettings } from "../config/settings";
import { toTridionError } from "../errors/tridionError";
import { CannotRun, EXIT } from "./args";
import type { Io } from "./command";
import { write, writeJson } from "./report";
import { loadSettingsFromFlags, resolveFrom } from "./settingsSource";

/** The provider settings from the stack, the environment and the flags; exit 2 when they are missing or unreadable. */
export async function repairSettings(
  command: string,
  values: Record<string, unknown>,
  settingFlags: Record<string, string>,
  io: Io,
): Promise<ProviderSettings> {
  const source = await loadSettingsFromFlags(values, settingFlags, io);
  let settings: ProviderSettings;
  try {
    settings = resolveFrom(source);
  } catch (error) {
    const e = toTridionError(error);
    throw new CannotRun(e.message, { fix: e.fix });
  }
  const missing = (["accessManagementUrl", "clientId", "clientSecret"] as const).filter((k) => !settings[k]);
  if (missing.length) {
    const keys = missing.map((k) => `tridion:${k}`).join(", ");
    throw new CannotRun(`Missing provider setting(s) ${keys}: ${command} runs as the provider's identity against Access Management.`, {
      fix: "set them as for `pulumi up` (stack config or TRIDION_* environment variables).",
    });
  }
  return settings;
}

/** The exit codes both repair commands keep, for their usage text; `done` is what exit 0 did. */
export function repairExitCodes(done: string): string {
  return `Exit code: 0 ${done} (or already gone), 1 refused or failed (the cause and the fix are printed),
2 could not run (bad flags, unreadable or missing settings). No secret value is ever printed.`;
}

/** A refusal: nothing was written; the cause and the fix say why and what to do instead. */
export function refusal(summary: string, cause: string, fix: string) {
  return { result: "refused" as const, exitCode: EXIT.problems, summary, cause, fix };
}

export interface RepairReport {
  exitCode: number;
  summary: string;
  cause?: string;
  fix?: string;
}

/** The report as JSON (--json) or as text: the summary, then its cause and fix. */
export async function writeReport(io: Io, json: boolean, report: RepairReport): Promise<number> {
  if (json) await writeJson(io.stdout, report);
  else {
    const lines = [report.summary];
    if (report.cause) lines.push(`cause: ${report.cause}`);
    if (report.fix) lines.push(`fix:   ${report.fix}`);
    await write(report.exitCode === 0 ? io.stdout : io.stderr, lines.join("\n"));
  }
  return report.exitCode;
}
