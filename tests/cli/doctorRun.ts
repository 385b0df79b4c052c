// Running `pulumi-tridion doctor --json` as a user does (the built bin, a child process) against
// an emulator, with the assertions every run shares: the exit code is the report's, nothing but
// GETs and token requests reached the emulator, no secret or token in the output.
import type { ExecutionContext } from "ava";
import { runCli, writesIn, type CliResult } from "../helpers/cli";
import type { TestEmulator } from "../helpers/emulator";
import { SecretScanner } from "../helpers/secrets";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { repoRoot } from "../../demo/pulumiEngine";
import { EngineLog, openStack, openWorkspace, quiet, tridionConfig } from "../helpers/pulumi";

export interface Report {
  command: string;
  verdict: string;
  exitCode: number;
  summary: string;
  readOnly: string;
  settings: { source: string; project?: { dir: string; stack?: string } };
  checks: Array<{
    id: string;
    group: string;
    subject?: string;
    title: string;
    verdict: string;
    summary: string;
    cause?: string;
    fix?: string;
    details?: any;
  }>;
  proposedRoutes: Record<string, string> | null;
  routeProposal: any;
  reportFile: string | null;
}

/** Runs doctor --json; asserts the exit code matches the report, nothing was written, and no secret shows. */
export async function doctor(
  t: ExecutionContext,
  emulator: TestEmulator,
  env: Record<string, string | undefined>,
  args: string[] = [],
  secrets: string[] = [],
  options: { reachesEmulator?: boolean } = {},
): Promise<{ report: Report; result: CliResult }> {
  emulator.clearRequestLog();
  const result = await runCli(["doctor", "--json", ...args], { env });
  let report: Report;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    throw new Error(`doctor printed no JSON (exit ${result.code}): ${result.stdout}\n${result.stderr}`);
  }
  t.is(result.code, report.exitCode, "the exit code is the report's");
  t.deepEqual(writesIn(emulator.requestLog()), [], "doctor sent nothing but GETs and token requests");
  if (options.reachesEmulator !== false) t.true(emulator.requestLog().length > 0, "it did ask the emulator");
  const scanner = new SecretScanner().add(
    ...secrets,
    emulator.credentials.admin.clientSecret,
    emulator.credentials.addonsService.clientSecret,
    env.TRIDION_CLIENT_SECRET,
  );
  t.deepEqual(scanner.findIn(result.stdout + result.stderr), [], "no secret in the output");
  t.notRegex(result.stdout + result.stderr, /eyJ[A-Za-z0-9_-]{8,}\./, "no token in the output");
  return { report, result };
}

export const check = (report: Report, id: string, subject?: string) => {
  const found = report.checks.find((c) => c.id === id && (subject === undefined || c.subject === subject));
  if (!found) throw new Error(`no check ${id}${subject ? ` (${subject})` : ""} in ${report.checks.map((c) => c.id).join(", ")}`);
  return found;
};
export const verdicts = (report: Report) =>
  Object.fromEntries(report.checks.map((c) => [`${c.id}${c.subject ? ` ${c.subject}` : ""}`, c.verdict]));

/**
 * Doctor's proposed tridion:routes as stack config, then a real `pulumi up` of one AddonPackage
 * (the example add-on): it must deploy (status Success) with its upload in `uploadPath`. Returns
 * the stack and its engine log, for what the test checks next; the stack's destroy is the test's.
 */
export async function deployWithProposal(
  t: ExecutionContext,
  emulator: TestEmulator,
  proposedRoutes: Record<string, string> | null,
  options: { projectName: string; uploadPath: string },
): Promise<{ stack: Stack; log: EngineLog; outputs: Record<string, { value: unknown }> }> {
  const ws = await openWorkspace();
  t.teardown(() => ws.remove());
  const source = path.join(repoRoot, "examples", "quickstart", "addon");
  const program = async () => {
    const { AddonPackage } = require("pulumi-tridion");
    const addon = new AddonPackage("proposed", { source, activationTimeoutSeconds: 30 });
    return { addonId: addon.addonId, status: addon.status };
  };
  const stack = await openStack(ws, {
    stackName: "dev",
    projectName: options.projectName,
    program,
    config: { ...tridionConfig(emulator), "tridion:routes": { value: JSON.stringify(proposedRoutes) } },
  });
  const log = new EngineLog();
  const up = await log.step(t, "up", () => stack.up(quiet(log)));
  t.is(up.outputs.status.value, "Success");
  t.truthy(up.outputs.addonId.value);
  t.true(
    emulator.requestLog().some((e) => e.method === "POST" && e.path === options.uploadPath && e.status === 201),
    `uploaded through POST ${options.uploadPath}`,
  );
  return { stack, log, outputs: up.outputs };
}

/** An Add-ons Service that serves its routes elsewhere than the defaults (the emulator's `routes`). */
export const MOVED_ROUTES = {
  addons: "/v2/packages",
  addon: "/v2/packages/{id}",
  addonPackage: "/v2/packages/{id}/content",
  addonStatus: "/v2/packages/{id}/state",
  addonConfiguration: "/v2/packages/{id}/settings",
  extensionStatus: "/v2/packages/{id}/extensions/{name}/report",
};
