// The lifecycle shared by ClientCredentialUser (a 9.5/9.6 user with client credentials) and
// ServiceAccount (10.x): an Access Management account, the roles this resource manages on it
// (links in its accessControlEntry), and one client secret this resource owns.
//   create: ApiResources -> establish the account (user: find it; service account: POST, or adopt)
//           -> POST generateClientSecret -> PUT its expiresAt
//   read:   GET account -> drift (deleted, roles, secret revoked/expired)
//   update: PUT account (roles, name) -> new secret -> proof -> DELETE old secret (rotation; with
//           secretOverlapHours the old one stays as previousSecret until the first `up` after its
//           revokeAfter, judged by Access Management's clock)
//   delete: DELETE account (if we created it) | DELETE our secrets, PUT the access back as it was
// A new secret, and the current one after a role change, is proven (secretProof.ts) before any
// old one is revoked; a proof that fails leaves `proofPending` for the next `up`.
import type * as pulumi from "@pulumi/pulumi";
import { AccessControlEntry, AccessManagementClient, Account, AccountKind, type ClientSecret } from "../../clients/accessManagement";
import { warnOnce } from "../../clients/engineLog";
import type { ProductVersion } from "../../clients/productVersion";
import { getSession, Session } from "../../clients/session";
import { isDefinite, PartialFailure, TridionError } from "../../errors/tridionError";
import type { EngineProvider } from "../kinds";
import { changedKeys, compact, guarded, InputChecker, isUnknown, withDefault } from "../common";
import {
  accessOf,
  grantedRoles,
  grantRoles,
  heldRoles,
  OriginalAccess,
  originalFromSeen,
  restoreAccess,
  RoleCatalog,
  sameAccess,
  checkRoles,
  unknownRoles,
} from "./accessControl";
import {
  DEFAULT_ROTATE_BEFORE_DAYS,
  DEFAULT_SECRET_DAYS,
  overlapImpossible,
  ownedIds,
  OwnedSecrets,
  ProofWindow,
  revokeSecrets,
  rotateSecret,
  RotationError,
  rotationReasons,
  secretStatus,
  StrangerPolicy,
  strangersAdvice,
} from "./clientSecrets";
import { proveSecret } from "./secretProof";
import { OWNER_KEY, ownerKeyOf } from "../ownership";
import { issuedSecretState, type IdentityInputs, type IdentityProps, type PreviousSecret } from "./identityState";

const HOUR_MS = 3_600_000;
/** At most a year: Access Management's longest secret lifetime. */
const MAX_OVERLAP_HOURS = 8760;

type Props = IdentityProps;

/** The account a create works on, with the desired access already on the server. */
export interface Established {
  account: Account;
  createdAccount: boolean;
  original: OriginalAccess;
}

/** What makes the shared lifecycle a ClientCredentialUser or a ServiceAccount; `I`: its inputs. */
export interface IdentitySpec<I extends IdentityInputs> {
  kind: AccountKind;
  /** "ClientCredentialUser" */
  resource: string;
  /** input holding the account name: "userName" | "accountName" */
  nameKey: string;
  /** output holding the account id: "userId" | "serviceAccountId" */
  idKey: string;
  /** inputs whose change needs another account */
  replaceKeys: readonly string[];
  /** the resource's own inputs besides the name (and the shared secret and role inputs) */
  ownKeys: readonly string[];
  /** inputs written to the account by update (besides roles) */
  updateKeys: readonly string[];
  /** extra input validation */
  checkInputs(checker: InputChecker, news: Props): void;
  /** preview: what the server says of the account these inputs name (e.g. a user who never signed in) */
  checkServer(am: AccessManagementClient, news: I, checker: InputChecker, isNew: boolean): Promise<void>;
  /** create: the account to manage, with the desired access applied */
  establish(
    am: AccessManagementClient,
    inputs: I,
    grant: (entry: AccessControlEntry | null | undefined) => { entry: AccessControlEntry; original: OriginalAccess },
  ): Promise<Established>;
  /** the body of a PUT of this account with this access */
  updateBody(account: Account, news: Partial<I>, entry: AccessControlEntry): Record<string, unknown>;
  /** flatten: the account's own fields as state (drift) */
  fromAccount(account: Account): Props;
  /** product-version rules: throw (unsupported) or warn (deprecated) */
  versionGuard(version: ProductVersion, name: string): Promise<void>;
}

