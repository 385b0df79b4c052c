// The lifecycle shared by ClientCredentialUser (a 9.5/9.6 user with client credentials) and
// ServiceAccount (10.x): an Access Management account, the roles this resource manages on it,
// and one client secret this resource owns.
//   create: [find by name] -> POST account | adopt -> PUT roles -> POST secret
//   read:   GET account, GET secrets -> drift (deleted, renamed, roles, secret revoked/expired)
//   update: PUT account -> POST new secret -> DELETE old secret (rotation)
//   delete: DELETE our secret -> DELETE account (if we created it) | PUT original roles
import type * as pulumi from "@pulumi/pulumi";
import { AccessManagementClient, Account, AccountKind, AccessSetting } from "../clients/accessManagement";
import { isAmbiguousFailure, partialFailure, ProductVersion, TridionError } from "../clients/errors";
import { getSession, Session } from "../clients/session";
import { warnOnce } from "../dynamic/diagnostics";
import { changedKeys, compact, guarded, InputChecker, isUnknown, withDefault } from "./common";
import {
  applyRoles, checkRoles, DEFAULT_ROTATE_BEFORE_DAYS, DEFAULT_SECRET_DAYS, grantedRoles, managedRolesOnServer,
  OwnedSecrets, restoreRoles, revokeSecrets, rotateSecret, RotationError, rotationReasons, secretDescription, secretState, unknownRoles,
} from "./identitySecrets";

export interface IdentitySpec {
  kind: AccountKind;
  /** "ClientCredentialUser" */
  resource: string;
  /** input holding the account name: "userName" | "accountName" */
  nameKey: string;
  /** output holding the account id: "userId" | "serviceAccountId" */
  idKey: string;
  /** inputs whose change needs a new account */
  replaceKeys: readonly string[];
  /** inputs written to the account by update */
  updateKeys: readonly string[];
  /** extra input validation */
  checkInputs(checker: InputChecker, news: Record<string, unknown>): void;
  /** the account body for POST/PUT */
  body(news: Record<string, unknown>, accessSettings: AccessSetting[], existing?: Account): Record<string, unknown>;
  /** echo of the account's own fields into outputs (drift) */
  fromAccount(account: Account): Record<string, unknown>;
  /** product-version rules: throw (unsupported) or warn (deprecated) */
  versionGuard(version: ProductVersion, name: string): Promise<void>;
}

/** The inputs of both identity resources besides their own. */
export const SECRET_INPUT_KEYS = ["roles", "secretExpiresInDays", "rotateBeforeDays", "secretVersion", "adopt"] as const;

