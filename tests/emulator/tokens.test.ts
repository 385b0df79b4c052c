// Access Management's OIDC side: discovery, JWKS, token endpoint (both client auth methods and the
// RFC 6749 errors), the claims of real AM tokens (typ at+jwt, aud and scope = the account's APIs,
// role, client_id, sub = client id, user_id for users), invalid_scope without API access, the
// issuer lower-cased under a mixed-case base path (/ISHAM), and interoperability with openid-client v6.
import test from "ava";
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { amAdmin, signIn } from "../helpers/accessManagement";
import { bearer, getToken, http, requestToken, startTestEmulator, type TestEmulator } from "../helpers/emulator";

let emu: TestEmulator;
test.before(async () => {
  emu = await startTestEmulator();
});
test.after.always(async () => {
  await emu?.close();
});

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const formHeaders = { "Content-Type": "application/x-www-form-urlencoded" };

test("discovery names the issuer, token endpoint and JWKS under /access-management", async (t) => {
  const { status, data } = await http.get(`${emu.accessManagementUrl}/.well-known/openid-configuration`);
  t.is(status, 200);
  t.regex(emu.accessManagementUrl, /^http:\/\/127\.0\.0\.1:\d+\/access-management$/);
  t.is(data.issuer, emu.accessManagementUrl, "already lower case");
  t.is(data.token_endpoint, `${emu.accessManagementUrl}/connect/token`);
  t.is(data.jwks_uri, `${emu.accessManagementUrl}/.well-known/openid-configuration/jwks`);
  t.deepEqual(data.token_endpoint_auth_methods_supported, ["client_secret_basic", "client_secret_post"]);
  const jwks = await http.get(data.jwks_uri);
  t.is(jwks.status, 200);
  t.is(jwks.data.keys[0].kty, "RSA");
  t.falsy(jwks.data.keys[0].d, "the JWKS must not publish the private exponent");
});

test("client_secret_post: an at+jwt with the account's APIs in aud and scope, its role keys, client_id and sub, verifiable with the JWKS", async (t) => {
  const { clientId, clientSecret } = emu.credentials.admin;
  const res = await requestToken(emu.accessManagementUrl, clientId, clientSecret);
  t.is(res.status, 200);
  t.is(res.data.token_type, "Bearer");
  t.is(res.data.expires_in, 3600);
  t.is(res.data.scope, "Tridion.AccessManagement Tridion.AddonService");
  t.is(res.headers["cache-control"], "no-store");
  const jwks = createRemoteJWKSet(new URL(`${emu.accessManagementUrl}/.well-known/openid-configuration/jwks`));
  const { payload, protectedHeader } = await jwtVerify(res.data.access_token, jwks, { issuer: emu.accessManagementUrl, typ: "at+jwt" });
  const published = (await http.get(`${emu.accessManagementUrl}/.well-known/openid-configuration/jwks`)).data.keys[0];
  t.deepEqual(protectedHeader, { alg: "RS256", kid: published.kid, typ: "at+jwt" });
  t.deepEqual(
    Object.keys(payload).sort(),
    ["aud", "client_id", "exp", "iat", "iss", "jti", "nbf", "role", "scope", "sub"],
    "no user_id: not a user",
  );
  t.is(payload.client_id, clientId);
  t.is(payload.sub, clientId, "sub is the client id");
  t.deepEqual(payload.aud, ["Tridion.AccessManagement", "Tridion.AddonService"]);
  t.deepEqual(payload.scope, ["Tridion.AccessManagement", "Tridion.AddonService"], "scope holds the same API keys");
  t.deepEqual(payload.role, ["Tridion.AccessManagement.Administrator", "Tridion.AddonService.Administrator"]);
  t.is(payload.exp! - payload.iat!, 3600);
  t.is(payload.nbf, payload.iat);
  t.regex(String(payload.jti), /^[0-9a-f-]{36}$/);
  const again = decodeJwt((await requestToken(emu.accessManagementUrl, clientId, clientSecret)).data.access_token);
  t.not(again.jti, payload.jti, "every token has its own jti");
});