/** The inputs of both identity resources besides their own. */
export const SECRET_INPUT_KEYS = [
  "roles",
  "secretExpiresInDays",
  "rotateBeforeDays",
  "secretVersion",
  "secretOverlapHours",
  OWNER_KEY,
] as const;

/** The lifecycle of one identity resource kind, over its spec: each engine method a named step. */
class IdentityLifecycle<I extends IdentityInputs> {
  private readonly inputKeys: string[];
  private readonly noun: string;

  constructor(private readonly spec: IdentitySpec<I>) {
    this.inputKeys = [...new Set([spec.nameKey, ...this.spec.ownKeys, ...SECRET_INPUT_KEYS])];
    this.noun = spec.kind === "user" ? "user" : "service account";
  }

  /** The inputs as the resource's own type (the engine hands plain data; check validated it). */
  private typed(o: Props): I {
    return o as unknown as I;
  }

  private pickInputs(o: Props): Props {
    return compact(Object.fromEntries(this.inputKeys.map((k) => [k, o[k]])));
  }

  private name(o: Props): string {
    return String(o[this.spec.nameKey]);
  }

  private what(o: Props): string {
    return `the ${this.noun} "${this.name(o)}"`;
  }

  private amClient(session: Session): AccessManagementClient {
    return new AccessManagementClient(session, this.spec.kind);
  }

  /** A client when the settings allow one (a preview may run without them: then nothing is asked). */
  private amClientIfConfigured(): AccessManagementClient | undefined {
    try {
      return this.amClient(getSession());
    } catch {
      return undefined;
    }
  }

  private async catalogOf(am: AccessManagementClient): Promise<RoleCatalog> {
    return new RoleCatalog(await am.apiResources());
  }

  private strangerPolicy(o: Props): StrangerPolicy {
    const { kind } = this.spec;
    return {
      revokeCommand: (secretId) => {
        // A user's identity provider, when the program names one: the same name may exist under several.
        const idp =
          kind === "user" && typeof o.identityProvider === "string" ? ` --identity-provider ${JSON.stringify(o.identityProvider)}` : "";
        return `npx pulumi-tridion revoke-secret ${kind === "user" ? "--user" : "--service-account"} ${JSON.stringify(this.name(o))}${idp} --secret-id ${secretId}`;
      },
    };
  }

  /** Name the secrets an interrupted run may have left (we cannot tell), with the command for each. */
  private async adviseOnStrangers(o: Props, strangers: ClientSecret[], policy: StrangerPolicy, heldBefore: string[] = []): Promise<void> {
    const advice = strangersAdvice(strangers, `${this.spec.resource} ${this.what(o)}`, policy);
    if (!advice) return;
    // The same run would have granted the roles too: they now look as if held before.
    const roles = heldBefore.length
      ? ` If so, that run also granted ${heldBefore.join(", ")}: they now count as held before this resource, so \`pulumi destroy\` will leave them (take them away in Access Management afterwards if the ${this.noun} should not keep them).`
      : "";
    await warnOnce(advice + roles);
  }

  /** Which of our secrets the account still holds (state's view: the one in use, the previous one, leftovers). */
  private owned(o: Props): OwnedSecrets {
    return { secretId: o.secretId, previousSecretId: o.previousSecret?.secretId, pendingRevocations: o.pendingRevocations ?? [] };
  }

  /** When a secret of this resource may have signed in by the proof of the run that issued it. */
  private proofWindow(session: Session, o: Props): ProofWindow {
    return { days: withDefault(o.secretExpiresInDays, DEFAULT_SECRET_DAYS), verifyTimeoutMs: session.settings.verifyTimeoutMs };
  }