type Props = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function identityProvider(spec: IdentitySpec): pulumi.dynamic.ResourceProvider {
  const inputKeys = [spec.nameKey, ...spec.updateKeys.filter((k) => k !== spec.nameKey), ...spec.replaceKeys.filter((k) => k !== spec.nameKey), ...SECRET_INPUT_KEYS];
  const uniqueInputKeys = [...new Set(inputKeys)];
  const pickInputs = (o: Props): Props => compact(Object.fromEntries(uniqueInputKeys.map((k) => [k, o[k]])));
  const name = (o: Props): string => String(o[spec.nameKey]);
  const what = (o: Props): string => `the ${spec.kind === "user" ? "user" : "service account"} "${name(o)}"`;

  function amClient(session: Session): AccessManagementClient {
    return new AccessManagementClient(session, spec.kind);
  }

  async function check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
    return guarded(async () => {
      const checker = new InputChecker(spec.resource, news);
      checker.requiredString(spec.nameKey, `the ${spec.kind === "user" ? "user" : "service account"} name in Access Management`);
      checkRoles(checker, news.roles, spec.resource);
      checker.optionalInteger("secretExpiresInDays", 1, 365, `default ${DEFAULT_SECRET_DAYS}; Access Management allows at most one year`);
      checker.optionalInteger("rotateBeforeDays", 0, 364, `default ${DEFAULT_ROTATE_BEFORE_DAYS}`);
      checker.optionalBoolean("adopt");
      const days = withDefault(news.secretExpiresInDays, DEFAULT_SECRET_DAYS);
      const before = withDefault(news.rotateBeforeDays, DEFAULT_ROTATE_BEFORE_DAYS);
      if (typeof days === "number" && typeof before === "number" && before >= days) {
        checker.fail("rotateBeforeDays", `rotateBeforeDays (${before}) must be less than secretExpiresInDays (${days}), or every \`up\` would rotate the secret.`);
      }
      const sv = news.secretVersion;
      if (sv !== undefined && sv !== null && !isUnknown(sv) && typeof sv !== "string" && typeof sv !== "number") {
        checker.fail("secretVersion", "secretVersion must be a string or a number; change it to rotate the client secret now.");
      }
      spec.checkInputs(checker, news);
      if (checker.failures.length) return { inputs: news, failures: checker.failures };

      // Settings are required for any change; a write needs the admin role (checked now, in preview).
      const session = getSession();
      const isNew = !olds || Object.keys(olds).length === 0;
      const writes = isNew || changedKeys(pickInputs(olds), pickInputs(news), uniqueInputKeys).length > 0;
      const am = amClient(session);
      await spec.versionGuard(await session.productVersion(), isUnknown(news[spec.nameKey]) ? spec.resource : name(news));
      if (writes) {
        await preflightIfReachable(am, `manage ${what(news)}`);
        const offered = await am.apiRoles().catch(() => undefined); // unreachable: the server decides at `up`
        for (const reason of offered ? unknownRoles(news.roles, offered) : []) checker.fail("roles", reason);
        if (checker.failures.length) return { inputs: news, failures: checker.failures };
      }
      return { inputs: news };
    });
  }

  async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
    return guarded(async () => {
      const replaces = changedSetKeys(olds, news, spec.replaceKeys);
      const updates = changedSetKeys(olds, news, spec.updateKeys.filter((k) => k !== "roles"));
      const rolesChanged = isUnknown(news.roles) || !sameSet(olds.roles, news.roles);
      const rotation = rotationReasons(olds, news);
      if (rotation.length && replaces.length === 0) {
        await warnOnce(`${spec.resource} ${what(news)}: the client secret will be rotated (${rotation.join("; ")}); everything using it gets the new value in the same update.`);
      }
      const pendingRevocations = (olds.pendingRevocations ?? []).length > 0;
      return {
        changes: replaces.length > 0 || updates.length > 0 || rolesChanged || rotation.length > 0 || pendingRevocations,
        replaces, // replaced delete-first: see deleteFirst() (the resource option wins over a diff's say)
      };
    });
  }

  async function create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
    return guarded(async () => {
      const session = getSession();
      await spec.versionGuard(await session.productVersion(), name(inputs));
      const am = amClient(session);
      await am.preflight(`create ${what(inputs)}`);
      const roles = inputs.roles as string[];
      const existing = await am.findByName(name(inputs));
      let account: Account;
      let createdAccount: boolean;
      let originalRoles: Record<string, string | null>;
      if (existing) {
        if (existing.predefined) {
          throw new TridionError(
            `Cannot manage ${what(inputs)}: it is a predefined account of Access Management, whose access settings cannot be changed. ` +
              `Fix: choose another ${spec.nameKey} (a new account gets the roles you need).`,
          );
        }
        if (!inputs.adopt) {
          throw new TridionError(
            `Cannot create ${what(inputs)}: it already exists in Access Management (id ${existing.id}), and Pulumi did not create it. ` +
              `Fix: set \`adopt: true\` on this ${spec.resource} to take it over (it keeps the account on delete and only undoes the roles it granted), or choose another ${spec.nameKey}.`,
            { status: 409 },
          );
        }
        createdAccount = false;
        const state = applyRoles(existing.accessSettings, roles, {});
        originalRoles = state.originalRoles;
        try {
          account = { ...existing, ...(await am.update(existing.id, spec.body(inputs, state.accessSettings, existing))) };
        } catch (e) {
          // The roles may have changed: keep what they were before, so delete can put them back.
          if (!isAmbiguousFailure(e)) throw e;
          throw partialFailure(e, existing.id, { ...pickInputs(inputs), ...spec.fromAccount(existing), [spec.idKey]: existing.id, createdAccount, originalRoles, secretStatus: "none" });
        }
      } else {
        const state = applyRoles([], roles, {});
        originalRoles = state.originalRoles; // all null: nothing to restore, the account goes on delete
        account = await createOrFindLanded(am, spec.body(inputs, state.accessSettings), name(inputs));
        createdAccount = true;
      }
      const base: Props = {
        ...pickInputs(inputs),
        ...spec.fromAccount(account),
        [spec.idKey]: account.id,
        clientId: account.clientId,
        createdAccount,
        originalRoles,
        grantedRoles: grantedRoles(roles, originalRoles),
      };
      try {
        const days = withDefault(inputs.secretExpiresInDays, DEFAULT_SECRET_DAYS);
        const { secret } = await rotateSecret(am, account.id, {}, days, secretDescription(name(inputs)), what(inputs));
        const outs = { ...base, clientId: secret.clientId ?? account.clientId, clientSecret: secret.secret, secretId: secret.id, secretExpiresAt: secret.expiresAt, secretStatus: "active" };
        return { id: account.id, outs };
      } catch (e) {
        if ((e as TridionError).id) throw e;
        const orphaned = (e as RotationError).orphanedSecretIds ?? [];
        throw partialFailure(e, account.id, compact({ ...base, secretStatus: "none", pendingRevocations: orphaned.length ? orphaned : undefined }));
      }
    });
  }

  async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
    return guarded(async () => {
      const am = amClient(getSession());
      const account = await am.get(id);
      if (!account) return {}; // deleted out of band: the engine drops it from state
      const secrets = await am.listSecrets(id);
      const { state, info } = secretState(secrets, props.secretId);
      const active = state === "active";
      const listed = new Set(secrets.map((s) => s.id));
      const pending = ((props.pendingRevocations ?? []) as string[]).filter((s) => listed.has(s));
      const outs: Props = compact({
        ...props,
        ...spec.fromAccount(account),
        clientId: account.clientId ?? props.clientId,
        roles: managedRolesOnServer(account.accessSettings, props.roles ?? []),
        secretStatus: state,
        // An expired secret keeps its id: it still fills a slot, and the next `up` revokes it.
        secretId: info ? props.secretId : undefined,
        clientSecret: active ? props.clientSecret : undefined,
        secretExpiresAt: info?.expiresAt ?? props.secretExpiresAt,
        pendingRevocations: pending.length ? pending : undefined,
      });
      delete outs.__provider;
      return { id, props: outs, inputs: pickInputs(outs) };
    });
  }

  async function update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
    return guarded(async () => {
      const session = getSession();
      await spec.versionGuard(await session.productVersion(), name(news));
      const am = amClient(session);
      await am.preflight(`update ${what(news)}`);
      const account = await am.get(id);
      if (!account) {
        throw new TridionError(`Cannot update ${what(news)}: it no longer exists in Access Management (deleted outside Pulumi). Fix: run \`pulumi refresh\` to drop it from state, then \`pulumi up\` creates it again.`, { status: 404 });
      }
      const roles = news.roles as string[];
      const state = applyRoles(account.accessSettings, roles, olds.originalRoles ?? {});
      let current: Props = {
        ...Object.fromEntries(Object.entries(olds).filter(([k]) => !uniqueInputKeys.includes(k))),
        ...pickInputs(news),
        ...spec.fromAccount(account),
        originalRoles: state.originalRoles,
        grantedRoles: grantedRoles(roles, state.originalRoles),
      };
      delete current.__provider;
      const fieldsChanged = changedSetKeys(spec.fromAccount(account), news, spec.updateKeys.filter((k) => k !== "roles")).length > 0;
      if (fieldsChanged || !sameSet(settingsKeys(account.accessSettings), settingsKeys(state.accessSettings))) {
        const updated = await am.update(id, spec.body(news, state.accessSettings, account));
        current = { ...current, ...spec.fromAccount({ ...account, ...updated }) };
      }
      current.roles = roles;
      const owned: OwnedSecrets = { secretId: olds.secretId, pendingRevocations: olds.pendingRevocations ?? [] };
      const rotation = rotationReasons(olds, news);
      if (rotation.length === 0) {
        // Only leftovers to revoke (an earlier revoke failed), or nothing at all.
        const { pending, error } = await revokeSecrets(am, id, owned.pendingRevocations ?? []);
        current = compact({ ...current, pendingRevocations: pending.length ? pending : undefined });
        if (error) throw partialFailure(error, id, current);
        return { outs: current };
      }
      try {
        const days = withDefault(news.secretExpiresInDays, DEFAULT_SECRET_DAYS);
        const { secret, pendingRevocations, revokeError } = await rotateSecret(am, id, owned, days, secretDescription(name(news)), what(news));
        current = compact({
          ...current, clientId: secret.clientId ?? current.clientId, clientSecret: secret.secret, secretId: secret.id, secretExpiresAt: secret.expiresAt, secretStatus: "active",
          pendingRevocations: pendingRevocations.length ? pendingRevocations : undefined,
        });
        if (revokeError) throw partialFailure(revokeError, id, current);
        return { outs: current };
      } catch (e) {
        if ((e as TridionError).id) throw e;
        // Our secrets revoked before the failure must leave state too.
        const revoked = (e as RotationError).revokedSecretIds ?? [];
        const pending = [...(owned.pendingRevocations ?? []).filter((s) => !revoked.includes(s)), ...((e as RotationError).orphanedSecretIds ?? [])];
        current = { ...current, pendingRevocations: pending.length ? pending : undefined };
        if (owned.secretId && revoked.includes(owned.secretId)) {
          current = { ...current, secretId: undefined, clientSecret: undefined, secretStatus: "revoked" };
        }
        throw partialFailure(e, id, compact(current));
      }
    });
  }

  async function remove(id: string, props: Props): Promise<void> {
    return guarded(async () => {
      const am = amClient(getSession());
      await am.preflight(`delete ${what(props)}`);
      if (props.createdAccount) {
        await am.delete(id); // its secrets go with it
        return;
      }
      // Adopted: leave the account, revoke our secrets, put the roles back as they were.
      const ours = [...(props.secretId ? [props.secretId] : []), ...(props.pendingRevocations ?? [])];
      const { error } = await revokeSecrets(am, id, ours);
      if (error) throw error;
      const account = await am.get(id);
      if (!account) return;
      const restored = restoreRoles(account.accessSettings, props.originalRoles ?? {});
      if (!sameSet(settingsKeys(account.accessSettings), settingsKeys(restored))) {
        await am.update(id, spec.body({ ...spec.fromAccount(account), [spec.nameKey]: account.name }, restored, account));
      }
    });
  }

  return { check, diff, create, read, update, delete: remove };
}

