// A create whose result never reached the state (the process was killed after the server acted):
// the next `up` calls create again with the same inputs. Each resource must recognise what it made
// by its ownership key and finish it, and must refuse what another stack or a person made.
// (tests/reliability/killMatrix.test.ts does the same with the real CLI killed mid-request.)
import test from "ava";
import { requestToken } from "../helpers/emulator";
import { addonFolder, adminApi, failure, impl, start, warningsOf } from "./support";

const ADDONS_ADMIN = "Tridion.AddonService.Administrator";
const OUR_KEY = "1".repeat(64);
const THEIR_KEY = "2".repeat(64);

test.serial("AddonPackage: a second create of the same resource takes up its own add-on; another stack's is refused", async (t) => {
  const emulator = await start({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const source = addonFolder();
  const checked = (await impl.addonPackage.check!({}, { source, ownerKey: OUR_KEY })).inputs;
  t.regex(checked.packageFileName, /^acme-publishing-tools-1\.4\.0-\d{12}\.zip$/, "check names the upload with our COUNTER");
  const first = await impl.addonPackage.create(checked);
  t.is((await api.get(api.addons("/acme-publishing-tools"))).data.packageFileName, checked.packageFileName);

  // The state entry is lost: create runs again and finishes instead of failing.
  const again = await impl.addonPackage.create(checked);
  t.is(again.id, first.id);
  t.is(again.outs.status, "Success");
  t.is(again.outs.ownerKey, OUR_KEY);
  const uploads = emulator.requestLog().filter((e) => e.method !== "GET" && /\/api\/v1\/addons/.test(e.path));
  t.is(uploads.length, 1, "the same bytes were not uploaded again");

  // Another stack (another key), identical bytes: refused, naming the owner question; nothing changes.
  const theirs = (await impl.addonPackage.check!({}, { source, ownerKey: THEIR_KEY })).inputs;
  const err = await failure(impl.addonPackage.create(theirs));
  t.regex(err.message, /already holds an add-on with that id .*uploaded as acme-publishing-tools-1\.4\.0-\d{12}\.zip/);
  t.regex(err.message, /another stack or a person owns it/);
  t.regex(err.message, /Fix: .*adopt: true/);
  t.is((await api.get(api.addons("/acme-publishing-tools"))).data.packageFileName, checked.packageFileName, "ours is untouched");
});

test.serial(
  "ServiceAccount: the default client id is the key; a second create finishes the account and revokes the lost secret",
  async (t) => {
    const emulator = await start({ productVersion: "10" });
    t.teardown(() => emulator.close());
    const api = await adminApi(emulator);
    const inputs = { accountName: "deployer", roles: [ADDONS_ADMIN], ownerKey: OUR_KEY };
    const first = await impl.serviceAccount.create((await impl.serviceAccount.check!({}, inputs)).inputs);
    t.regex(first.outs.clientId, /^pulumi-1{32}$/);

    const again = await impl.serviceAccount.create((await impl.serviceAccount.check!({}, inputs)).inputs);
    t.is(again.id, first.id, "the same account, not a second one");
    t.true(again.outs.createdAccount, "still ours: delete removes it");
    const accounts = (await api.access.list("ServiceAccounts")).filter((a) => a.name === "deployer");
    t.is(accounts.length, 1);
    t.deepEqual(await api.access.secretIds("ServiceAccounts", Number(first.id)), [again.outs.secretId], "only the current secret is left");
    t.is(
      (await requestToken(emulator.accessManagementUrl, first.outs.clientId, first.outs.clientSecret)).status,
      401,
      "the lost one is revoked",
    );
    // Its create took a token with it right after issuing it (the proof): that alone is what a lost
    // secret may show. A consumer signs in later.
    emulator.advanceClock(600);
    t.is((await requestToken(emulator.accessManagementUrl, again.outs.clientId, again.outs.clientSecret)).status, 200);

    // Now its secret has signed in: no interrupted run left it (a lost secret is never used beyond its proof), so a
    // stack of the same name on another backend is refused, and the account keeps its secret.
    const used = await failure(impl.serviceAccount.create((await impl.serviceAccount.check!({}, inputs)).inputs));
    t.regex(
      used.message,
      /with the client id this resource derives, but its client secret \d+ signed in at .*another stack with the same project and stack name/,
    );
    t.deepEqual(await api.access.secretIds("ServiceAccounts", Number(first.id)), [again.outs.secretId]);
    t.is((await requestToken(emulator.accessManagementUrl, again.outs.clientId, again.outs.clientSecret)).status, 200);

    // Another stack's resource of the same name: its key gives another client id, so the account is not its.
    const err = await failure(impl.serviceAccount.create({ ...inputs, ownerKey: THEIR_KEY }));
    t.regex(err.message, /already exists in Access Management .*another stack or a person owns it/);
    t.notRegex(err.message, /delete-service-account/, "no repair is offered: it is clearly not ours");

    // A client id of the program's own leaves no mark: the error names the repair.
    const chosen = { accountName: "chosen", clientId: "chosen-client", roles: [ADDONS_ADMIN], ownerKey: OUR_KEY };
    const made = await impl.serviceAccount.create(chosen);
    const refused = await failure(impl.serviceAccount.create(chosen));
    t.regex(refused.message, new RegExp(`npx pulumi-tridion delete-service-account --name "chosen" --id ${made.id}`));
  },
);

test.serial("ClientCredentialUser: a second create names the secret it cannot tell apart, with the command that revokes it", async (t) => {
  const emulator = await start({ productVersion: "9.6", seedUsers: ["deployer"] });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const inputs = { userName: "deployer", roles: [ADDONS_ADMIN], ownerKey: OUR_KEY };
  const first = await impl.clientCredentialUser.create(inputs);
  const { result: again, warnings } = await warningsOf(() => impl.clientCredentialUser.create(inputs));
  t.regex(
    warnings,
    new RegExp(
      `no Pulumi state records: ${first.outs.secretId} \\(expires .*, used only at .*, right after it was issued: the proof of an interrupted`,
    ),
    "the lost secret is named, and said to be used only by the proof of the run that issued it",
  );
  t.true(warnings.includes(`npx pulumi-tridion revoke-secret --user "deployer" --secret-id ${first.outs.secretId}`), warnings);
  t.deepEqual(
    (await api.access.secretIds("Users", Number(first.id))).sort(),
    [first.outs.secretId, again.outs.secretId].sort(),
    "nothing of unknown origin is revoked by the provider",
  );

  // Both slots full, neither recorded: the error names the command for the unused one.
  const err = await failure(impl.clientCredentialUser.create(inputs));
  t.regex(err.message, /already holds two client secrets/);
  t.true(
    err.message.includes(`--secret-id ${first.outs.secretId}`) && err.message.includes(`--secret-id ${again.outs.secretId}`),
    err.message,
  );
  // A program that names the user's identity provider gets commands that name it too (names may repeat across providers).
  const key = first.outs.identityProviderKey as string;
  const named = await failure(impl.clientCredentialUser.create({ ...inputs, identityProvider: key }));
  t.true(
    named.message.includes(`revoke-secret --user "deployer" --identity-provider "${key}" --secret-id ${first.outs.secretId}`),
    named.message,
  );
});

test.serial("AddonPackage: two stacks' creates at once: the service's 409 is looked into, the loser is told who owns it", async (t) => {
  const emulator = await start({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const source = addonFolder();
  const [ours, theirs] = await Promise.all([
    impl.addonPackage.check!({}, { source, ownerKey: OUR_KEY }),
    impl.addonPackage.check!({}, { source, ownerKey: THEIR_KEY }),
  ]);
  const results = await Promise.allSettled([impl.addonPackage.create(ours.inputs), impl.addonPackage.create(theirs.inputs)]);
  const posts = emulator.requestLog().filter((e) => e.method === "POST" && e.path.endsWith("/api/v1/addons"));
  t.deepEqual(posts.map((e) => e.status).sort(), [201, 409], "both looked before either uploaded: the service refused one upload");
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  t.is(refused.length, 1);
  t.regex(String(refused[0].reason.message), /another stack or a person owns it/);
});