  /**
   * Take tokens with the secret until one holds the declared roles (secretProof.ts). `secret`
   * names it in messages; `undone` says what was left for the next `up`.
   */
  private async prove(session: Session, o: Props, secret: string, undone: string): Promise<void> {
    await proveSecret(
      session,
      { clientId: String(o.clientId), clientSecret: String(o.clientSecret) },
      { roles: (o.roles ?? []) as string[] },
      `${secret} of ${this.what(o)}`,
      { undone, again: "it takes a token with the same secret again, and revokes the old one only once that token holds the roles." },
    );
  }

  /**
   * The previous secret as `news` asks for it at `now` (Access Management's clock): its
   * revokeAfter measured from the rotation with the overlap asked now, and whether that has come.
   */
  private previousAt(olds: Props, news: Props, now: number): { previous?: PreviousSecret; due: boolean } {
    const previous = olds.previousSecret;
    if (!previous) return { due: false };
    const oldHours = withDefault(olds.secretOverlapHours, 0);
    const newHours = withDefault(news.secretOverlapHours, 0);
    const revokeAfter =
      isUnknown(newHours) || oldHours === newHours
        ? previous.revokeAfter
        : new Date(Date.parse(previous.revokeAfter) - oldHours * HOUR_MS + newHours * HOUR_MS).toISOString();
    return { previous: { ...previous, revokeAfter }, due: Date.parse(revokeAfter) <= now };
  }

  /**
   * An overlap is asked for the rotation coming, but the account's other slot holds a secret no
   * state records: the old secret would have to go first. The error names that secret.
   */
  private overlapBlocked(account: Account, olds: Props, news: Props): TridionError | undefined {
    const hours = withDefault(news.secretOverlapHours, 0);
    if (isUnknown(hours) || !hours || olds.secretId === undefined || olds.secretStatus === "expired") return undefined;
    const secrets = account.clientSecrets ?? [];
    if (secrets.length < 2) return undefined;
    const listed = new Set(secrets.map((s) => s.id));
    const ours = ownedIds(this.owned(olds)).filter((sid) => listed.has(sid));
    if (ours[0] !== olds.secretId) return undefined; // a retired secret of ours makes the room
    return overlapImpossible(
      this.what(news),
      secrets.filter((s) => !ours.includes(s.id)),
      hours,
      this.strangerPolicy(news),
    );
  }

  /** check, step 1: the inputs' own form, without asking any server. */
  private checkForms(news: Props): InputChecker {
    const checker = new InputChecker(this.spec.resource, news);
    checker.requiredString(this.spec.nameKey, `the ${this.noun} name in Access Management`);
    checkRoles(checker, news.roles, this.spec.resource);
    checker.optionalInteger("secretExpiresInDays", 1, 365, `default ${DEFAULT_SECRET_DAYS}; Access Management allows at most one year`);
    checker.optionalInteger("rotateBeforeDays", 0, 364, `default ${DEFAULT_ROTATE_BEFORE_DAYS}`);
    checker.optionalInteger("secretOverlapHours", 0, MAX_OVERLAP_HOURS, "default 0: the old secret is revoked once the new one is proven");
    const days = withDefault(news.secretExpiresInDays, DEFAULT_SECRET_DAYS);
    const before = withDefault(news.rotateBeforeDays, DEFAULT_ROTATE_BEFORE_DAYS);
    if (typeof days === "number" && typeof before === "number" && before >= days) {
      checker.fail(
        "rotateBeforeDays",
        `rotateBeforeDays (${before}) must be less than secretExpiresInDays (${days}), or every \`up\` would rotate the secret.`,
      );
    }
    const sv = news.secretVersion;
    if (sv !== undefined && sv !== null && !isUnknown(sv) && typeof sv !== "string" && typeof sv !== "number") {
      checker.fail("secretVersion", "secretVersion must be a string or a number; change it to rotate the client secret now.");
    }
    this.spec.checkInputs(checker, news);
    return checker;
  }

