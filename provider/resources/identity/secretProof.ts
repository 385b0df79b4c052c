// Proof before revocation: after a client secret is issued, or the roles change, take a token
// with the secret as any consumer would (the client credentials grant at Access Management's token
// endpoint) and check that it holds what the program declares: every API of the declared roles in
// `aud`, every declared role in `role` (the account may hold more). Access Management may take a
// while to show a new secret or a new grant (its client store can be cached; several nodes), so
// the proof waits with the wait policy up to tridion:verifyTimeoutSeconds. Only a proven secret
// lets the old one be revoked.
import type { Session } from "../../clients/session";
import type { AccessToken, Identity } from "../../clients/tokens";
import { hasCode, TridionError } from "../../errors/tridionError";
import { poll } from "../../http/waiting";
import { waitPolicy } from "../../http/policy";
import { apiKeyOf } from "./accessControl";

/** What a token must hold: the declared roles and their APIs. */
export interface Declared {
  roles: readonly string[];
}

/** One look at the token endpoint: the token, or why there is none yet. */
type Attempt = { token: AccessToken } | { refused: TridionError };

/** What the token lacks of the declared roles and their APIs ([] when it holds them all). */
export function lacking(token: Pick<AccessToken, "roles" | "audiences">, declared: Declared): string[] {
  const apis = [...new Set(declared.roles.map(apiKeyOf))];
  return [
    ...apis.filter((api) => !token.audiences.includes(api)).map((api) => `aud ${api}`),
    ...declared.roles.filter((role) => !token.roles.includes(role)).map((role) => `role ${role}`),
  ];
}

/** Answers that may change while Access Management catches up: the secret not known yet, no API granted yet. */
function notYet(e: unknown): e is TridionError {
  return hasCode(e, "CREDENTIALS_REJECTED") || hasCode(e, "NO_API_ACCESS");
}

/**
 * Take tokens with `identity` until one holds what is declared, or the time runs out; then throw
 * SECRET_NOT_PROVEN naming what the last token held and lacked. `what` names the secret
 * ("the new client secret 12 of the user \"x\""), `then` says what was left undone.
 */
export async function proveSecret(
  session: Session,
  identity: Identity,
  declared: Declared,
  what: string,
  then: { undone: string; again: string },
): Promise<void> {
  const { verifyTimeoutMs } = session.settings;
  const attempt = async (): Promise<Attempt> => {
    try {
      return { token: await session.tokens.fresh(identity) };
    } catch (e) {
      if (notYet(e)) return { refused: e };
      throw e;
    }
  };
  const proven = (a: Attempt) => "token" in a && lacking(a.token, declared).length === 0;
  const last = await poll(waitPolicy(session.settings), {
    first: await attempt(),
    timeoutMs: verifyTimeoutMs,
    settled: proven,
    next: () => attempt(),
    onTimeout: (a) => notProven(a, declared, what, verifyTimeoutMs, then),
  });
  // timeoutMs 0 takes the first answer as final: it must still be a proof.
  if (!proven(last)) throw notProven(last, declared, what, verifyTimeoutMs, then);
}

function notProven(a: Attempt, declared: Declared, what: string, timeoutMs: number, then: { undone: string; again: string }): TridionError {
  const seconds = Math.round(timeoutMs / 1000);
  const held =
    "token" in a
      ? `Access Management's token for it holds aud [${a.token.audiences.join(", ")}] and role [${a.token.roles.join(", ")}], and lacks ${lacking(a.token, declared).join(", ")}`
      : `the token endpoint still refuses it (${a.refused.code}: ${a.refused.message}), so no token holds role [${declared.roles.join(", ")}] yet`;
  return new TridionError(
    "SECRET_NOT_PROVEN",
    `${what} was not proven within ${seconds} s (tridion:verifyTimeoutSeconds): ${held}. ${then.undone}`,
    {
      fix: `Access Management can take a while to show new secrets and grants (a cached client store, several nodes): run \`pulumi up\` again later; ${then.again} Or raise the wait: \`pulumi config set tridion:verifyTimeoutSeconds 300\` (or TRIDION_VERIFY_TIMEOUT_SECONDS).`,
      details: {
        declaredRoles: [...declared.roles],
        ...("token" in a ? { tokenAudiences: a.token.audiences, tokenRoles: a.token.roles, lacking: lacking(a.token, declared) } : {}),
      },
    },
  );
}