test("client_secret_basic works and the Add-ons API account gets only the Service role", async (t) => {
  const { clientId, clientSecret } = emu.credentials.addonsService;
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString("base64");
  const res = await http.post(`${emu.accessManagementUrl}/connect/token`, form({ grant_type: "client_credentials" }), {
    headers: { ...formHeaders, Authorization: `Basic ${basic}` },
  });
  t.is(res.status, 200);
  const claims = decodeJwt(res.data.access_token);
  // one value: a plain string, as IdentityServer writes it (the admin's two values are arrays)
  t.is(claims.aud, "Tridion.AddonService");
  t.is(claims.scope, "Tridion.AddonService");
  t.is(claims.role, "Tridion.AddonService.Service");
  t.is(claims.sub, clientId);
  t.is(res.data.scope, "Tridion.AddonService");
  const list = await http.get(`${emu.addonsUrl}/api/v1/addons`, { headers: { Authorization: `Bearer ${res.data.access_token}` } });
  t.is(list.status, 200, "the emulator's own services accept the string form");
});

test("a user's token carries user_id (the user's int32 id as a string), sub and client_id = the client id", async (t) => {
  const admin = await amAdmin(emu);
  const user = await signIn(emu, "token-user");
  await admin.setRoles("Users", user.id, ["Tridion.AddonService.ReadOnly"]);
  const secret = await admin.generateSecret("Users", user.id);
  const res = await requestToken(emu.accessManagementUrl, secret.clientId, secret.clientSecret);
  t.is(res.status, 200);
  const claims = decodeJwt(res.data.access_token);
  t.is(claims.user_id, String(user.id));
  t.is(typeof claims.user_id, "string");
  t.is(claims.sub, secret.clientId);
  t.is(claims.client_id, secret.clientId);
  t.is(claims.aud, "Tridion.AddonService");
  t.is(claims.role, "Tridion.AddonService.ReadOnly");
  t.is(decodeProtectedHeader(res.data.access_token).typ, "at+jwt");
});

test("an account with an API but no role in it: aud and scope name the API, no role claim", async (t) => {
  const admin = await amAdmin(emu);
  const am = admin.resources.find((r) => r.key === "Tridion.AccessManagement")!;
  const account = (
    await admin.post("/ServiceAccounts", { name: "api-without-role", accessControlEntry: { apiResources: [{ id: am.id }] } })
  ).data;
  const secret = await admin.generateSecret("ServiceAccounts", account.id);
  const res = await requestToken(emu.accessManagementUrl, account.clientId, secret.clientSecret);
  t.is(res.status, 200);
  const claims = decodeJwt(res.data.access_token);
  t.is(claims.aud, "Tridion.AccessManagement");
  t.is(claims.scope, "Tridion.AccessManagement");
  t.false("role" in claims, "no role: the claim is left out");
  t.false("user_id" in claims);
});

test("invalid_scope for an account with no API access (it has a valid secret); granting access makes it work", async (t) => {
  const admin = await amAdmin(emu);
  const user = await signIn(emu, "no-access");
  t.deepEqual(user.accessControlEntry, { apiResources: [], apiResourceRoles: [], applications: [] });
  const secret = await admin.generateSecret("Users", user.id);
  const res = await requestToken(emu.accessManagementUrl, secret.clientId, secret.clientSecret);
  t.is(res.status, 400);
  t.is(res.data.error, "invalid_scope");
  t.regex(res.data.error_description, /access to no API/);
  t.is(res.headers["cache-control"], "no-store");
  t.is((await admin.account("Users", user.id))!.lastLoginAt, user.lastLoginAt, "a refused token is no login");
  const account = (await admin.post("/ServiceAccounts", { name: "no-access-account" })).data;
  const accountSecret = await admin.generateSecret("ServiceAccounts", account.id);
  t.is((await requestToken(emu.accessManagementUrl, account.clientId, accountSecret.clientSecret)).data.error, "invalid_scope");
  await admin.setRoles("Users", user.id, ["Tridion.AddonService.ReadOnly"]);
  t.is(
    (await requestToken(emu.accessManagementUrl, secret.clientId, secret.clientSecret)).status,
    200,
    "tokens carry what the account holds now",
  );
});