  /**
   * check, step 2, when the inputs would write: what Access Management says in preview (the
   * provider identity's role, role keys it offers, the account these inputs name). Failures go
   * to `checker`; nothing is found when the service cannot be reached (then `up` decides).
   */
  private async checkAgainstServer(am: AccessManagementClient, news: Props, checker: InputChecker, isNew: boolean): Promise<void> {
    if (!(await preflightIfReachable(am, `manage ${this.what(news)}`))) return;
    const catalog = await this.catalogOf(am).catch(() => undefined); // unreachable: the server decides at `up`
    for (const reason of catalog ? unknownRoles(news.roles, catalog.offered()) : []) checker.fail("roles", reason);
    if (!isUnknown(news[this.spec.nameKey])) await this.spec.checkServer(am, this.typed(news), checker, isNew).catch(rethrowDefinite);
  }

  async check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
    return guarded(async () => {
      const checker = this.checkForms(news);
      if (checker.failures.length) return { inputs: news, failures: checker.failures };
      // The key the account was created with stays (a renamed stack keeps recognising it).
      const ownerKey = ownerKeyOf(olds, news);
      if (ownerKey) news = { ...news, ownerKey };

      // Settings are required for any change; a write needs the admin role (checked now, in preview).
      const session = getSession();
      const isNew = !olds || Object.keys(olds).length === 0;
      const writes = isNew || changedKeys(this.pickInputs(olds), this.pickInputs(news), this.inputKeys).length > 0;
      await this.spec.versionGuard(
        await session.productVersion(),
        isUnknown(news[this.spec.nameKey]) ? this.spec.resource : this.name(news),
      );
      if (writes) await this.checkAgainstServer(this.amClient(session), news, checker, isNew);
      return checker.failures.length ? { inputs: news, failures: checker.failures } : { inputs: news };
    });
  }

  async diff(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
    return guarded(async () => {
      const replaces = changedSetKeys(olds, news, this.spec.replaceKeys);
      const updates = changedSetKeys(olds, news, this.spec.updateKeys);
      const rolesChanged = isUnknown(news.roles) || !sameSet(olds.roles, news.roles);
      const rotation = rotationReasons(olds, news);
      const hours = withDefault(news.secretOverlapHours, 0);
      const label = `${this.spec.resource} ${this.what(news)}`;
      let previousDue = false;
      if (replaces.length === 0 && (olds.previousSecret || (rotation.length && hours))) {
        // Judged on Access Management's clock, and with what the account holds now (when it answers).
        const am = this.amClientIfConfigured();
        const account = am ? await am.get(Number(id)).catch(() => undefined) : undefined;
        if (account && rotation.length) {
          const blocked = this.overlapBlocked(account, olds, news);
          if (blocked) throw blocked;
        }
        const { previous, due } = this.previousAt(olds, news, am?.serverNow() ?? Date.now());
        previousDue = due;
        if (previous && due && !rotation.length) {
          await warnOnce(
            `${label}: the previous client secret ${previous.secretId} will be revoked: its overlap (secretOverlapHours) ended at ${previous.revokeAfter} by Access Management's clock.`,
          );
        }
      }
      if (rotation.length && replaces.length === 0) {
        const after =
          typeof hours === "number" && hours > 0 && olds.secretId !== undefined && olds.secretStatus !== "expired"
            ? `the old one stays valid for ${hours} hours after the rotation (previousSecret), then the first \`up\` from then on revokes it`
            : "the old one is revoked once a token with the new one holds the roles; everything using it gets the new value in the same update";
        await warnOnce(`${label}: the client secret will be rotated (${rotation.join("; ")}); ${after}.`);
      }
      if (olds.proofPending && replaces.length === 0) {
        await warnOnce(
          `${label}: the client secret ${olds.secretId} is not proven yet (a token with it did not hold the roles in time): \`up\` takes a token with it again before revoking anything.`,
        );
      }
      const pendingRevocations = (olds.pendingRevocations ?? []).length > 0;
      const settingsChanged = changedKeys(olds, news, ["rotateBeforeDays", "secretOverlapHours"]).length > 0;
      return {
        changes:
          replaces.length > 0 ||
          updates.length > 0 ||
          rolesChanged ||
          rotation.length > 0 ||
          pendingRevocations ||
          settingsChanged ||
          previousDue ||
          olds.proofPending === true,
        replaces, // replaced delete-first: see deleteFirst() (the resource option wins over a diff's say)
      };
    });
  }

  async create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
    return guarded(async () => {
      const session = getSession();
      await this.spec.versionGuard(await session.productVersion(), this.name(inputs));
      const am = this.amClient(session);
      await am.preflight(`create ${this.what(inputs)}`);
      const roles = inputs.roles as string[];
      const catalog = await this.catalogOf(am);
      const { account, createdAccount, original } = await this.spec.establish(am, this.typed(inputs), (entry) =>
        grantRoles(entry, roles, catalog),
      );
      const base: Props = compact({
        ...this.pickInputs(inputs),
        ...this.spec.fromAccount(account),
        [this.spec.idKey]: account.id,
        clientId: account.clientId ?? undefined,
        createdAccount: this.spec.kind === "serviceAccount" ? createdAccount : undefined,
        originalAccess: original,
        accessSeen: accessOf(account.accessControlEntry, catalog),
        grantedRoles: grantedRoles(roles, original),
      });
      const id = String(account.id);
      try {
        const days = withDefault(inputs.secretExpiresInDays, DEFAULT_SECRET_DAYS);
        const policy = this.strangerPolicy(inputs);
        const { secret, strangers } = await rotateSecret(am, account.id, {}, days, this.what(inputs), policy, {
          proofWindow: this.proofWindow(session, inputs),
        });
        const heldBefore = roles.filter((r) => !(base.grantedRoles ?? []).includes(r));
        await this.adviseOnStrangers(inputs, strangers, policy, heldBefore);
        const outs: Props = { ...base, ...issuedSecretState(secret) };
        try {
          await this.prove(session, outs, `the new client secret ${secret.id}`, "The secret is recorded in the state.");
        } catch (e) {
          throw new PartialFailure(e, id, { ...outs, proofPending: true });
        }
        return { id, outs };
      } catch (e) {
        if (e instanceof PartialFailure) throw e;
        throw new PartialFailure(e, id, afterFailedRotation(base, {}, e as RotationError));
      }
    });
  }

  async read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
    return guarded(async () => {
      const am = this.amClient(getSession());
      const account = await am.get(Number(id));
      if (!account) return {}; // deleted out of band: the engine drops it from state
      if (props[this.spec.idKey] === undefined && props[this.spec.nameKey] === undefined) return this.imported(id, account, am);
      const secrets = account.clientSecrets ?? [];
      const { state, info } = secretStatus(secrets, props.secretId, am.serverNow());
      const listed = new Set(secrets.map((s) => s.id));
      const pending = ((props.pendingRevocations ?? []) as number[]).filter((s) => listed.has(s));
      const roles = props.roles ?? [];
      const outs: Props = compact({
        ...props,
        ...this.spec.fromAccount(account),
        clientId: account.clientId ?? props.clientId,
        roles: heldRoles(account.accessControlEntry, roles, await this.catalogOf(am)),
        secretStatus: state,
        // An expired secret keeps its id: it still fills a slot, and the next `up` revokes it.
        secretId: info ? props.secretId : undefined,
        clientSecret: state === "active" ? props.clientSecret : undefined,
        secretExpiresAt: info?.expiresAt ?? props.secretExpiresAt,
        pendingRevocations: pending.length ? pending : undefined,
        previousSecret: previousAsListed(props.previousSecret, secrets),
      });
      delete outs.__provider;
      return { id, props: outs, inputs: this.pickInputs(outs) };
    });
  }

  /**
   * Read by an import (an id, no state): the account as it is, its roles read from its
   * accessControlEntry and counted as held before (delete leaves them, a service account stays).
   * No secret can be read (Access Management shows a value only once), so the resource holds
   * none: the next `up` issues one of its own, and says so.
   */
  private async imported(id: string, account: Account, am: AccessManagementClient): Promise<pulumi.dynamic.ReadResult> {
    const catalog = await this.catalogOf(am);
    const seen = accessOf(account.accessControlEntry, catalog);
    const held = Object.entries(seen).filter(([, a]) => a.linked && a.role);
    const outs: Props = compact({
      ...this.spec.fromAccount(account),
      [this.spec.idKey]: account.id,
      clientId: account.clientId ?? undefined,
      createdAccount: this.spec.kind === "serviceAccount" ? false : undefined,
      roles: held.map(([, a]) => a.role as string),
      originalAccess: Object.fromEntries(held),
      accessSeen: seen,
      grantedRoles: [],
      secretStatus: "none",
    });
    const others = (account.clientSecrets ?? []).map((s) => s.id);
    await warnOnce(
      `${this.spec.resource}: imported ${this.what(outs)}. Access Management shows a client secret's value only once, so this resource holds no secret: the next \`pulumi up\` issues one of its own (its clientSecret output)${others.length ? `; the ${others.length === 1 ? "secret" : "secrets"} the ${this.noun} already holds (id ${others.join(", ")}) ${others.length === 1 ? "stays" : "stay"} as ${others.length === 1 ? "it is" : "they are"}` : ""}.`,
    );
    return { id, props: outs, inputs: this.pickInputs(outs) };
  }

  async update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
    return guarded(async () => {
      const session = getSession();
      await this.spec.versionGuard(await session.productVersion(), this.name(news));
      const am = this.amClient(session);
      await am.preflight(`update ${this.what(news)}`);
      const accountId = Number(id);
      const account = await am.get(accountId);
      if (!account) {
        throw new TridionError(
          "ACCOUNT_GONE",
          `Cannot update ${this.what(news)}: it no longer exists in Access Management (deleted outside Pulumi).`,
          {
            fix: `run \`pulumi refresh\` to drop it from state, then \`pulumi up\` ${this.spec.kind === "user" ? "grants the user (once signed in again) its roles" : "creates it again"}.`,
          },
        );
      }
      const roles = news.roles as string[];
      const catalog = await this.catalogOf(am);
      // APIs managed from now on held what the server holds, unless an update whose result was
      // lost has granted their role already: then what this resource last saw (originalFromSeen).
      const managed = olds.originalAccess ?? {};
      const original = { ...originalFromSeen(olds.accessSeen, account.accessControlEntry, roles, managed, catalog), ...managed };
      const granted = grantRoles(account.accessControlEntry, roles, catalog, original);
      let current: Props = {
        ...Object.fromEntries(Object.entries(olds).filter(([k]) => !this.inputKeys.includes(k))),
        ...this.pickInputs(news),
        ...this.spec.fromAccount(account),
        originalAccess: granted.original,
        accessSeen: accessOf(granted.entry, catalog),
        grantedRoles: grantedRoles(roles, granted.original),
      };
      delete current.__provider;
      const fieldsChanged = changedSetKeys(this.spec.fromAccount(account), news, this.spec.updateKeys).length > 0;
      if (fieldsChanged || !sameAccess(account.accessControlEntry, granted.entry)) {
        const updated = await am.update(accountId, this.spec.updateBody(account, this.typed(news), granted.entry), account.name);
        current = { ...current, ...this.spec.fromAccount({ ...account, ...updated }) };
      }
      current.roles = roles;
      const owned = this.owned(olds);
      const now = am.serverNow();
      const what = this.what(news);
      if (rotationReasons(olds, news, now).length === 0) return { outs: await this.settle(session, am, id, olds, news, current, now) };

      // Rotation. The old secret is kept for the overlap only while it works (not expired).
      const hours = withDefault(news.secretOverlapHours, 0);
      const keepOld = hours > 0 && olds.secretId !== undefined && olds.secretStatus !== "expired";
      const policy = this.strangerPolicy(news);
      let rotated;
      try {
        const days = withDefault(news.secretExpiresInDays, DEFAULT_SECRET_DAYS);
        rotated = await rotateSecret(am, accountId, owned, days, what, policy, {
          overlapHours: keepOld ? hours : 0,
          proofWindow: this.proofWindow(session, news),
        });
      } catch (e) {
        if (e instanceof PartialFailure) throw e;
        throw new PartialFailure(e, id, afterFailedRotation(current, owned, e as RotationError));
      }
      const { secret, retired, crowdedBy, strangers } = rotated;
      await this.adviseOnStrangers(news, strangers, policy);
      const oldSecret = olds.secretId !== undefined && retired.includes(olds.secretId) ? olds.secretId : undefined;
      const others = retired.filter((sid) => sid !== oldSecret);
      // Until the proof, the old secret is the previous one (revokeAfter: the rotation plus the overlap).
      const previous: PreviousSecret | undefined =
        oldSecret !== undefined
          ? {
              secretId: oldSecret,
              expiresAt: String(olds.secretExpiresAt ?? ""),
              revokeAfter: new Date(am.serverNow() + (keepOld ? hours : 0) * HOUR_MS).toISOString(),
            }
          : undefined;
      current = compact({
        ...current,
        ...issuedSecretState(secret),
        previousSecret: previous,
        pendingRevocations: others.length ? others : undefined,
        proofPending: true,
      });
      if (crowdedBy.length) {
        await warnOnce(
          `${this.spec.resource} ${what}: the old client secret ${olds.secretId} was revoked before the new one ${secret.id} was issued and proven: Access Management holds two client secrets at most, and the other slot holds ${crowdedBy.map((s) => s.id).join(", ")}, which no Pulumi state records. The proof came after the revocation.`,
        );
      }
      try {
        await this.prove(
          session,
          current,
          `the new client secret ${secret.id}`,
          `Nothing was revoked: the new secret is recorded in the state${previous ? `, the old one ${previous.secretId} as previousSecret` : ""}.`,
        );
      } catch (e) {
        throw new PartialFailure(e, id, current);
      }
      const toRevoke = [...others, ...(oldSecret !== undefined && !keepOld ? [oldSecret] : [])];
      const { pending, error } = await revokeSecrets(am, accountId, toRevoke);
      current = compact({
        ...current,
        proofPending: undefined,
        previousSecret: keepOld ? previous : undefined,
        pendingRevocations: pending.length ? pending : undefined,
      });
      if (error) throw new PartialFailure(error, id, current);
      return { outs: current };
    });
  }

  /**
   * An update without a rotation: prove the secret in use if the roles changed (or an earlier
   * proof did not come), then revoke leftovers and the previous secret once its overlap is over
   * (a revoke that fails joins pendingRevocations).
   */
  private async settle(
    session: Session,
    am: AccessManagementClient,
    id: string,
    olds: Props,
    news: Props,
    current: Props,
    now: number,
  ): Promise<Props> {
    const rolesChanged = !sameSet(olds.roles, news.roles);
    if ((rolesChanged || olds.proofPending) && current.clientSecret && current.secretId !== undefined) {
      try {
        await this.prove(
          session,
          current,
          `the client secret ${current.secretId}`,
          `Nothing was revoked${olds.previousSecret ? ` (the previous secret ${olds.previousSecret.secretId} stays)` : ""}.`,
        );
      } catch (e) {
        throw new PartialFailure(e, id, compact({ ...current, proofPending: true }));
      }
    }
    const { previous, due } = this.previousAt(olds, news, now);
    const toRevoke = [...(olds.pendingRevocations ?? []), ...(previous && due ? [previous.secretId] : [])];
    const { pending, error } = await revokeSecrets(am, Number(id), toRevoke);
    const next = compact({
      ...current,
      proofPending: undefined,
      previousSecret: previous && !pending.includes(previous.secretId) && !due ? previous : undefined,
      pendingRevocations: pending.length ? pending : undefined,
    });
    if (error) throw new PartialFailure(error, id, next);
    return next;
  }

  async remove(id: string, props: Props): Promise<void> {
    return guarded(async () => {
      const am = this.amClient(getSession());
      await am.preflight(`delete ${this.what(props)}`);
      const accountId = Number(id);
      if (props.createdAccount) {
        await am.delete(accountId); // its secrets go with it
        return;
      }
      // Not ours (a user, or an adopted service account): revoke our secrets, put the access back.
      const ours = ownedIds(this.owned(props));
      const { error } = await revokeSecrets(am, accountId, ours);
      if (error) throw error;
      const account = await am.get(accountId);
      if (!account) return;
      const restored = restoreAccess(account.accessControlEntry, props.originalAccess ?? {}, await this.catalogOf(am));
      if (!sameAccess(account.accessControlEntry, restored)) {
        await am.update(
          accountId,
          this.spec.updateBody(account, this.typed({ ...this.spec.fromAccount(account), [this.spec.nameKey]: account.name }), restored),
        );
      }
    });
  }
}