/**
 * POST the account. A POST is not retried blindly, so after an unclear failure (no answer, 5xx)
 * look: if the account is there now, the POST landed and it is ours.
 */
async function createOrFindLanded(am: AccessManagementClient, body: Record<string, unknown>, accountName: string): Promise<Account> {
  try {
    return await am.create(body);
  } catch (e) {
    if (!isAmbiguousFailure(e)) throw e;
    const landed = await am.findByName(accountName).catch(() => undefined);
    if (landed) return landed;
    throw e;
  }
}

async function preflightIfReachable(am: AccessManagementClient, action: string): Promise<void> {
  try {
    await am.preflight(action);
  } catch (e) {
    // A definite answer (role missing, credentials rejected) fails the preview; a network
    // problem does not: `up` reports it with retries behind it.
    if (e instanceof TridionError && (e.status === 401 || e.status === 403)) throw e;
  }
}

/** Keys the user set (an unset optional field is not managed) whose value differs. */
function changedSetKeys(olds: Props, news: Props, keys: readonly string[]): string[] {
  return changedKeys(olds, news, keys.filter((k) => news[k] !== undefined && news[k] !== null));
}

function sameSet(a: unknown, b: unknown): boolean {
  const x = Array.isArray(a) ? [...a].map(String).sort() : [];
  const y = Array.isArray(b) ? [...b].map(String).sort() : [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function settingsKeys(settings: AccessSetting[] = []): string[] {
  return settings.map((s) => `${s.api}.${s.role}`);
}