test("a token reflects the account's access at issue time; changing access changes the next token", async (t) => {
  const admin = await amAdmin(emu);
  const account = await admin.createServiceAccount("changing-access", ["Tridion.AddonService.ReadOnly"]);
  const secret = await admin.generateSecret("ServiceAccounts", account.id);
  const before = decodeJwt(await getToken(emu, { clientId: account.clientId!, clientSecret: secret.clientSecret }));
  t.is(before.role, "Tridion.AddonService.ReadOnly");
  await admin.setRoles("ServiceAccounts", account.id, ["Tridion.AddonService.Administrator", "Tridion.ContentManager.Administrator"]);
  const after = decodeJwt(await getToken(emu, { clientId: account.clientId!, clientSecret: secret.clientSecret }));
  t.deepEqual(after.aud, ["Tridion.AddonService", "Tridion.ContentManager"]);
  t.deepEqual(after.role, ["Tridion.AddonService.Administrator", "Tridion.ContentManager.Administrator"]);
});

test("RFC 6749 errors: invalid_client, unsupported_grant_type, invalid_request", async (t) => {
  const { clientId, clientSecret } = emu.credentials.admin;
  const token = `${emu.accessManagementUrl}/connect/token`;
  const wrong = await requestToken(emu.accessManagementUrl, clientId, "not-the-secret");
  t.is(wrong.status, 401);
  t.is(wrong.data.error, "invalid_client");
  t.false(JSON.stringify(wrong.data).includes("not-the-secret"));
  const unknown = await requestToken(emu.accessManagementUrl, "nobody", clientSecret);
  t.is(unknown.data.error, "invalid_client");
  const noAuth = await http.post(token, form({ grant_type: "client_credentials" }), { headers: formHeaders });
  t.is(noAuth.status, 401);
  t.is(noAuth.data.error, "invalid_client");
  const grant = await http.post(token, form({ grant_type: "password", client_id: clientId, client_secret: clientSecret }), {
    headers: formHeaders,
  });
  t.is(grant.status, 400);
  t.is(grant.data.error, "unsupported_grant_type");
  const missing = await http.post(token, form({ client_id: clientId, client_secret: clientSecret }), { headers: formHeaders });
  t.is(missing.data.error, "invalid_request");
  const both = await http.post(token, form({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret }), {
    headers: { ...formHeaders, Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}` },
  });
  t.is(both.data.error, "invalid_request");
  const json = await http.post(token, { grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret });
  t.is(json.status, 400);
  t.is(json.data.error, "invalid_request");
});

test("a mixed-case base path (/ISHAM): the issuer is lower-cased in discovery and tokens, the endpoints keep /ISHAM, and both services accept the tokens", async (t) => {
  const e = await startTestEmulator({ accessManagementBasePath: "/ISHAM", seedUsers: ["docs-user"] });
  try {
    const origin = new URL(e.accessManagementUrl).origin;
    t.is(e.accessManagementUrl, `${origin}/ISHAM`);
    const discovery = (await http.get(`${e.accessManagementUrl}/.well-known/openid-configuration`)).data;
    t.is(discovery.issuer, `${origin}/isham`);
    t.is(discovery.token_endpoint, `${origin}/ISHAM/connect/token`);
    t.is(discovery.jwks_uri, `${origin}/ISHAM/.well-known/openid-configuration/jwks`);
    t.deepEqual((await http.get(`${origin}/isham/.well-known/openid-configuration`)).data, discovery, "the base path matches in any case");
    const res = await requestToken(e.accessManagementUrl, e.credentials.admin.clientId, e.credentials.admin.clientSecret);
    t.is(res.status, 200);
    const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    const { payload } = await jwtVerify(res.data.access_token, jwks, { issuer: `${origin}/isham` });
    t.is(payload.iss, discovery.issuer);
    const token = res.data.access_token as string;
    t.is((await http.get(`${e.addonsUrl}/api/v1/addons`, bearer(token))).status, 200, "the Add-ons Service accepts the lower-cased issuer");
    const users = await http.get(`${e.accessManagementUrl}/api/v1/Users`, bearer(token));
    t.is(users.status, 200, "so does Access Management");
    t.deepEqual(
      users.data.map((u: { name: string }) => u.name),
      ["docs-user"],
    );
    t.is((await http.get(`${origin}/isham/api/v1/users`, bearer(token))).status, 200);
    t.is((await http.get(`${e.accessManagementUrl}/api/api-docs/v1/openapi.json`)).data.servers[0].url, e.accessManagementUrl);
    t.is((await http.get(`${origin}/access-management/.well-known/openid-configuration`)).status, 404, "nothing at the Sites base path");

    const client = await import("openid-client");
    const options = { execute: [client.allowInsecureRequests] };
    const secretPost = client.ClientSecretPost(e.credentials.admin.clientSecret);
    // openid-client compares the issuer with the URL it discovered exactly: the mixed-case URL fails, as against IdentityServer.
    const mismatch = await t.throwsAsync(
      client.discovery(new URL(e.accessManagementUrl), e.credentials.admin.clientId, undefined, secretPost, options),
    );
    t.is((mismatch as { code?: string }).code, "OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED");
    const config = await client.discovery(new URL(discovery.issuer), e.credentials.admin.clientId, undefined, secretPost, options);
    t.is(config.serverMetadata().token_endpoint, discovery.token_endpoint);
    const tokens = await client.clientCredentialsGrant(config);
    t.is(decodeJwt(tokens.access_token).iss, `${origin}/isham`);
  } finally {
    await e.close();
  }
});

test("lowerCaseIssuer false keeps the issuer exactly as the URL; the services accept those tokens", async (t) => {
  const e = await startTestEmulator({ accessManagementBasePath: "/ISHAM", lowerCaseIssuer: false });
  try {
    const discovery = (await http.get(`${e.accessManagementUrl}/.well-known/openid-configuration`)).data;
    t.is(discovery.issuer, e.accessManagementUrl);
    const token = await getToken(e, e.credentials.admin);
    t.is(decodeJwt(token).iss, e.accessManagementUrl);
    t.is((await http.get(`${e.addonsUrl}/api/v1/addons`, bearer(token))).status, 200);
    t.is((await http.get(`${e.accessManagementUrl}/api/v1/ServiceAccounts`, bearer(token))).status, 200);
    const client = await import("openid-client");
    const config = await client.discovery(
      new URL(e.accessManagementUrl),
      e.credentials.admin.clientId,
      undefined,
      client.ClientSecretBasic(e.credentials.admin.clientSecret),
      { execute: [client.allowInsecureRequests] },
    );
    t.is((await client.clientCredentialsGrant(config)).token_type.toLowerCase(), "bearer");
  } finally {
    await e.close();
  }
});

test("a bad accessManagementBasePath is refused at start", async (t) => {
  for (const basePath of ["ISHAM", "/ISHAM/", "/a b", ""]) {
    await t.throwsAsync(
      startTestEmulator({ accessManagementBasePath: basePath }),
      { message: /accessManagementBasePath must be a path like \/access-management or \/ISHAM/ },
      basePath,
    );
  }
});

test("openid-client v6 discovers the emulator and gets a token with client_secret_basic and client_secret_post", async (t) => {
  const client = await import("openid-client");
  for (const auth of [client.ClientSecretBasic, client.ClientSecretPost]) {
    const { clientId, clientSecret } = emu.credentials.admin;
    const config = await client.discovery(new URL(emu.accessManagementUrl), clientId, undefined, auth(clientSecret), {
      execute: [client.allowInsecureRequests],
    });
    t.is(config.serverMetadata().issuer, emu.accessManagementUrl);
    const tokens = await client.clientCredentialsGrant(config);
    t.is(tokens.token_type.toLowerCase(), "bearer");
    t.is(decodeJwt(tokens.access_token).client_id, clientId);
  }
});

test("openid-client surfaces invalid_client for a wrong secret", async (t) => {
  const client = await import("openid-client");
  const config = await client.discovery(
    new URL(emu.accessManagementUrl),
    emu.credentials.admin.clientId,
    undefined,
    client.ClientSecretPost("wrong"),
    { execute: [client.allowInsecureRequests] },
  );
  const error = await t.throwsAsync(client.clientCredentialsGrant(config));
  t.is((error as { error?: string }).error, "invalid_client");
});

test("the request log records the token request with its identity and never the secret", async (t) => {
  const { clientId, clientSecret } = emu.credentials.addonsService;
  await requestToken(emu.accessManagementUrl, clientId, clientSecret);
  const entry = emu
    .requestLog()
    .reverse()
    .find((e) => e.path === "/access-management/connect/token" && e.identity === clientId);
  t.truthy(entry);
  t.is(entry!.status, 200);
  t.false(JSON.stringify(emu.requestLog()).includes(clientSecret));
});