export function identityProvider<I extends IdentityInputs>(spec: IdentitySpec<I>): Omit<EngineProvider, "configure"> {
  const lifecycle = new IdentityLifecycle(spec);
  return {
    check: (olds, news) => lifecycle.check(olds, news),
    diff: (id, olds, news) => lifecycle.diff(id, olds, news),
    create: (inputs) => lifecycle.create(inputs),
    read: (id, props) => lifecycle.read(id, props),
    update: (id, olds, news) => lifecycle.update(id, olds, news),
    delete: (id, props) => lifecycle.remove(id, props),
  };
}

/**
 * State after a rotation failed part-way: secrets of ours already revoked leave it, leftovers a
 * lost answer produced are pending, and a new secret whose expiry could not be set is kept (it
 * works, with the server's default expiry: `secretExpiresInDays` is left out so the next `up`
 * issues one with the asked expiry if it differs).
 */
function afterFailedRotation(current: Props, owned: OwnedSecrets, e: RotationError): Props {
  const revoked = e.revokedSecretIds ?? [];
  const pending = [...(owned.pendingRevocations ?? []).filter((s) => !revoked.includes(s)), ...(e.orphanedSecretIds ?? [])];
  let next: Props = { ...current, pendingRevocations: pending.length ? pending : undefined };
  if (owned.previousSecretId !== undefined && revoked.includes(owned.previousSecretId)) next = { ...next, previousSecret: undefined };
  if (owned.secretId !== undefined && revoked.includes(owned.secretId)) {
    next = { ...next, secretId: undefined, clientSecret: undefined, secretStatus: "revoked" };
  } else if (owned.secretId === undefined) {
    next = { ...next, secretStatus: "none" };
  }
  if (e.issued) {
    const stillOurs = owned.secretId !== undefined && !revoked.includes(owned.secretId) ? [owned.secretId] : [];
    const retired = [...(next.pendingRevocations ?? []), ...stillOurs];
    next = {
      ...next,
      ...issuedSecretState(e.issued),
      secretExpiresInDays: undefined,
      pendingRevocations: retired.length ? retired : undefined,
      proofPending: true, // the next `up` proves it before revoking the old one
    };
  }
  return compact(next);
}

