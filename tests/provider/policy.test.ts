// The wait policy (provider/http/policy.ts): which failures are retried, how long each pause is,
// how a poll paces itself, and the worst case of each operation the README states.
import test from "ava";
import {
  backoff,
  classifyFailure,
  delayBeforeRetry,
  mayRetry,
  pollPauses,
  retryAfterTooLong,
  waitPolicy,
  worstCaseMs,
} from "../../provider/http/policy";

const policy = waitPolicy({ maxRetries: 4, requestTimeoutMs: 60_000, retryBaseDelayMs: 250, pollIntervalMs: 500 });

test("what a failure says about the server, and who may send again", (t) => {
  t.is(classifyFailure(503, undefined), "not-processed");
  t.is(classifyFailure(429, undefined), "not-processed");
  for (const status of [408, 500, 502, 504]) t.is(classifyFailure(status, undefined), "unclear", String(status));
  for (const status of [400, 401, 403, 404, 409, 413]) t.is(classifyFailure(status, undefined), "final", String(status));
  t.is(classifyFailure(undefined, "ECONNREFUSED"), "not-processed", "never reached the server");
  t.is(classifyFailure(undefined, "ECONNRESET"), "unclear", "it may have acted");
  t.is(classifyFailure(undefined, "ERR_CANCELED"), "final");
  t.true(mayRetry("unclear", "idempotent"));
  t.false(mayRetry("unclear", "unprocessed-only"), "a POST that may have landed is looked at, not repeated");
  t.true(mayRetry("not-processed", "unprocessed-only"));
  t.false(mayRetry("not-processed", "never"));
  t.false(mayRetry("final", "idempotent"));
});

test("pauses: Retry-After (seconds or a date) when the server gives one, capped; else backoff with jitter", (t) => {
  t.is(delayBeforeRetry(policy, 0, "2"), 2000);
  t.is(delayBeforeRetry(policy, 0, "121"), undefined, "past the 120 s cap: give up");
  t.like(retryAfterTooLong("600"), { askedMs: 600_000, capMs: 120_000 });
  t.is(retryAfterTooLong("5"), undefined);
  const date = new Date(Date.now() + 3_000).toUTCString();
  const fromDate = delayBeforeRetry(policy, 0, date)!;
  t.true(fromDate >= 1_000 && fromDate <= 3_000, `an HTTP date: ${fromDate} ms`);
  for (let attempt = 0; attempt < 8; attempt++) {
    const cap = Math.min(10_000, 250 * 2 ** attempt);
    const pause = backoff(policy, attempt);
    t.true(pause >= cap / 2 && pause <= cap, `attempt ${attempt}: ${pause} within [${cap / 2}, ${cap}]`);
  }
});

test("a poll starts at pollIntervalMs and grows by half, up to 5 s", (t) => {
  const pauses = pollPauses(policy);
  t.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8].map(() => pauses.next().value),
    [500, 750, 1125, 1687.5, 2531.25, 3796.875, 5000, 5000],
  );
});

test("the worst cases the README states, from the default settings", (t) => {
  t.is(worstCaseMs(policy, "call"), 5 * 60_000 + 4 * 120_000, "9 min: five timeouts, four capped pauses");
  t.is(worstCaseMs(policy, "upload"), 5 * (60_000 + 120_000 + 780_000), "80 min");
  t.is(worstCaseMs(policy, "activation", 120), 120_000 + 780_000, "15 min");
});
