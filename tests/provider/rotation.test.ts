// Rotation without a gap, against the emulator through the provider implementation: the new
// client secret proven with a token before the old one is revoked (also while Access Management is
// slow to show new secrets and grants: the propagationDelayMs fault), the overlap that keeps the
// old one as previousSecret until the first `up` after its revokeAfter on Access Management's
// clock, and the two-secret limit when a secret no state records holds the other slot.
import test from "ava";
import { requestToken, type TestEmulator } from "../helpers/emulator";
import { adminApi, configFor, configure, failure, impl, start, warningsOf } from "./support";

const sa = impl.serviceAccount;
const user = impl.clientCredentialUser;
const ADDONS_ADMIN = "Tridion.AddonService.Administrator";
const ADDONS_READONLY = "Tridion.AddonService.ReadOnly";
const CM_ADMIN = "Tridion.ContentManager.Administrator";
const HOUR = 3600;

async function works(emulator: TestEmulator, clientId: string, clientSecret: string): Promise<boolean> {
  return (await requestToken(emulator.accessManagementUrl, clientId, clientSecret)).status === 200;
}

/** The secrets an account holds now (a fresh admin token: the tests move the emulator's clock past a token's life). */
async function secretIds(emulator: TestEmulator, kind: "Users" | "ServiceAccounts", id: number): Promise<number[]> {
  return (await adminApi(emulator)).access.secretIds(kind, id);
}

/** The token requests of an account's client id in the request log, and when each was answered. */
function tokenRequests(emulator: TestEmulator, clientId: string) {
  return emulator.requestLog().filter((e) => e.method === "POST" && /\/connect\/token$/.test(e.path) && e.identity === clientId);
}

test.serial("the new secret is proven late (propagation delay): the old one is revoked only after a token with the new one", async (t) => {
  const emulator = await start({ productVersion: "10" }, { "tridion:verifyTimeoutSeconds": "20" });
  t.teardown(() => emulator.close());
  const inputs = { accountName: "late", roles: [ADDONS_ADMIN] };
  const created = (await sa.create(inputs)).outs;
  const id = created.serviceAccountId as number;

  emulator.setFaults({ propagationDelayMs: 1500 });
  emulator.clearRequestLog();
  const started = Date.now();
  const rotated = (await sa.update!(String(id), created, { ...inputs, secretVersion: 2 })).outs;
  emulator.setFaults({});
  t.true(Date.now() - started >= 1400, "the update waited for the new secret to be usable");
  t.not(rotated.secretId, created.secretId);
  t.deepEqual(await secretIds(emulator, "ServiceAccounts", id), [rotated.secretId], "the old secret is revoked");
  t.is(rotated.previousSecret, undefined, "no overlap asked: nothing kept");
  t.is(rotated.proofPending, undefined);

  // In order: refused while the secret propagates, then a token, then the revocation.
  // (A refused token request names no identity: the log knows the caller only once it is known.)
  const log = emulator.requestLog();
  const generated = log.findIndex((e) => e.method === "POST" && e.path.endsWith("/generateClientSecret"));
  const refused = log.slice(generated).filter((e) => e.method === "POST" && /\/connect\/token$/.test(e.path) && e.status === 401);
  const proof = tokenRequests(emulator, created.clientId).find((e) => e.status === 200)!;
  const revoke = log.find((e) => e.method === "DELETE" && e.path.endsWith(`/clientSecrets/${created.secretId}`))!;
  t.true(refused.length >= 1, "the token endpoint refused the new secret at first");
  t.truthy(proof, "a token was taken with the new secret");
  t.true(log.indexOf(proof) < log.indexOf(revoke), "the proof came before the revocation");
  t.true(await works(emulator, rotated.clientId, rotated.clientSecret));
  t.false(await works(emulator, created.clientId, created.clientSecret));
});

