// `pulumi-tridion revoke-secret`: the repair an error message names after an interrupted
// `pulumi up` left a client secret nobody holds (Access Management's secrets carry no marker, so
// the provider cannot tell it is its own). It finds the account by exact name as the provider
// does, checks the secret id is one of its clientSecrets, refuses predefined service accounts and
// the provider's own account, and revokes it: DELETE .../clientSecrets/{secretId}. One of the two
// repair commands, the only ones of this bin that write.
import { AccessManagementClient, type Account, type AccountKind, type ClientSecret, type User } from "../clients/accessManagement";
import { findServiceAccount, findUser, type LookupWording } from "../clients/accountLookup";
import { isPredefinedAccountName } from "../clients/productVersion";
import { Session } from "../clients/session";
import type { ProviderSettings } from "../config/settings";
import { isInputFinding, toTridionError } from "../errors/tridionError";
import { CannotRun, COMMON_USAGE, EXIT, parseFlags } from "./args";
import type { Command, Io } from "./command";
import { refusal, repairExitCodes, repairSettings, writeReport } from "./repairCommand";
import { causeAndFix } from "./report";

const usage = `Usage: pulumi-tridion revoke-secret (--user NAME [--identity-provider KEY] | --service-account NAME) --secret-id ID [--json] [settings flags]

Revokes one client secret of one account in Access Management (DELETE
.../clientSecrets/{secretId}): the repair for a secret an interrupted \`pulumi up\` left behind,
which nobody holds. It writes exactly that (as delete-service-account writes only its one
delete): nothing else changes. It runs as the provider's identity (tridion:clientId, which needs
Tridion.AccessManagement.Administrator).

  --user NAME                     the user, by exact name as Access Management lists it
  --identity-provider KEY         which identity provider's user, when several share the name
  --service-account NAME          the service account, by exact name (predefined ones are refused)
  --secret-id ID                  the id of the secret to revoke: one of the account's clientSecrets
${COMMON_USAGE}

${repairExitCodes("revoked")}`;

const WORDING: LookupWording = {
  userName: "--user",
  identityProvider: "--identity-provider",
  chooseProvider: (key) => `pass --identity-provider with the one you mean (e.g. --identity-provider ${key})`,
  again: "this command",
  adopt: "",
};

interface Target {
  kind: AccountKind;
  name: string;
  identityProvider?: string;
  secretId: number;
}

export interface RevokeReport {
  command: "revoke-secret";
  result: "revoked" | "already-gone" | "refused" | "failed";
  exitCode: number;
  summary: string;
  cause?: string;
  fix?: string;
  account?: { kind: "user" | "service account"; name: string; id: number; identityProvider?: string };
  secretId: number;
  /** The revoked secret's expiry, as Access Management listed it. */
  expiresAt?: string;
  /** What the account holds afterwards (ids and expiries; never a value). */
  remainingSecrets?: Array<{ id: number; expiresAt: string }>;
}

function parseTarget(values: Record<string, unknown>): Target {
  const user = values.user as string | undefined;
  const serviceAccount = values["service-account"] as string | undefined;
  if ((user === undefined) === (serviceAccount === undefined))
    throw new CannotRun("Name one account: --user NAME or --service-account NAME.", { showUsage: true });
  if (values["identity-provider"] !== undefined && user === undefined)
    throw new CannotRun("--identity-provider goes with --user.", { showUsage: true });
  const raw = values["secret-id"] as string | undefined;
  if (raw === undefined)
    throw new CannotRun("--secret-id ID is required: the id of the secret to revoke (one of the account's clientSecrets).", {
      showUsage: true,
    });
  const secretId = /^\d{1,10}$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(secretId) || secretId < 1 || secretId > 2_147_483_647) {
    throw new CannotRun(
      `--secret-id must be a secret's id, a whole number from 1 to 2147483647 (Access Management's ids are int32), got ${JSON.stringify(raw)}.`,
      { showUsage: true },
    );
  }
  const name = (user ?? serviceAccount)!;
  if (!name.trim()) throw new CannotRun(`--${user !== undefined ? "user" : "service-account"} needs a name.`, { showUsage: true });
  return {
    kind: user !== undefined ? "user" : "serviceAccount",
    name,
    identityProvider: values["identity-provider"] as string | undefined,
    secretId,
  };
}

const noun = (kind: AccountKind) => (kind === "user" ? "user" : "service account");
const listed = (secrets: ClientSecret[]) =>
  secrets.length ? secrets.map((s) => `id ${s.id} (expires ${s.expiresAt})`).join(", ") : "none";

