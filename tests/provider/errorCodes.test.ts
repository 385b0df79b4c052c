// The one error model: every error is a TridionError with a code, a message without the fix, the
// fix as a field, details and the standard cause; one table (provider/errors/codes.ts) decides
// from a code what preview and the fallbacks do; the faces render message and fix for people.
import test from "ava";
import { ERROR_CODES, ruleOf, type ErrorCode } from "../../provider/errors/codes";
import { renderError, renderedForEngine } from "../../provider/errors/render";
import {
  isDefinite,
  isDefiniteAboutIdentity,
  isIdentityRefused,
  isInputFinding,
  PartialFailure,
  toTridionError,
  TridionError,
} from "../../provider/errors/tridionError";
import { registerSecret } from "../../provider/errors/redaction";
import { PackageError } from "../../provider/packaging";

const codes = Object.keys(ERROR_CODES) as ErrorCode[];
const where = (decides: (e: TridionError) => boolean) => codes.filter((code) => decides(new TridionError(code, "m"))).sort();

test("definite answers (a check in preview fails on them) are exactly the answers that asking again does not change", (t) => {
  t.deepEqual(
    where(isDefinite),
    [
      "AUDIENCE_MISSING",
      "BAD_REQUEST",
      "CONFLICT",
      "CREDENTIALS_REJECTED",
      "FORBIDDEN",
      "ISSUER_MISMATCH",
      "NOT_FOUND",
      "NO_API_ACCESS",
      "ROLE_MISSING",
      "TOKEN_REFUSED",
      "UNAUTHORIZED",
    ].sort(),
  );
  // a service down, busy or failing is left to `up`, which retries
  for (const code of ["UNREACHABLE", "SERVER_ERROR", "RATE_LIMITED", "DISCOVERY_FAILED", "TLS_UNTRUSTED", "INTERNAL"] as const) {
    t.false(isDefinite(new TridionError(code, "m")), code);
  }
});

test("identity refusals (fall back to the provider's identity) leave out TOKEN_REFUSED and ISSUER_MISMATCH", (t) => {
  t.deepEqual(
    where(isIdentityRefused),
    ["AUDIENCE_MISSING", "CREDENTIALS_REJECTED", "FORBIDDEN", "NO_API_ACCESS", "ROLE_MISSING", "UNAUTHORIZED"].sort(),
  );
  t.is(ruleOf("TOKEN_REFUSED").identity, "noToken");
  t.is(ruleOf("ISSUER_MISMATCH").identity, "noToken");
});

test("AddonPackage's preview fails on the definite answers about the identity and its token, and on no other", (t) => {
  t.deepEqual(where(isDefiniteAboutIdentity), [...where(isIdentityRefused), "ISSUER_MISMATCH", "TOKEN_REFUSED"].sort());
  for (const code of ["BAD_REQUEST", "NOT_FOUND", "CONFLICT"] as const) t.false(isDefiniteAboutIdentity(new TridionError(code, "m")), code);
});

test("input findings (an input failure in preview, a refusal of a repair command) are what the lookup finds about the account named", (t) => {
  t.deepEqual(
    where(isInputFinding),
    ["NAME_DIFFERS_IN_CASE", "USER_AMBIGUOUS", "USER_DEACTIVATED", "USER_NOT_OF_PROVIDER", "USER_NOT_SIGNED_IN"].sort(),
  );
});

test("nothing is decided from an unknown code or from an error that is not ours", (t) => {
  t.deepEqual(ruleOf("toString"), {});
  t.deepEqual(ruleOf("NO_SUCH_CODE"), {});
  const plain = Object.assign(new Error("x"), { code: "FORBIDDEN" });
  t.false(isDefinite(plain));
  t.false(isIdentityRefused(plain));
});

test("merged codes are distinct: the package's limit is PACKAGE_TOO_LARGE, the service's 413 TOO_LARGE", (t) => {
  t.true("PACKAGE_TOO_LARGE" in ERROR_CODES);
  t.true("TOO_LARGE" in ERROR_CODES);
  const e = new PackageError("PACKAGE_TOO_LARGE", "The folder is too large.", "Leave build outputs out.");
  t.true(e instanceof TridionError);
  t.is(e.code, "PACKAGE_TOO_LARGE");
});

test("a package error is a TridionError: message, fix, and the standard cause (no text in it)", (t) => {
  const e = new PackageError("SOURCE_MISSING", "The package source /x does not exist.", "Set source to an add-on folder.");
  t.is(e.message, "The package source /x does not exist.");
  t.is(e.fix, "Set source to an add-on folder.");
  t.is(e.cause, undefined);
  t.is(toTridionError(e), e, "passes through as ours");
  t.is(renderError(e), "The package source /x does not exist.\nFix: Set source to an add-on folder.");
});

test("the cause is kept but never enumerated or serialized; details are", (t) => {
  const cause = { headers: { Authorization: "Bearer abc" } };
  const e = new TridionError("SERVER_ERROR", "Cannot x: failed with 503.", { fix: "try again.", details: { status: 503 }, cause });
  t.is(e.cause, cause);
  t.false(Object.keys(e).includes("cause"));
  t.false(JSON.stringify(e).includes("Bearer"));
  t.deepEqual(JSON.parse(JSON.stringify(e)).details, { status: 503 });
});

test("a known secret is redacted from message, fix and details alike", (t) => {
  const secret = "s3cr3t-value-for-details-0123456789";
  registerSecret(secret);
  const e = new TridionError("BAD_REQUEST", `said ${secret}`, { fix: `not ${secret}`, details: { said: [secret], n: 1 } });
  t.false(JSON.stringify({ message: e.message, fix: e.fix, details: e.details }).includes(secret));
  t.deepEqual(e.details, { said: ["[secret]"], n: 1 });
});

test("rendering: the message, then the fix on its own line; without a fix, the message alone", (t) => {
  t.is(renderError(new TridionError("ROLE_UNKNOWN", "No role x.", { fix: "use one of those." })), "No role x.\nFix: use one of those.");
  t.is(renderError(new TridionError("INTERNAL", "Something broke.")), "Something broke.");
  t.is(renderError(new Error("plain")), "plain");
});

test("for the engine, the message is the rendered text, and code, fix and a partial failure's id, properties and reasons stay", (t) => {
  const base = new TridionError("SERVER_ERROR", "Cannot revoke: failed with 500.", { fix: "run it again.", status: 500 });
  const partial = new PartialFailure(base, "42", { userId: 42 });
  const e = renderedForEngine(partial) as PartialFailure;
  t.true(e instanceof PartialFailure);
  t.is(e.code, "SERVER_ERROR");
  t.is(e.fix, "run it again.");
  t.is(e.status, 500);
  t.is(e.id, "42");
  t.deepEqual(e.properties, { userId: 42 });
  t.regex(e.message, /^Cannot revoke: failed with 500\.\nThe resource was partly created\/updated \(id 42\).*\nFix: run it again\.$/s);
  t.deepEqual(e.reasons, ["Cannot revoke: failed with 500.\nFix: run it again."]);
  t.is(e.stack, `TridionError: ${e.message}`);
  t.is(partial.message.includes("Fix:"), false, "the error itself keeps message and fix apart");
});