test.serial("a proof that never comes: up fails naming what the token lacks, revokes nothing, and the next up converges", async (t) => {
  const emulator = await start({ productVersion: "10" }, { "tridion:verifyTimeoutSeconds": "1" });
  t.teardown(() => emulator.close());
  const inputs = { accountName: "slow", roles: [ADDONS_ADMIN] };
  const created = (await sa.create(inputs)).outs;
  const id = created.serviceAccountId as number;
  const rotate = { ...inputs, secretVersion: 2 };

  // The new secret is refused for longer than the proof waits.
  emulator.setFaults({ propagationDelayMs: 60_000 });
  const err = await failure(sa.update!(String(id), created, rotate));
  t.regex(
    err.message,
    /the new client secret \d+ of the service account "slow" was not proven within 1 s \(tridion:verifyTimeoutSeconds\)/,
  );
  t.regex(err.message, /the token endpoint still refuses it .*CREDENTIALS_REJECTED/);
  t.regex(err.message, /Nothing was revoked: the new secret is recorded in the state, the old one \d+ as previousSecret/);
  t.regex(err.message, /Fix: .*run `pulumi up` again later/);
  const partial = err.properties!;
  t.not(partial.secretId, created.secretId, "the new secret is recorded");
  t.like(partial.previousSecret, { secretId: created.secretId });
  t.true(partial.proofPending as boolean);
  t.deepEqual(
    (await secretIds(emulator, "ServiceAccounts", id)).sort((a, b) => a - b),
    [created.secretId as number, partial.secretId as number].sort((a, b) => a - b),
    "nothing revoked, no secret lost",
  );
  t.true(await works(emulator, created.clientId, created.clientSecret), "the old secret still works");
  for (const value of [created.clientSecret, partial.clientSecret]) t.false(err.message.includes(String(value)), "no secret in the error");

  // Preview shows the work left; a refresh keeps it.
  const read = (await sa.read!(String(id), partial)).props;
  t.true(read.proofPending as boolean);
  t.true((await sa.diff!(String(id), read, rotate)).changes);

  // Still refused: the next up fails the same way, and issues no third secret.
  const again = await failure(sa.update!(String(id), read, rotate));
  t.regex(again.message, /the client secret \d+ of the service account "slow" was not proven/);
  t.is((await secretIds(emulator, "ServiceAccounts", id)).length, 2, "no third secret");

  // Once Access Management shows it, the next up proves it and only then revokes the old one.
  emulator.setFaults({});
  const done = (await sa.update!(String(id), again.properties!, rotate)).outs;
  t.is(done.secretId, partial.secretId, "the same secret, not another rotation");
  t.is(done.previousSecret, undefined);
  t.is(done.proofPending, undefined);
  t.deepEqual(await secretIds(emulator, "ServiceAccounts", id), [done.secretId]);
  t.false(await works(emulator, created.clientId, created.clientSecret));
  t.true(await works(emulator, done.clientId, done.clientSecret));
  t.false((await sa.diff!(String(id), done, rotate)).changes);
});

test.serial("a role change is proven too: up waits until the token holds the new role, or fails naming what it lacks", async (t) => {
  const emulator = await start({ productVersion: "9.6", seedUsers: ["deployer"] }, { "tridion:verifyTimeoutSeconds": "20" });
  t.teardown(() => emulator.close());
  const inputs = { userName: "deployer", roles: [ADDONS_ADMIN] };
  const created = await user.create(inputs);

  // The grant reaches the token endpoint a second later: proven late.
  const more = { ...inputs, roles: [ADDONS_ADMIN, CM_ADMIN] };
  emulator.setFaults({ propagationDelayMs: 1000 });
  const started = Date.now();
  const granted = (await user.update!(created.id, created.outs, more)).outs;
  t.true(Date.now() - started >= 900, "the update waited for the grant to show in a token");
  t.is(granted.proofPending, undefined);
  t.false((await user.diff!(created.id, granted, more)).changes);

  // Longer than the proof waits: up fails with what the token holds and lacks; the secret stays.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  emulator.setFaults({ propagationDelayMs: 60_000 });
  await configure(configFor(emulator, { "tridion:verifyTimeoutSeconds": "1" }));
  const other = { ...inputs, roles: [ADDONS_READONLY, CM_ADMIN] };
  const err = await failure(user.update!(created.id, granted, other));
  t.regex(
    err.message,
    /the client secret \d+ of the user "deployer" was not proven within 1 s .*token for it holds aud \[Tridion\.AddonService, Tridion\.ContentManager\] and role \[Tridion\.AddonService\.Administrator, Tridion\.ContentManager\.Administrator\], and lacks role Tridion\.AddonService\.ReadOnly/,
  );
  t.is(err.properties?.secretId, created.outs.secretId, "no rotation for a role change");
  t.true(err.properties?.proofPending as boolean);
  t.true((await user.diff!(created.id, err.properties!, other)).changes, "the next preview shows the proof still to do");
});

