// Secrets in messages: a server that echoes what it received shows a secret encoded (a Basic
// header, a form body, JSON) and often cut short. No encoding of a known secret, and no piece of
// one, reaches a message, whether the provider or the server cut the text.
import test from "ava";
import { clip, redactSecrets, registerCredentials } from "../../provider/errors/redaction";
import { fakeToken, startHostileAccessManagement, type HostileRequest } from "../helpers/hostileAccessManagement";
import { encodings, leaks } from "../helpers/secretEncodings";
import { configure, failure, impl } from "./support";

// Every character a transport writes differently: a quote, a backslash, a space, +, /, @, %,
// the characters RFC 6749's form encoding adds, non-ASCII.
const CLIENT_ID = "deployer-7f3a";
const SECRET = `Zq8"w\\ x+y/z@é~*'(k)-Pm4%tR9vLw2Nd`;

test("every encoding of a known secret is redacted, whole or cut short", (t) => {
  registerCredentials(CLIENT_ID, SECRET);
  for (const [name, e] of Object.entries(encodings(CLIENT_ID, SECRET))) {
    const whole = redactSecrets(`The service said: "got ${e} from you". Fix: check it.`);
    t.deepEqual(leaks(whole, CLIENT_ID, SECRET), [], `${name}, whole`);
    t.regex(whole, /got \[secret\] from you"\. Fix: check it\.$/, name);
    // A server that cut its answer keeps the start: all but the last characters.
    for (const keep of [e.length - 1, e.length - 4, 12]) {
      const cut = redactSecrets(`The service said: "got ${e.slice(0, keep)}". Fix: check it.`);
      t.deepEqual(leaks(cut, CLIENT_ID, SECRET), [], `${name}, cut to ${keep} characters`);
    }
  }
});

test("a text is redacted before it is cut, so a cut secret is not left half-shown", (t) => {
  registerCredentials(CLIENT_ID, SECRET);
  for (const [name, e] of Object.entries(encodings(CLIENT_ID, SECRET))) {
    for (let filler = 470; filler < 500; filler += 7) {
      const text = clip(`${"x".repeat(filler)} ${e} and more`, 500);
      t.true(text.length <= 500);
      t.deepEqual(leaks(text, CLIENT_ID, SECRET), [], `${name} at ${filler}`);
    }
  }
});

test("bearer in any case, Basic credentials and JWTs cut short are redacted; prose is not", (t) => {
  // a token this process never saw (so only its shape can give it away)
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const token = `${part({ alg: "ES256", typ: "JWT", kid: "never-seen" })}.${part({ sub: "someone-else" })}.c2lnbmF0dXJl`;
  for (const scheme of ["Bearer", "bearer", "BEARER"]) {
    const out = redactSecrets(`authorization: ${scheme} ${token.slice(0, 30)}`);
    t.false(out.includes(token.slice(0, 12)), scheme);
    t.regex(out, /Bearer \[token\]/);
  }
  t.is(redactSecrets(`a token cut short: ${token.slice(0, 20)}`), "a token cut short: [token]");
  t.is(redactSecrets("Authorization: basic ZGVwbG95ZXI6c2VjcmV0LXZhbHVl"), "Authorization: Basic [credentials]");
  const prose = "HTTP Basic preferred; Bearer tokens are refused; the bearer token is missing; Basic authentication";
  t.is(redactSecrets(prose), prose);
});

test("a word that only starts like a secret is left alone; the secret's start before a quote is not", (t) => {
  registerCredentials("word-client", "deploy-pipeline-secret-42");
  t.is(redactSecrets('"deploy-pipeline-runner" ran'), '"deploy-pipeline-runner" ran');
  t.is(redactSecrets('it got "deploy-pipeline-sec" (cut)'), 'it got "[secret]" (cut)');
});

/** A provider configured against the hostile Access Management, as the stack config would. */
async function configureAgainst(authority: string, extra: Record<string, string>) {
  await configure({
    "tridion:accessManagementUrl": authority,
    "tridion:addonsUrl": "http://127.0.0.1:9/addon",
    "tridion:productVersion": "10",
    ...extra,
  });
}

for (const method of ["client_secret_basic", "client_secret_post"]) {
  test.serial(`a token endpoint that echoes what it got (${method}): no encoding of the secret in the error`, async (t) => {
    const clientId = `echo-${method}`;
    const secret = `Rt5"q\\ u+v/w@ü~*'(m)-Hs8%${method.length}Yb3Kc`;
    const echo = (r: HostileRequest) => {
      const parsed = Object.fromEntries(new URLSearchParams(r.body));
      const auth = String(r.headers.authorization ?? "");
      return `you sent: authorization ${auth}; body ${r.body}; as JSON ${JSON.stringify(parsed)}; cut ${auth.slice(0, -3)} / ${r.body.slice(0, -3)}`;
    };
    const am = await startHostileAccessManagement({
      handle: (r) =>
        r.path === "/connect/token" ? { status: 400, body: { error: "invalid_request", error_description: echo(r) } } : undefined,
    });
    t.teardown(() => am.close());
    await configureAgainst(am.authority, {
      "tridion:clientId": clientId,
      "tridion:clientSecret": secret,
      "tridion:tokenAuthMethod": method,
    });
    const err = (await failure(impl.serviceAccount.read!("1", { accountName: "x" }))) as Error & { code?: string };
    t.is(err.code, "TOKEN_REFUSED");
    t.regex(err.message, /invalid_request: you sent: authorization/);
    const sent = am.requests.find((r) => r.path === "/connect/token")!;
    t.truthy(sent, "the token request reached the server");
    t.true(method === "client_secret_basic" ? /^Basic /.test(String(sent.headers.authorization)) : sent.body.includes("client_secret="));
    t.deepEqual(leaks(err.message, clientId, secret), []);
    t.deepEqual(leaks(String(err.stack), clientId, secret), []);
  });
}

test.serial("an answer cut at 500 characters inside a lower-case bearer token shows no piece of the token", async (t) => {
  let issued = "";
  const am = await startHostileAccessManagement({
    handle: (r, server) => {
      if (r.path === "/connect/token") {
        issued = fakeToken({ aud: ["Tridion.AccessManagement"], iss: server.authority, padding: "p".repeat(40) });
        return { status: 200, body: { access_token: issued, token_type: "Bearer", expires_in: 3600 } };
      }
      if (r.path.startsWith("/api/v1/")) {
        // an echo that the provider's 500-character limit cuts inside the token
        const auth = String(r.headers.authorization).replace(/^Bearer/, "bearer");
        return { status: 400, body: `${"e".repeat(440)} you sent authorization: ${auth}` };
      }
      return undefined;
    },
  });
  t.teardown(() => am.close());
  await configureAgainst(am.authority, { "tridion:clientId": "cut-client", "tridion:clientSecret": "cut-secret-value-1" });
  const err = (await failure(impl.serviceAccount.read!("1", { accountName: "x" }))) as Error & { code?: string };
  t.is(err.code, "BAD_REQUEST");
  t.regex(err.message, /you sent authorization: /);
  t.truthy(issued);
  for (let i = 0; i + 10 <= issued.length; i++) t.false(err.message.includes(issued.slice(i, i + 10)), `token piece at ${i}`);
});
