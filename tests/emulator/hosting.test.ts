// Where the emulator serves what, as the product hosts it: Access Management on one listener, the
// Add-ons Service on a listener of its own under /addon (UI page at /addon/ui), the test controls
// on both, and HTTPS with a CA generated at start.
import test from "ava";
import * as https from "node:https";
import { X509Certificate } from "node:crypto";
import { bearer, getToken, http, startTestEmulator, withEmulator } from "../helpers/emulator";

/** A GET over HTTPS, trusting only `ca` (undefined: the system's roots); the status, or the TLS error's code. */
function httpsGet(url: string, ca?: string): Promise<{ status?: number; code?: string; body: string }> {
  return new Promise((resolve) => {
    https
      .get(url, { ca }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString("utf8")));
        res.on("end", () => resolve({ status: res.statusCode, body }));
      })
      .on("error", (error: NodeJS.ErrnoException) => resolve({ code: error.code, body: "" }));
  });
}

test("two listeners: Access Management on one port, the Add-ons Service under /addon on another; controls on both", async (t) => {
  await withEmulator({}, async (emu) => {
    const am = new URL(emu.accessManagementUrl);
    const addons = new URL(emu.addonsUrl);
    t.is(addons.pathname, "/addon");
    t.not(addons.port, am.port);
    const token = await getToken(emu, emu.credentials.admin);
    t.is((await http.get(`${emu.addonsUrl}/api/v1/addons`, bearer(token))).status, 200);
    t.is((await http.get(`${am.origin}/addon/api/v1/addons`, bearer(token))).status, 404, "no Add-ons Service on AM's listener");
    t.is((await http.get(`${addons.origin}/access-management/.well-known/openid-configuration`)).status, 404, "and no AM on its");
    const ui = await http.get(`${emu.addonsUrl}/ui`);
    t.is(ui.status, 200);
    t.regex(ui.data, /OpenAPI document: <a href="\/addon\/swagger\/v1\/swagger\.json">/);
    // One request log and one set of faults, read from either listener.
    const logs = await Promise.all(
      [am.origin, addons.origin].map(async (origin) => (await http.get(`${origin}/__emulator/requests`)).data),
    );
    t.deepEqual(logs[0], logs[1]);
    t.true(logs[0].some((e: { path: string }) => e.path === "/addon/api/v1/addons"));
  });
});

test("fixed ports are used as given; equal ports and an unknown tls mode are refused", async (t) => {
  await t.throwsAsync(startTestEmulator({ port: 8799, addonsPort: 8799 }), { message: /port and addonsPort must differ/ });
  await t.throwsAsync(startTestEmulator({ addonsPort: 70000 }), { message: /addonsPort must be an integer from 0 to 65535/ });
  await t.throwsAsync(startTestEmulator({ tls: "acme" as never }), { message: /tls must be "self-signed"/ });
});

test("tls self-signed: both listeners speak HTTPS; untrusted without the CA, trusted with it", async (t) => {
  await withEmulator({ tls: "self-signed" }, async (emu) => {
    t.regex(emu.accessManagementUrl, /^https:\/\/127\.0\.0\.1:\d+\/access-management$/);
    t.regex(emu.addonsUrl, /^https:\/\/127\.0\.0\.1:\d+\/addon$/);
    const ca = emu.caCertificate!;
    t.true(new X509Certificate(ca).ca, "the PEM is a CA certificate");
    const discovery = `${emu.accessManagementUrl}/.well-known/openid-configuration`;
    t.is((await httpsGet(discovery)).code, "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "a private CA is not trusted by default");
    const trusted = await httpsGet(discovery, ca);
    t.is(trusted.status, 200);
    t.is(JSON.parse(trusted.body).token_endpoint, `${emu.accessManagementUrl}/connect/token`, "discovery names https endpoints");
    t.is((await httpsGet(`${emu.addonsUrl}/swagger/v1/swagger.json`, ca)).status, 200);
    t.is((await httpsGet(`${emu.addonsUrl}/swagger/v1/swagger.json`)).code, "UNABLE_TO_VERIFY_LEAF_SIGNATURE");
  });
  await withEmulator({}, async (emu) => t.is(emu.caCertificate, undefined, "plain http has no CA"));
});