test.serial(
  "overlap: the old secret stays valid as previousSecret until the first up after revokeAfter (the emulator's clock)",
  async (t) => {
    const emulator = await start({ productVersion: "10" });
    t.teardown(() => emulator.close());
    const inputs = { accountName: "overlap", roles: [ADDONS_ADMIN], secretOverlapHours: 2 };
    const created = (await sa.create((await sa.check!({}, inputs)).inputs)).outs;
    const id = created.serviceAccountId as number;
    const rotate = { ...inputs, secretVersion: 2 };

    const { result, warnings } = await warningsOf(() => sa.diff!(String(id), created, rotate));
    t.true(result.changes);
    t.regex(warnings, /the old one stays valid for 2 hours after the rotation \(previousSecret\)/);
    const before = Date.now();
    const rotated = (await sa.update!(String(id), created, rotate)).outs;
    t.not(rotated.secretId, created.secretId);
    t.like(rotated.previousSecret, { secretId: created.secretId, expiresAt: created.secretExpiresAt });
    const revokeAfter = Date.parse((rotated.previousSecret as { revokeAfter: string }).revokeAfter);
    t.true(
      Math.abs(revokeAfter - (before + 2 * HOUR * 1000)) < 10_000,
      `revokeAfter two hours after the rotation: ${new Date(revokeAfter).toISOString()}`,
    );
    t.is((await secretIds(emulator, "ServiceAccounts", id)).length, 2, "both secrets are on the account");
    t.true(await works(emulator, created.clientId, created.clientSecret), "consumers outside the stack keep working");
    t.true(await works(emulator, rotated.clientId, rotated.clientSecret));

    // Within the window: nothing to do (a refresh keeps previousSecret).
    const read = (await sa.read!(String(id), rotated)).props;
    t.deepEqual(read.previousSecret, rotated.previousSecret);
    t.false((await sa.diff!(String(id), read, rotate)).changes);

    // Access Management's clock passes revokeAfter (ours has not moved): preview shows the revocation, up does it.
    emulator.advanceClock(2 * HOUR + 60);
    const due = await warningsOf(() => sa.diff!(String(id), read, rotate));
    t.true(due.result.changes);
    t.regex(
      due.warnings,
      new RegExp(`the previous client secret ${created.secretId} will be revoked: its overlap \\(secretOverlapHours\\) ended at`),
    );
    const done = (await sa.update!(String(id), read, rotate)).outs;
    t.is(done.previousSecret, undefined);
    t.is(done.secretId, rotated.secretId);
    t.deepEqual(await secretIds(emulator, "ServiceAccounts", id), [done.secretId]);
    t.false(await works(emulator, created.clientId, created.clientSecret));
    t.false((await sa.diff!(String(id), done, rotate)).changes);
  },
);

test.serial(
  "overlap: lowering it moves revokeAfter (from the rotation); a failing revocation joins pendingRevocations; destroy revokes both",
  async (t) => {
    const emulator = await start({ productVersion: "9.6", seedUsers: ["deployer"] });
    t.teardown(() => emulator.close());
    const inputs = { userName: "deployer", roles: [ADDONS_ADMIN], secretOverlapHours: 48 };
    const created = await user.create(inputs);
    const userId = created.outs.userId as number;
    const rotate = { ...inputs, secretVersion: 2 };
    const rotated = (await user.update!(created.id, created.outs, rotate)).outs;
    const first = Date.parse((rotated.previousSecret as { revokeAfter: string }).revokeAfter);

    // 48 -> 24 hours, one hour later: revokeAfter moves 24 hours earlier, measured from the rotation.
    emulator.advanceClock(HOUR);
    const lower = { ...rotate, secretOverlapHours: 24 };
    t.true((await user.diff!(created.id, rotated, lower)).changes);
    const lowered = (await user.update!(created.id, rotated, lower)).outs;
    t.is(Date.parse((lowered.previousSecret as { revokeAfter: string }).revokeAfter), first - 24 * HOUR * 1000);
    t.is((await secretIds(emulator, "Users", userId)).length, 2);

    // 24 -> 1 hour, two hours after the rotation: due now; its revocation fails: it is remembered.
    emulator.advanceClock(HOUR);
    const shortest = { ...rotate, secretOverlapHours: 1 };
    emulator.setFaults({ errorBursts: [{ status: 503, count: 50, method: "DELETE", path: "/clientSecrets/" }] });
    const err = await failure(user.update!(created.id, lowered, shortest));
    emulator.setFaults({});
    t.regex(err.message, /Cannot revoke the client secret/);
    t.is(err.properties?.previousSecret, undefined);
    t.deepEqual(err.properties?.pendingRevocations, [created.outs.secretId]);
    const finished = (await user.update!(created.id, err.properties!, shortest)).outs;
    t.is(finished.pendingRevocations, undefined);
    t.deepEqual(await secretIds(emulator, "Users", userId), [finished.secretId]);

    // Another rotation with an overlap, then destroy: both of ours go, the user stays.
    const again = (await user.update!(created.id, finished, { ...shortest, secretVersion: 3 })).outs;
    t.like(again.previousSecret, { secretId: finished.secretId });
    t.is((await secretIds(emulator, "Users", userId)).length, 2);
    await user.delete!(created.id, again);
    t.deepEqual(await secretIds(emulator, "Users", userId), [], "destroy revokes the current and the previous secret");
  },
);

