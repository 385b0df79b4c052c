// The `propagationDelayMs` fault: Access Management's client store may be cached (IdentityServer's
// client store cache; several nodes behind a load balancer), so a secret just generated is refused
// at the token endpoint, and a grant just written is missing from tokens, for a while. The delay
// runs on real time (what a caller waits), not on the test clock.
import type { AccessLinks, Account } from "../store";

interface StaleAccess {
  /** What tokens carry while the change propagates: the access as it was before. */
  access: AccessLinks;
  /** When the last change was written (real time). */
  changedAt: number;
}

export class Propagation {
  /** When each secret still propagating was generated (real time). */
  private readonly secretsGeneratedAt = new Map<number, number>();
  /** By `kind:id` (users and service accounts count their ids separately). */
  private readonly staleAccess = new Map<string, StaleAccess>();

  constructor(private readonly delayMs: () => number) {}

  /** A secret was generated: with a delay, the token endpoint does not know it until then. */
  secretGenerated(secretId: number): void {
    if (this.delayMs() > 0) this.secretsGeneratedAt.set(secretId, Date.now());
  }

  /** Whether the token endpoint knows the secret yet. */
  secretVisible(secretId: number): boolean {
    const at = this.secretsGeneratedAt.get(secretId);
    if (at === undefined) return true;
    if (Date.now() - at >= this.delayMs()) {
      this.secretsGeneratedAt.delete(secretId);
      return true;
    }
    return false;
  }

  /** An account's access is about to change from `before`: with a delay, tokens keep carrying `before` until then. */
  accessChanging(account: Account, before: AccessLinks): void {
    if (this.delayMs() <= 0) return;
    const key = `${account.kind}:${account.id}`;
    const pending = this.staleAccess.get(key);
    const access = pending && Date.now() - pending.changedAt < this.delayMs() ? pending.access : before;
    this.staleAccess.set(key, { access: JSON.parse(JSON.stringify(access)) as AccessLinks, changedAt: Date.now() });
  }

  /** The access a token for this account carries now. */
  tokenAccess(account: Account): AccessLinks {
    const key = `${account.kind}:${account.id}`;
    const stale = this.staleAccess.get(key);
    if (!stale) return account.access;
    if (Date.now() - stale.changedAt >= this.delayMs()) {
      this.staleAccess.delete(key);
      return account.access;
    }
    return stale.access;
  }
}
