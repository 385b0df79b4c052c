// Ids from Access Management go into URLs, so each is checked against RWS's OpenAPI document
// (int32) before it is used: a hostile answer (here: the emulator behind a proxy that rewrites
// answers) cannot steer a PUT or DELETE to another URL, such as the user's own, nor make a
// delete report success while a secret stays valid. Route expansion refuses `.`, `..` and empty
// segments whatever their source (an answer, old state, input).
import * as fs from "node:fs";
import * as path from "node:path";
import test from "ava";
import { RouteProfile } from "../../provider/clients/routes";
import { requestToken } from "../helpers/emulator";
import { startRecordingProxy, type AnswerRewrite, type Exchange } from "../helpers/recordingProxy";
import { adminApi, configFor, configure, failure, impl, start } from "./support";

const p = impl.clientCredentialUser;
const ADDONS_ADMIN = "Tridion.AddonService.Administrator";
type Coded = Error & { code?: string; id?: string; properties?: Record<string, unknown> };

/** The emulator's Access Management behind a proxy that rewrites the answers `rewrite` picks. */
async function hostileSetup(t: { teardown(fn: () => Promise<void> | void): void }, rewrite: AnswerRewrite) {
  const emulator = await start({ productVersion: "9.6", seedUsers: ["addon-deployer"] });
  const am = new URL(emulator.accessManagementUrl);
  const proxy = await startRecordingProxy(am.origin, { rewrite });
  t.teardown(async () => {
    await proxy.close();
    await emulator.close();
  });
  await configure(configFor(emulator, { "tridion:accessManagementUrl": `${proxy.origin}${am.pathname}` }));
  const { access } = await adminApi(emulator);
  const user = await access.user("addon-deployer");
  return { emulator, proxy, access, user };
}

const json = (body: Buffer) => JSON.parse(body.toString("utf8")) as Record<string, unknown>;
const writes = (exchanges: Exchange[]) =>
  exchanges.filter((e) => e.method === "PUT" || e.method === "DELETE").map((e) => `${e.method} ${e.path}`);

test("the document types every Access Management id as int32", (t) => {
  // what the provider's check stands on (the tests may read the reference document)
  const doc = JSON.parse(
    fs.readFileSync(path.resolve(__dirname, "..", "..", "..", "shared", "reference", "access-management-openapi-v1.json"), "utf8"),
  ) as { components: { schemas: Record<string, { properties?: Record<string, { type?: string; format?: string }> }> } };
  for (const schema of [
    "User",
    "ServiceAccount",
    "UserClientSecret",
    "Link",
    "ApiResource",
    "ApiResourceRole",
    "ApiResourceLink",
    "ApiResourceRoleLink",
    "ApplicationLink",
    "IdentityProviderLink",
  ]) {
    t.like(doc.components.schemas[schema].properties?.id, { type: "integer", format: "int32" }, schema);
  }
});

test.serial(
  'generateClientSecret answering "id": "..": no PUT or DELETE to the user\'s URL, and the secret it made does not stay valid',
  async (t) => {
    let generatedValue = "";
    const { emulator, proxy, access, user } = await hostileSetup(t, (request, status, body) => {
      if (request.method !== "POST" || !request.path.endsWith("/generateClientSecret") || status >= 300) return undefined;
      const answer = json(body);
      generatedValue = String(answer.clientSecret);
      return Buffer.from(JSON.stringify({ ...answer, id: ".." }));
    });
    const inputs = { userName: "addon-deployer", roles: [ADDONS_ADMIN], secretExpiresInDays: 30 };
    const checked = await p.check!({}, inputs);
    const err = (await failure(p.create(checked.inputs))) as Coded;
    t.is(err.code, "UNEXPECTED_ANSWER");
    t.regex(
      err.message,
      /Access Management's generateClientSecret holds id = "\.\.", which is not an id as its OpenAPI document types ids \(an integer from -2147483648 to 2147483647\)/,
    );
    t.truthy(generatedValue, "the server did generate a secret");

    const generate = proxy.exchanges.findIndex((e) => e.path.endsWith("/generateClientSecret"));
    const after = writes(proxy.exchanges.slice(generate + 1));
    t.true(
      after.every((w) => /\/Users\/\d+\/clientSecrets\/\d+$/.test(w)),
      `after the answer, only a secret of the user was written to: ${after.join(", ")}`,
    );
    t.false(
      writes(proxy.exchanges).some((w) => w.endsWith("/") || w.includes("/..")),
      "nothing was sent to a URL the answer chose",
    );
    // The secret the hostile answer came with was found on the account by its real id and revoked.
    t.deepEqual(await access.secretIds("Users", user.id), []);
    const clientId = String((await access.user("addon-deployer")).clientId);
    t.not((await requestToken(emulator.accessManagementUrl, clientId, generatedValue)).status, 200, "the secret no longer gets a token");
    t.is(err.properties?.secretId, undefined, "no state points at an id that is not one");

    // delete then restores the user; it reports success only with no secret of ours left.
    await p.delete!(err.id!, err.properties!);
    t.deepEqual(await access.secretIds("Users", user.id), []);
    t.deepEqual(access.rolesOf((await access.account("Users", user.id))!), []);
    t.false(writes(proxy.exchanges).some((w) => w.endsWith("/") || w.includes("/..")));
  },
);

