// What the table of error codes (provider/errors/codes.ts) decides, seen through the provider:
// a package error at `up` keeps its code; a definite answer about the deploying identity fails
// AddonPackage's preview, a passing one does not; a refused identity falls back to the provider's
// identity, an identity that gets no token for a reason all identities share does not.
import * as nodeFs from "node:fs";
import * as path from "node:path";
import test, { type ExecutionContext } from "ava";
import { startHostileAccessManagement, type HostileRequest } from "../helpers/hostileAccessManagement";
import { adminApi, addonFolder, configure, failure, impl, start } from "./support";

const p = impl.addonPackage;
const ADDONS_ADMIN = "Tridion.AddonService.Administrator";

/** Calls `act` once, at the first call of `method` on fs.promises for a file under `root`. */
function whenPackaging(t: ExecutionContext, method: "open" | "readFile", root: string, act: () => void): void {
  const promises = nodeFs.promises as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const original = promises[method];
  let done = false;
  promises[method] = async (...args: unknown[]) => {
    if (!done && String(args[0]).startsWith(root + path.sep)) {
      done = true;
      act();
    }
    return original(...args);
  };
  t.teardown(() => {
    promises[method] = original;
  });
}

test.serial(
  "a source that changes while `up` packages it fails with SOURCE_CHANGED and its fix, not as an internal error; nothing is uploaded",
  async (t) => {
    const emulator = await start({ seedUsers: ["deployer"] });
    t.teardown(() => emulator.close());
    const user = await impl.clientCredentialUser.create({ userName: "deployer", roles: [ADDONS_ADMIN] });
    const credentials = { clientId: user.outs.clientId as string, clientSecret: user.outs.clientSecret as string };
    const dir = nodeFs.realpathSync(addonFolder());
    const outside = nodeFs.mkdtempSync(path.join(path.dirname(dir), "outside-"));
    nodeFs.writeFileSync(path.join(outside, "id_rsa"), "not for the package");
    emulator.clearRequestLog();

    // After the walk, before the files are read: a build replaces a file with a link out of the folder.
    const assembly = path.join(dir, "CM", "Acme.EventHandler.dll");
    whenPackaging(t, "open", dir, () => {
      nodeFs.rmSync(assembly);
      nodeFs.symlinkSync(path.join(outside, "id_rsa"), assembly);
    });
    const error = (await failure(p.create({ source: dir, credentials, activationTimeoutSeconds: 0 }))) as Error & {
      code?: string;
      fix?: string;
    };
    t.is(error.code, "SOURCE_CHANGED", error.message);
    t.regex(error.message, /Acme\.EventHandler\.dll was replaced by a symlink/);
    t.regex(error.message, /\nFix: Run again once whatever writes to the add-on folder/);
    t.regex(error.fix ?? "", /^Run again once whatever writes to the add-on folder/);
    t.deepEqual(
      emulator.requestLog().filter((e) => e.method !== "GET" && e.path.includes("/addon/")),
      [],
      "nothing was uploaded",
    );
    const api = await adminApi(emulator);
    t.is((await api.get(api.addons("/acme-publishing-tools"))).status, 404, "the service holds no add-on");
  },
);

/** A provider against an Access Management whose token endpoint answers as `token` says, per client id. */
async function againstTokenEndpoint(t: ExecutionContext, token: (clientId: string) => { status: number; body: unknown } | undefined) {
  const am = await startHostileAccessManagement({
    handle: (r: HostileRequest) => (r.path === "/connect/token" ? token(clientIdOf(r)) : undefined),
  });
  t.teardown(() => am.close());
  await configure({
    "tridion:accessManagementUrl": am.authority,
    "tridion:addonsUrl": "http://127.0.0.1:9/addon",
    "tridion:productVersion": "10",
    "tridion:clientId": "provider-identity",
    "tridion:clientSecret": "provider-secret-0123456789",
    "tridion:tokenAuthMethod": "client_secret_post",
  });
  return am;
}

function clientIdOf(r: HostileRequest): string {
  return new URLSearchParams(r.body).get("client_id") ?? "";
}

const tokenRequestsOf = (am: { requests: HostileRequest[] }, clientId: string) =>
  am.requests.filter((r) => r.path === "/connect/token" && clientIdOf(r) === clientId).length;

test.serial(
  "AddonPackage's preview fails on TOKEN_REFUSED and ISSUER_MISMATCH (definite), and leaves a busy token endpoint to `up`",
  async (t) => {
    const source = addonFolder();
    await againstTokenEndpoint(t, () => ({ status: 400, body: { error: "unsupported_grant_type", error_description: "not here" } }));
    const refused = await failure(p.check!({}, { source, activationTimeoutSeconds: 0 }));
    t.is((refused as { code?: string }).code, "TOKEN_REFUSED", refused.message);
    t.regex(refused.message, /unsupported_grant_type: not here\.\nFix: check the identity's client credentials/);

    const mismatched = await startHostileAccessManagement({ discovery: (doc) => ({ ...doc, issuer: "https://elsewhere.example/am" }) });
    t.teardown(() => mismatched.close());
    await configure({
      "tridion:accessManagementUrl": mismatched.authority,
      "tridion:addonsUrl": "http://127.0.0.1:9/addon",
      "tridion:productVersion": "10",
      "tridion:clientId": "provider-identity",
      "tridion:clientSecret": "provider-secret-0123456789",
    });
    const mismatch = await failure(p.check!({}, { source, activationTimeoutSeconds: 0 }));
    t.is((mismatch as { code?: string }).code, "ISSUER_MISMATCH", mismatch.message);
    t.regex(mismatch.message, /\nFix: set tridion:accessManagementUrl to https:\/\/elsewhere\.example\/am/);

    await againstTokenEndpoint(t, () => ({ status: 503, body: "" }));
    const busy = await p.check!({}, { source, activationTimeoutSeconds: 0 });
    t.deepEqual(busy.failures ?? [], [], "a token endpoint that is unavailable is not definite: `up` reports it, with retries");
    t.is(busy.inputs.addonId, "acme-publishing-tools");
  },
);

const recorded = { clientId: "recorded-identity", clientSecret: "recorded-secret-0123456789" };
const state = { source: "/gone", addonId: "acme-publishing-tools", credentials: recorded } as Record<string, unknown>;

test.serial("refresh as a recorded identity that is refused falls back to the provider's identity", async (t) => {
  const am = await againstTokenEndpoint(t, (clientId) =>
    clientId === recorded.clientId
      ? { status: 401, body: { error: "invalid_client" } }
      : { status: 400, body: { error: "invalid_request" } },
  );
  const error = await failure(p.read!("acme-publishing-tools", state));
  t.true(tokenRequestsOf(am, recorded.clientId) > 0);
  t.true(tokenRequestsOf(am, "provider-identity") > 0, "CREDENTIALS_REJECTED: the provider's identity was asked");
  t.is((error as { code?: string }).code, "TOKEN_REFUSED", "and what the provider's identity got is reported");
});

test.serial(
  "refresh as a recorded identity that gets TOKEN_REFUSED does not fall back: another identity would get none either",
  async (t) => {
    const am = await againstTokenEndpoint(t, () => ({ status: 400, body: { error: "invalid_request", error_description: "malformed" } }));
    const error = await failure(p.read!("acme-publishing-tools", state));
    t.is((error as { code?: string }).code, "TOKEN_REFUSED", error.message);
    t.true(tokenRequestsOf(am, recorded.clientId) > 0);
    t.is(tokenRequestsOf(am, "provider-identity"), 0, "the provider's identity was not asked");
  },
);