test.serial(
  "two-secret limit: with a foreign secret, preview says an overlap cannot happen and names it; overlap 0 revokes ours first and says so",
  async (t) => {
    const emulator = await start({ productVersion: "10" });
    t.teardown(() => emulator.close());
    const api = await adminApi(emulator);
    const inputs = { accountName: "crowded", roles: [ADDONS_ADMIN], secretOverlapHours: 4 };
    const created = (await sa.create(inputs)).outs;
    const id = created.serviceAccountId as number;
    const foreign = await api.access.generateSecret("ServiceAccounts", id);
    const rotate = { ...inputs, secretVersion: 2 };

    const previewed = await failure(sa.diff!(String(id), created, rotate));
    t.regex(
      previewed.message,
      new RegExp(
        `Cannot rotate the client secret of the service account "crowded" with an overlap of 4 hours .*the other slot holds client secret ${foreign.id} \\(expires .*never used\\), which no Pulumi state records`,
      ),
    );
    t.regex(
      previewed.message,
      /Fix: choose one: set secretOverlapHours to 0 .*or, if nothing uses client secret \d+, remove it: `npx pulumi-tridion revoke-secret --service-account "crowded" --secret-id \d+`/,
    );
    t.true(previewed.message.includes(`--secret-id ${foreign.id}`));
    const refused = await failure(sa.update!(String(id), created, rotate));
    t.regex(refused.message, /SECRET_OVERLAP_IMPOSSIBLE|Cannot rotate the client secret .* with an overlap of 4 hours/);
    t.deepEqual(
      await secretIds(emulator, "ServiceAccounts", id),
      [created.secretId as number, foreign.id].sort((a, b) => a - b),
      "nothing changed on the server",
    );
    t.true(await works(emulator, created.clientId, created.clientSecret));

    // Overlap 0: today's order (ours revoked first, the only room there is), and a warning says so.
    const now = { ...rotate, secretOverlapHours: 0 };
    const { result, warnings } = await warningsOf(() => sa.update!(String(id), created, now));
    t.regex(
      warnings,
      new RegExp(
        `the old client secret ${created.secretId} was revoked before the new one \\d+ was issued and proven: .*the other slot holds ${foreign.id}.*The proof came after the revocation`,
      ),
    );
    t.deepEqual(
      await secretIds(emulator, "ServiceAccounts", id),
      [foreign.id, result.outs.secretId as number].sort((a, b) => a - b),
    );
    for (const value of [created.clientSecret, result.outs.clientSecret])
      t.false(warnings.includes(String(value)), "no secret in the warnings");
  },
);

test.serial("an expiring secret is rotated with the overlap too, and an expired one is not kept", async (t) => {
  const emulator = await start({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const inputs = { accountName: "expiring", roles: [ADDONS_ADMIN], secretExpiresInDays: 40, rotateBeforeDays: 30, secretOverlapHours: 6 };
  const created = (await sa.create(inputs)).outs;
  const id = created.serviceAccountId as number;

  // Eleven days on Access Management's clock: the secret expires within rotateBeforeDays.
  emulator.advanceClock(11 * 24 * HOUR);
  const rotated = (await sa.update!(String(id), created, inputs)).outs;
  t.not(rotated.secretId, created.secretId);
  t.like(rotated.previousSecret, { secretId: created.secretId });
  t.is((await secretIds(emulator, "ServiceAccounts", id)).length, 2);

  // Past the overlap and past the new secret's expiry window... the previous one goes at the next up.
  emulator.advanceClock(7 * HOUR);
  const done = (await sa.update!(String(id), rotated, inputs)).outs;
  t.is(done.previousSecret, undefined);
  t.deepEqual(await secretIds(emulator, "ServiceAccounts", id), [done.secretId]);

  // An expired secret is useless to consumers: the rotation revokes it at once, overlap or not.
  emulator.advanceClock(41 * 24 * HOUR);
  const read = (await sa.read!(String(id), done)).props;
  t.is(read.secretStatus, "expired");
  const renewed = (await sa.update!(String(id), read, inputs)).outs;
  t.is(renewed.previousSecret, undefined);
  t.deepEqual(await secretIds(emulator, "ServiceAccounts", id), [renewed.secretId]);
});