test.serial("a listed account whose id is not an int32 stops the provider before any write", async (t) => {
  const { proxy } = await hostileSetup(t, (request, status, body) => {
    if (request.method !== "GET" || !/\/api\/v1\/Users$/.test(request.path) || status !== 200) return undefined;
    const users = JSON.parse(body.toString("utf8")) as Array<Record<string, unknown>>;
    return Buffer.from(JSON.stringify(users.map((u) => (u.name === "addon-deployer" ? { ...u, id: "1/../../ServiceAccounts/1" } : u))));
  });
  const checked = await p.check!({}, { userName: "addon-deployer", roles: [ADDONS_ADMIN] });
  const err = (await failure(p.create(checked.inputs))) as Coded;
  t.is(err.code, "UNEXPECTED_ANSWER");
  t.regex(err.message, /answer holds \[\d+\]\.id = "1\/\.\.\/\.\.\/ServiceAccounts\/1", which is not an id/);
  t.deepEqual(
    proxy.exchanges.filter((e) => e.method !== "GET" && !e.path.endsWith("/connect/token")).map((e) => `${e.method} ${e.path}`),
    [],
    "no write at all",
  );
});

test.serial(
  'a state that holds secretId ".." (written before ids were checked): delete refuses instead of reporting success',
  async (t) => {
    const emulator = await start({ productVersion: "9.6", seedUsers: ["addon-deployer"] });
    t.teardown(() => emulator.close());
    const { access } = await adminApi(emulator);
    const user = await access.user("addon-deployer");
    const secret = await access.generateSecret("Users", user.id);
    await configure(configFor(emulator));
    emulator.clearRequestLog();
    const err = (await failure(p.delete!(String(user.id), { userName: "addon-deployer", roles: [], secretId: ".." }))) as Coded;
    t.is(err.code, "UNSAFE_ID");
    t.regex(err.message, /secretId = "\.\."/);
    t.deepEqual(
      emulator.requestLog().filter((e) => e.method === "DELETE" || e.method === "PUT"),
      [],
    );
    t.deepEqual(await access.secretIds("Users", user.id), [secret.id], "the secret is still there, and the error says so");
  },
);

test("route expansion refuses path segments that a URL resolves away", (t) => {
  const routes = new RouteProfile();
  for (const value of ["..", ".", ""]) {
    const err = t.throws(() => routes.path("userSecret", { id: 1, secretId: value })) as Coded;
    t.is(err.code, "UNSAFE_ID", JSON.stringify(value));
    t.regex(err.message, /Refusing to call the route userSecret \(\/api\/v1\/Users\/\{id\}\/clientSecrets\/\{secretId\}\)/);
  }
  t.throws(() => routes.path("addon", { id: ".." }), { message: /route addon/ });
  t.throws(() => new RouteProfile({ addon: "/x/.{id}" }).path("addon", { id: "." }), { message: /would be "\.\."/ });
  // anything else stays one segment, as before
  t.is(routes.path("addon", { id: "..." }), "/api/v1/addons/...");
  t.is(routes.path("addon", { id: "%2e%2e" }), "/api/v1/addons/%252e%252e");
  t.is(routes.path("userSecret", { id: 7, secretId: 3 }), "/api/v1/Users/7/clientSecrets/3");
});
