// `pulumi-tridion delete-service-account`: the repair the provider names when a `pulumi up` that
// created a service account with a client id of the program's own choosing was killed before its
// result was saved (such an account carries no mark of the stack, so the next `up` refuses it like
// anyone's). It deletes exactly that account: the name and the id must both match, predefined
// accounts and the provider's own are refused, and so is an account whose secrets have been used
// (something depends on it; an interrupted create's account was never used, but for the one token
// that run's proof took right after making it).
import { AccessManagementClient } from "../clients/accessManagement";
import { findServiceAccount, type LookupWording } from "../clients/accountLookup";
import { isPredefinedAccountName } from "../clients/productVersion";
import { Session } from "../clients/session";
import type { ProviderSettings } from "../config/settings";
import { CannotRun, COMMON_USAGE, EXIT, parseFlags } from "./args";
import type { Command, Io } from "./command";
import { refusal, repairExitCodes, repairSettings, writeReport, type RepairReport } from "./repairCommand";
import { causeAndFix } from "./report";

/** Slack around the proof's wait (tridion:verifyTimeoutSeconds) for the steps before and after it. */
const PROOF_SLACK_MS = 5 * 60_000;

const usage = `Usage: pulumi-tridion delete-service-account --name NAME --id ID [--json] [settings flags]

Deletes one service account in Access Management (DELETE .../ServiceAccounts/{id}), with its
client secrets: the repair for an account that an interrupted \`pulumi up\` created with a client
id of the program's own choosing (the error of the next \`up\` names this command with both
values). It writes exactly that. It runs as the provider's identity (tridion:clientId, which needs
Tridion.AccessManagement.Administrator). Refused: a predefined account, the provider's own, and
one whose client secrets have been used (something depends on it).

  --name NAME                     the service account, by exact name
  --id ID                         its id in Access Management (both must match)
${COMMON_USAGE}

${repairExitCodes("deleted")}`;

const WORDING: LookupWording = {
  userName: "--name",
  identityProvider: "",
  chooseProvider: () => "",
  again: "this command",
  adopt: "",
};

export interface DeleteAccountReport extends RepairReport {
  command: "delete-service-account";
  result: "deleted" | "already-gone" | "refused" | "failed";
  account: { name: string; id: number };
}

function parseTarget(values: Record<string, unknown>): { name: string; id: number } {
  const name = values.name as string | undefined;
  const raw = values.id as string | undefined;
  if (name === undefined || !name.trim())
    throw new CannotRun("--name NAME is required: the service account's exact name.", { showUsage: true });
  if (raw === undefined) throw new CannotRun("--id ID is required: the service account's id in Access Management.", { showUsage: true });
  const id = /^\d{1,10}$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(id) || id < 1 || id > 2_147_483_647) {
    throw new CannotRun(
      `--id must be a whole number from 1 to 2147483647 (Access Management's ids are int32), got ${JSON.stringify(raw)}.`,
      { showUsage: true },
    );
  }
  return { name, id };
}

async function deleteAccount(target: { name: string; id: number }, settings: ProviderSettings): Promise<DeleteAccountReport> {
  const am = new AccessManagementClient(new Session(settings), "serviceAccount");
  const base = { command: "delete-service-account" as const, account: target };
  const refuse = (summary: string, cause: string, fix: string): DeleteAccountReport => ({ ...base, ...refusal(summary, cause, fix) });
  await am.preflight(`delete the service account "${target.name}"`);
  const account = await findServiceAccount(am, target.name, WORDING);
  if (!account) {
    const byId = await am.get(target.id); // undefined on 404; any other failure is reported as one
    if (!byId)
      return {
        ...base,
        result: "already-gone",
        exitCode: EXIT.ok,
        summary: `No service account "${target.name}" (id ${target.id}): nothing to do.`,
      };
    return refuse(
      `Refused: the service account ${target.id} is named "${byId.name}", not "${target.name}".`,
      "The name and the id must name the same account, so that a typo never deletes another one.",
      "Check both values in the message that named this command, then run it again.",
    );
  }
  const what = `the service account "${account.name}" (id ${account.id})`;
  if (account.id !== target.id) {
    return refuse(
      `Refused: "${account.name}" has the id ${account.id}, not ${target.id}.`,
      "The name and the id must name the same account, so that a typo never deletes another one.",
      "Check both values in the message that named this command, then run it again.",
    );
  }
  if (isPredefinedAccountName(account.name)) {
    return refuse(
      `Refused: ${what} is a predefined account of Access Management.`,
      "Tridion's own services sign in with it.",
      "Predefined accounts are never deleted; nothing a `pulumi up` does leaves one behind.",
    );
  }
  if (account.clientId && account.clientId === settings.clientId) {
    return refuse(
      `Refused: ${what} is the provider's own identity (tridion:clientId), the one this command runs as.`,
      "Deleting it would lock the provider out.",
      "Use another account for tridion:clientId, or delete it in the Access Management UI.",
    );
  }
  // The `up` that created the account took one token with its new secret right away (its proof):
  // a sign-in within that wait of the account's making is no use by anything else.
  const madeAt = Date.parse(account.createdAt ?? "");
  const byProof = (at: string) => Number.isFinite(madeAt) && Date.parse(at) - madeAt <= settings.verifyTimeoutMs + PROOF_SLACK_MS;
  const used = (account.clientSecrets ?? []).filter((s) => s.lastLoginAt && !byProof(s.lastLoginAt));
  if (used.length) {
    return refuse(
      `Refused: ${what} is in use: its client secret(s) ${used.map((s) => `${s.id} (last used ${s.lastLoginAt})`).join(", ")} have signed in.`,
      "An account an interrupted `pulumi up` created has never been used (beyond that run's own proof of its secret, right after it was made); this one has, so something depends on it.",
      "If it really must go, delete it in the Access Management UI; to keep it under this stack, set `adopt: true` on the ServiceAccount.",
    );
  }
  const deleted = await am.delete(account.id);
  return {
    ...base,
    result: deleted ? "deleted" : "already-gone",
    exitCode: EXIT.ok,
    summary: deleted
      ? `Deleted ${what} and its ${(account.clientSecrets ?? []).length} client secret(s). The next \`pulumi up\` creates it again.`
      : `${what} was already gone: nothing to do.`,
  };
}

export const deleteServiceAccountCommand: Command = {
  name: "delete-service-account",
  summary: "delete one unused service account by name and id (writes: DELETE .../ServiceAccounts/{id})",
  usage,
  async run(argv: string[], io: Io): Promise<number> {
    const { values, settingFlags } = parseFlags(argv, { name: { type: "string" }, id: { type: "string" } });
    const target = parseTarget(values);
    const settings = await repairSettings("delete-service-account", values, settingFlags, io);
    let report: DeleteAccountReport;
    try {
      report = await deleteAccount(target, settings);
    } catch (error) {
      const { cause, fix } = causeAndFix(error);
      report = {
        command: "delete-service-account",
        result: "failed",
        exitCode: EXIT.problems,
        summary: `Nothing was deleted: ${cause}`,
        fix,
        account: target,
      };
    }
    return writeReport(io, values.json === true, report);
  },
};
