// Access Management's OIDC side: discovery, JWKS, token endpoint (both client auth methods and the
// RFC 6749 errors), JWT claims, and interoperability with openid-client v6.
import test from "ava";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { http, requestToken, startTestEmulator, type TestEmulator } from "../helpers/emulator";

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
  t.is(data.issuer, emu.accessManagementUrl);
  t.is(data.token_endpoint, `${emu.accessManagementUrl}/connect/token`);
  t.deepEqual(data.token_endpoint_auth_methods_supported, ["client_secret_basic", "client_secret_post"]);
  const jwks = await http.get(data.jwks_uri);
  t.is(jwks.status, 200);
  t.is(jwks.data.keys[0].kty, "RSA");
  t.falsy(jwks.data.keys[0].d, "the JWKS must not publish the private exponent");
});

test("client_secret_post: token with the account's audiences and role keys, verifiable with the JWKS", async (t) => {
  const { clientId, clientSecret } = emu.credentials.admin;
  const res = await requestToken(emu.accessManagementUrl, clientId, clientSecret);
  t.is(res.status, 200);
  t.is(res.data.token_type, "Bearer");
  t.is(res.data.expires_in, 3600);
  t.is(res.headers["cache-control"], "no-store");
  const jwks = createRemoteJWKSet(new URL(`${emu.accessManagementUrl}/.well-known/openid-configuration/jwks`));
  const { payload, protectedHeader } = await jwtVerify(res.data.access_token, jwks, { issuer: emu.accessManagementUrl });
  t.is(protectedHeader.alg, "RS256");
  t.is(payload.client_id, clientId);
  t.truthy(payload.sub);
  t.deepEqual([...(payload.aud as string[])].sort(), ["Tridion.AccessManagement", "Tridion.AddonService"]);
  t.deepEqual([...(payload.role as string[])].sort(), ["Tridion.AccessManagement.Administrator", "Tridion.AddonService.Administrator"]);
  t.is(payload.exp! - payload.iat!, 3600);
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
  t.is(claims.role, "Tridion.AddonService.Service");
  const list = await http.get(`${emu.addonsUrl}/api/v1/addons`, { headers: { Authorization: `Bearer ${res.data.access_token}` } });
  t.is(list.status, 200, "the emulator's own services accept the string form");
});

test("unauthorized_client for an account without access settings (it has a valid secret)", async (t) => {
  const admin = (await requestToken(emu.accessManagementUrl, emu.credentials.admin.clientId, emu.credentials.admin.clientSecret)).data.access_token;
  const headers = { headers: { Authorization: `Bearer ${admin}` } };
  const am = `${emu.accessManagementUrl}/api/v1`;
  const user = await http.post(`${am}/users`, { name: "no-roles" }, headers);
  t.is(user.status, 201);
  t.deepEqual(user.data.accessSettings, []);
  const secret = await http.post(`${am}/users/${user.data.id}/client-secrets`, {}, headers);
  t.is(secret.status, 201);
  const res = await requestToken(emu.accessManagementUrl, user.data.clientId, secret.data.secret);
  t.is(res.status, 400);
  t.is(res.data.error, "unauthorized_client");
  t.regex(res.data.error_description, /no access settings/);
  t.is(res.headers["cache-control"], "no-store");
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
  const grant = await http.post(token, form({ grant_type: "password", client_id: clientId, client_secret: clientSecret }), { headers: formHeaders });
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
  const config = await client.discovery(new URL(emu.accessManagementUrl), emu.credentials.admin.clientId, undefined,
    client.ClientSecretPost("wrong"), { execute: [client.allowInsecureRequests] });
  const error = await t.throwsAsync(client.clientCredentialsGrant(config));
  t.is((error as { error?: string }).error, "invalid_client");
});

test("the request log records the token request with its identity and never the secret", async (t) => {
  const { clientId, clientSecret } = emu.credentials.addonsService;
  await requestToken(emu.accessManagementUrl, clientId, clientSecret);
  const entry = emu.requestLog().reverse().find((e) => e.path === "/access-management/connect/token" && e.identity === clientId);
  t.truthy(entry);
  t.is(entry!.status, 200);
  t.false(JSON.stringify(emu.requestLog()).includes(clientSecret));
});
