// `pulumi-tridion doctor`: read-only checks that tell a team whether their Tridion Sites is ready
// for `pulumi up`, each with a verdict and, when it fails, the cause and the fix. It writes
// through no API: GET requests and token requests only.
import { registerSecret } from "../../errors/redaction";
import { toTridionError, type TridionError } from "../../errors/tridionError";
import type { ProviderSettings } from "../../config/settings";
import { CannotRun, COMMON_USAGE, EXIT, outputFile, parseFlags, REPORT_OPTION, REPORT_USAGE } from "../args";
import type { Command, Io } from "../command";
import { renderChecks, write, writeJson, type Check } from "../report";
import { loadSettingsFromFlags, resolveFrom } from "../settingsSource";
import { accessManagementChecks } from "./accessManagementChecks";
import { addonsChecks, type AddonsFindings, type RoutesProposal } from "./addonsChecks";
import { DoctorContext, type IdentityUnderTest } from "./context";
import { identityChecks } from "./identityChecks";
import { maintainerReport, writeMaintainerReport } from "./maintainerReport";
import { managementApiChecks } from "./managementApiChecks";
import { settingsChecks } from "./settingsChecks";

export const READ_ONLY_NOTE =
  "doctor writes through no API: it sends GET requests and token requests only. A token request may still update Access Management's " +
  "last-login time of the account and of its client secret, and its audit log.";

const usage = `Usage: pulumi-tridion doctor [--identity CLIENT_ID[=ENV_VAR]]... [--json] [--report FILE] [settings flags]

Read-only checks of a Tridion Sites for this provider, each with a verdict and, when it fails, the
cause and the fix: the settings (present, well-formed, plain http, proxy, custom CA); Access
Management (discovery, issuer, JWKS, token endpoint, the auth method that works); each identity
(a token, its aud, role and expiry, and in words what it may and may not do); the management API
(System/userInfo, the role keys, the product version and how it is known); the Add-ons Service
(its list route, and when that fails its own OpenAPI document, matched by shape to propose a
tridion:routes value; with that document and the list answer, what the provider sends and reads:
the answers' field names, the status values, the upload's form field and the configuration's
body, each difference with the setting that fixes it, or saying that none can).

${READ_ONLY_NOTE}

  --identity CLIENT_ID[=ENV_VAR]
                                  check this identity too (e.g. a deployer's), as many times as
                                  needed; its secret is read from the environment variable
                                  ENV_VAR, by default TRIDION_SECRET_<CLIENT_ID> (upper case,
                                  every character other than A-Z and 0-9 as _)
${REPORT_USAGE}
${COMMON_USAGE}

Exit code: 0 ready, 1 problems found (a service that is down included), 2 could not run (bad
flags, unreadable stack config, an --identity without its secret). Nothing secret is printed.`;

