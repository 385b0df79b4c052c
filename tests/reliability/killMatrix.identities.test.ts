// Kill matrix, ClientCredentialUser (9.6) and ServiceAccount (10): `pulumi up`/`destroy` killed
// (kill -9 of the process group) right after Access Management carried out the write that
// matters; then the documented recovery: `pulumi cancel`, the same command again, and, only where
// a secret was generated whose answer died with the run (the API gives secrets no mark), the one
// `npx pulumi-tridion revoke-secret ...` command the warning names. No edit of the program: what
// it declares (roles, secretVersion, secretOverlapHours) comes from stack config.
import test, { type ExecutionContext } from "ava";
import { ADDONS_ADMIN, assertIdentityConverged, CM_ADMIN, KillProject, namedRepairs, type Kind } from "./killMatrix";

const SECRET = "/generateClientSecret$";

for (const kind of ["user", "serviceAccount"] as const) {
  const route = kind === "user" ? "/api/v1/Users" : "/api/v1/ServiceAccounts";
  const projects: Partial<Record<Kind, KillProject>> = {};
  const project = () => projects[kind]!;
  test.before(async () => {
    projects[kind] = await KillProject.create(kind);
  });
  test.after.always(async () => {
    await projects[kind]?.close();
  });

  /** `pulumi up` after the cancel, then each repair command the output names (none where the key tells). */
  async function upAndRepair(t: ExecutionContext, expectedRepairs: number): Promise<string> {
    const output = await project().up();
    const repairs = namedRepairs(output);
    t.is(repairs.length, expectedRepairs, `repairs named: ${JSON.stringify(repairs)}`);
    for (const command of repairs) {
      t.log(`ran: ${command}`);
      // As written, but never fetched from the registry: the command is the installed package's.
      const [npx, ...args] = command.split(" ").map((a) => a.replace(/^"(.*)"$/, "$1"));
      await project().must(["--no", ...args], npx);
    }
    return output;
  }

  if (kind === "serviceAccount") {
    test.serial(`${kind} create: killed after the account was created; cancel + up finishes it (its client id is the key)`, async (t) => {
      await project().killDuring(t, ["up"], { method: "POST", path: `${route}$` });
      await project().cancel();
      await upAndRepair(t, 0);
      await assertIdentityConverged(t, project(), { roles: [ADDONS_ADMIN] });
      await project().assertNoChanges(t, true);
      await project().must(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
    });
  }

  test.serial(
    `${kind} create: killed after the client secret was generated; cancel + up ${kind === "user" ? "+ the named revoke" : ""}`,
    async (t) => {
      await project().killDuring(t, ["up"], { method: "POST", path: SECRET });
      await project().cancel();
      // A service account this resource made is recognised, and the lost secret on it revoked; a
      // user's lost secret cannot be told from someone else's: the warning names it.
      const output = await upAndRepair(t, kind === "user" ? 1 : 0);
      if (kind === "user") t.regex(output, /that run also granted Tridion\.AddonService\.Administrator: they now count as held before/);
      await assertIdentityConverged(t, project(), { roles: [ADDONS_ADMIN] });
      await project().assertNoChanges(t, true);
    },
  );

  test.serial(`${kind} update: killed after the roles were written; cancel + up finishes it`, async (t) => {
    await project().config({ "kill:extraRole": "true" });
    await project().killDuring(t, ["up"], { method: "PUT", path: `${route}/\\d+$` });
    await project().cancel();
    await upAndRepair(t, 0);
    await assertIdentityConverged(t, project(), { roles: [ADDONS_ADMIN, CM_ADMIN] });
    await project().assertNoChanges(t, true);
  });

  test.serial(`${kind} rotation: killed after the new secret was generated; cancel + up + the named revoke`, async (t) => {
    await project().config({ "kill:secretVersion": "2" });
    await project().killDuring(t, ["up"], { method: "POST", path: SECRET });
    await project().cancel();
    await upAndRepair(t, 1);
    await assertIdentityConverged(t, project(), { roles: [ADDONS_ADMIN, CM_ADMIN] });
    await project().assertNoChanges(t, true);
  });

  test.serial(
    `${kind} rotation: killed after the proof's token request, before the old secret was revoked; cancel + up + the named revoke`,
    async (t) => {
      const [before] = await project().state();
      await project().config({ "kill:secretVersion": "3" });
      // The provider's own token is the first request to the token endpoint; the proof's is the next.
      const hung = await project().killDuring(t, ["up"], { method: "POST", path: "/connect/token$", skip: 1 });
      t.is(
        hung.identity,
        String(before.outputs.clientId),
        "the run was killed at the proof: a token request with the account's new secret",
      );
      t.is(hung.status, 200, "the proof's token was issued");
      const am = await project().admin();
      const accountKind = kind === "user" ? "Users" : "ServiceAccounts";
      const accountId = Number(before.outputs[kind === "user" ? "userId" : "serviceAccountId"]);
      t.is((await am.secretIds(accountKind, accountId)).length, 2, "the old secret was not revoked: two on the account");
      await project().cancel();
      // The lost secret signed in once, right after it was issued (the proof): the warning names it.
      const output = await upAndRepair(t, 1);
      t.regex(output, /used only at .*, right after it was issued: the proof of an interrupted `pulumi up` takes a token with it/);
      await assertIdentityConverged(t, project(), { roles: [ADDONS_ADMIN, CM_ADMIN] });
      await project().assertNoChanges(t, true);
    },
  );

  test.serial(`${kind} overlap: killed right after the previous secret's revocation; cancel + up finishes it`, async (t) => {
    await project().config({ "kill:overlapHours": "2", "kill:secretVersion": "4" });
    await project().up();
    const [rotated] = await project().state();
    const previous = rotated.outputs.previousSecret as { secretId: number; revokeAfter: string };
    t.truthy(previous, "the old secret is kept for the overlap");
    // Access Management's clock passes revokeAfter; the up that revokes it is killed right after the DELETE.
    project().emulator.advanceClock(2 * 3600 + 60);
    const hung = await project().killDuring(t, ["up"], { method: "DELETE", path: `/clientSecrets/${previous.secretId}$` });
    t.is(hung.status, 204);
    await project().cancel();
    const [stale] = await project().state();
    t.like(stale.outputs.previousSecret, { secretId: previous.secretId }, "the state still names the previous secret");
    await upAndRepair(t, 0);
    const [settled] = await project().state();
    t.is(settled.outputs.previousSecret, undefined, "the revocation found it gone and forgot it");
    await assertIdentityConverged(t, project(), { roles: [ADDONS_ADMIN, CM_ADMIN] });
    await project().assertNoChanges(t, true);
  });

  test.serial(
    `${kind} destroy: killed after ${kind === "user" ? "our secret was revoked" : "the account was deleted"}; cancel + destroy finishes it`,
    async (t) => {
      await project().killDuring(t, ["destroy"], { method: "DELETE", path: kind === "user" ? "/clientSecrets/\\d+$" : `${route}/\\d+$` });
      await project().cancel();
      await project().must(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
      // A user's roles granted by a create whose state was lost count as held before (README: Reliability).
      await assertIdentityConverged(t, project(), undefined, kind === "user" ? [ADDONS_ADMIN] : []);
    },
  );
}