async function revoke(target: Target, settings: ProviderSettings): Promise<RevokeReport> {
  const session = new Session(settings);
  const am = new AccessManagementClient(session, target.kind);
  const base = { command: "revoke-secret" as const, secretId: target.secretId };
  const refuse = (summary: string, cause: string, fix: string, account?: RevokeReport["account"]): RevokeReport => ({
    ...base,
    ...refusal(summary, cause, fix),
    account,
  });
  await am.preflight(`revoke a client secret of the ${noun(target.kind)} "${target.name}"`);
  let account: Account | undefined;
  if (target.kind === "user") account = await findUser(am, target.name, target.identityProvider, WORDING);
  else {
    account = await findServiceAccount(am, target.name, WORDING);
    if (!account) {
      return refuse(
        `No service account named "${target.name}".`,
        `Access Management lists no service account of that exact name.`,
        "Check the name as the Access Management UI lists it under Service accounts (or as the error that named this command gave it).",
      );
    }
  }
  const described: RevokeReport["account"] = {
    kind: target.kind === "user" ? "user" : "service account",
    name: account.name,
    id: account.id,
    identityProvider: target.kind === "user" ? (account as User).identityProviderKey : undefined,
  };
  const what = `the ${noun(target.kind)} "${account.name}" (id ${account.id})`;
  if (target.kind === "serviceAccount" && isPredefinedAccountName(account.name)) {
    return refuse(
      `Refused: ${what} is a predefined account of Access Management.`,
      "Tridion's own services authenticate with the predefined accounts' secrets; the provider never issues secrets on them, so no `pulumi up` leaves one behind there.",
      "If you are sure a secret of it must go, revoke it in the Access Management UI (Service accounts > the account > Client secrets).",
      described,
    );
  }
  if (account.clientId && account.clientId === settings.clientId) {
    return refuse(
      `Refused: ${what} is the provider's own identity (tridion:clientId), the one this command runs as.`,
      "Which of its secrets is in use cannot be told from here: revoking the wrong one locks the provider out.",
      "Revoke it with another administrator identity (`--no-stack` with TRIDION_CLIENT_ID / TRIDION_CLIENT_SECRET of another account, since stack config wins over the environment), or in the Access Management UI.",
      described,
    );
  }
  const secrets = account.clientSecrets ?? [];
  const secret = secrets.find((s) => s.id === target.secretId);
  if (!secret) {
    return refuse(
      `Refused: ${what} holds no client secret with the id ${target.secretId}.`,
      `Its client secrets: ${listed(secrets)}. A secret id names one secret of one account; this one is not the account's (another account's, or revoked already).`,
      "Check the account and the id in the message that named this command (or in the Access Management UI), then run it again.",
      described,
    );
  }
  const gone = !(await am.revokeSecret(account.id, target.secretId));
  const after = await am.get(account.id).catch(() => undefined);
  const remaining = (after?.clientSecrets ?? secrets.filter((s) => s.id !== target.secretId)).map((s) => ({
    id: s.id,
    expiresAt: s.expiresAt,
  }));
  return {
    ...base,
    result: gone ? "already-gone" : "revoked",
    exitCode: EXIT.ok,
    summary: gone
      ? `The client secret ${target.secretId} of ${what} was already gone (revoked meanwhile): nothing to do.`
      : `Revoked the client secret ${target.secretId} of ${what} (it ${Date.parse(secret.expiresAt) < Date.now() ? "expired" : "would have expired"} ${secret.expiresAt}). Its client secrets now: ${listed(remaining as ClientSecret[])}.`,
    account: described,
    expiresAt: secret.expiresAt,
    remainingSecrets: remaining,
  };
}

export const revokeSecretCommand: Command = {
  name: "revoke-secret",
  summary: "revoke one client secret of a user or service account (writes: DELETE .../clientSecrets/{id})",
  usage,
  async run(argv: string[], io: Io): Promise<number> {
    const { values, settingFlags } = parseFlags(argv, {
      user: { type: "string" },
      "service-account": { type: "string" },
      "identity-provider": { type: "string" },
      "secret-id": { type: "string" },
    });
    const target = parseTarget(values);
    const settings = await repairSettings("revoke-secret", values, settingFlags, io);
    let report: RevokeReport;
    try {
      report = await revoke(target, settings);
    } catch (error) {
      const e = toTridionError(error);
      const { cause, fix } = causeAndFix(e);
      report = {
        command: "revoke-secret",
        // what the lookup found about the account named (errors/codes.ts, inputFinding) is a refusal
        result: isInputFinding(e) ? "refused" : "failed",
        exitCode: EXIT.problems,
        summary: `Nothing was revoked: ${cause}`,
        fix,
        secretId: target.secretId,
      };
    }
    return writeReport(io, values.json === true, report);
  },
};