/** The environment variable holding an --identity's secret by default. */
export function secretVariable(clientId: string): string {
  return `TRIDION_SECRET_${clientId.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

function extraIdentities(values: string[], env: NodeJS.ProcessEnv): IdentityUnderTest[] {
  return values.map((value) => {
    const at = value.indexOf("=");
    const clientId = (at < 0 ? value : value.slice(0, at)).trim();
    const variable = at < 0 ? secretVariable(clientId) : value.slice(at + 1).trim();
    if (!clientId) throw new CannotRun(`--identity needs a client id, got ${JSON.stringify(value)}.`, { showUsage: true });
    const clientSecret = env[variable];
    if (!clientSecret) {
      throw new CannotRun(`--identity ${clientId}: its secret is read from the environment variable ${variable}, which is not set.`, {
        fix: `export ${variable}=<its client secret> (never on the command line), or name another variable: --identity ${clientId}=VARIABLE.`,
      });
    }
    registerSecret(clientSecret);
    return { clientId, clientSecret, label: `--identity ${clientId}`, role: "extra" as const };
  });
}

export interface DoctorReport {
  command: "doctor";
  verdict: "ready" | "problems";
  exitCode: number;
  summary: string;
  readOnly: string;
  settings: { source: string; project?: { dir: string; stack?: string } };
  checks: Check[];
  /** The tridion:routes value proposed from the Add-ons Service's own document (null when none was needed or found). */
  proposedRoutes: Record<string, string> | null;
  routeProposal: RoutesProposal | null;
  /** The file --report wrote (null without --report). */
  reportFile: string | null;
}

function summarize(checks: Check[]): { verdict: DoctorReport["verdict"]; exitCode: number; summary: string } {
  const fails = checks.filter((c) => c.verdict === "fail");
  const warns = checks.filter((c) => c.verdict === "warn");
  const passes = checks.filter((c) => c.verdict === "pass");
  const name = (c: Check) => `${c.group}: ${c.title}${c.subject ? ` (${c.subject})` : ""}`;
  if (fails.length) {
    return {
      verdict: "problems",
      exitCode: EXIT.problems,
      summary: `Not ready: ${fails.length} problem${fails.length > 1 ? "s" : ""} found (${fails.map(name).join("; ")})${warns.length ? `, ${warns.length} warning${warns.length > 1 ? "s" : ""}` : ""}.`,
    };
  }
  return {
    verdict: "ready",
    exitCode: EXIT.ok,
    summary: `Ready: ${passes.length} checks passed${warns.length ? `, ${warns.length} warning${warns.length > 1 ? "s" : ""} (${warns.map(name).join("; ")})` : ", no warnings"}.`,
  };
}

export async function runDoctor(argv: string[], io: Io): Promise<{ report: DoctorReport; json: boolean }> {
  const { values, settingFlags } = parseFlags(argv, { identity: { type: "string", multiple: true }, ...REPORT_OPTION });
  const reportFile = outputFile("--report", values.report, io.cwd);
  const source = await loadSettingsFromFlags(values, settingFlags, io);
  const extras = extraIdentities((values.identity as string[] | undefined) ?? [], io.env);
  let settings: ProviderSettings | undefined;
  let settingsError: TridionError | undefined;
  try {
    settings = resolveFrom(source);
  } catch (error) {
    settingsError = toTridionError(error);
  }
  const identities: IdentityUnderTest[] = [];
  if (settings?.clientId && settings.clientSecret) {
    identities.push({
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      label: "provider identity, tridion:clientId",
      role: "provider",
    });
  }
  identities.push(...extras.filter((e) => !identities.some((i) => i.clientId === e.clientId && i.clientSecret === e.clientSecret)));
  const ctx = new DoctorContext(source, settings, settingsError, identities);

  const checks: Check[] = [...(await settingsChecks(ctx))];
  let addons: AddonsFindings | undefined;
  if (settings) {
    checks.push(...(await accessManagementChecks(ctx)));
    checks.push(...(await identityChecks(ctx)));
    checks.push(...(await managementApiChecks(ctx)));
    addons = await addonsChecks(ctx);
    checks.push(...addons.checks);
  }
  const proposal = addons?.proposal;
  const { verdict, exitCode, summary } = summarize(checks);
  if (reportFile) {
    try {
      writeMaintainerReport(reportFile, await maintainerReport({ ctx, checks, addons, verdict, summary }));
    } catch (error) {
      throw new CannotRun(`Cannot write the report ${reportFile}: ${(error as Error).message}.`, { fix: "name a file you may write." });
    }
  }
  return {
    json: values.json === true,
    report: {
      command: "doctor",
      verdict,
      exitCode,
      summary,
      readOnly: READ_ONLY_NOTE,
      settings: { source: source.description, project: source.project },
      checks,
      proposedRoutes: proposal?.value ?? null,
      routeProposal: proposal ?? null,
      reportFile: reportFile ?? null,
    },
  };
}

function renderText(report: DoctorReport): string {
  const lines = ["pulumi-tridion doctor", `Settings from ${report.settings.source}.`, report.readOnly, renderChecks(report.checks)];
  if (report.routeProposal) {
    const p = report.routeProposal;
    const what = [
      ...(Object.keys(p.mapped).length ? ["routes from the service's own OpenAPI document"] : []),
      ...(Object.keys(p.settings).length ? [`${Object.keys(p.settings).join(", ")} from what the service takes`] : []),
    ].join("; ");
    lines.push(
      "",
      `Proposed route profile (${what}; ${p.verified ? "its list route answers" : "not verified: its list route did not answer as expected"}):`,
      `  ${p.command}`,
    );
    if (p.addonsUrl) lines.push(`  pulumi config set tridion:addonsUrl ${p.addonsUrl}`);
    for (const u of p.unmapped) lines.push(`  not mapped: ${u.key}: ${u.why}`);
  }
  if (report.reportFile) {
    lines.push(
      "",
      `Report for a maintainer written to ${report.reportFile} (no secret, token, host name, client id or add-on content in it): attach it when something does not match.`,
    );
  }
  lines.push("", `${report.summary} (exit ${report.exitCode})`);
  return lines.join("\n");
}

export const doctorCommand: Command = {
  name: "doctor",
  summary: "read-only: is this Tridion Sites ready for `pulumi up`? Verdicts, causes and fixes (exit 0 ready, 1 problems, 2 could not run)",
  usage,
  async run(argv: string[], io: Io): Promise<number> {
    const { report, json } = await runDoctor(argv, io);
    if (json) await writeJson(io.stdout, report);
    else await write(io.stdout, renderText(report));
    return report.exitCode;
  },
};