/**
 * Preflight in preview: a definite answer (role missing, credentials rejected) fails the preview;
 * a network problem does not (`up` reports it with retries behind it). False when unreachable.
 */
async function preflightIfReachable(am: AccessManagementClient, action: string): Promise<boolean> {
  try {
    await am.preflight(action);
    return true;
  } catch (e) {
    rethrowDefinite(e);
    return false;
  }
}

/** Answers that will not change by trying again (errors/codes.ts): the preview reports them; anything else waits for `up`. */
function rethrowDefinite(e: unknown): void {
  if (isDefinite(e)) throw e;
}

/** Keys the user set (an unset optional field is not managed) whose value differs. */
function changedSetKeys(olds: Props, news: Props, keys: readonly string[]): string[] {
  return changedKeys(
    olds,
    news,
    keys.filter((k) => news[k] !== undefined && news[k] !== null),
  );
}

/** The previous secret as the account lists it now (its expiry from the server), or nothing once it is gone. */
function previousAsListed(previous: PreviousSecret | undefined, secrets: readonly ClientSecret[]): PreviousSecret | undefined {
  if (!previous) return undefined;
  const listed = secrets.find((s) => s.id === previous.secretId);
  return listed ? { ...previous, expiresAt: listed.expiresAt ?? previous.expiresAt } : undefined;
}

function sameSet(a: unknown, b: unknown): boolean {
  const x = Array.isArray(a) ? [...a].map(String).sort() : [];
  const y = Array.isArray(b) ? [...b].map(String).sort() : [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
