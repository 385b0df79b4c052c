// The two waiting loops (provider/http/waiting.ts): a poll until something settles, and a write
// sent again only after the server was asked whether the last attempt landed.
import test from "ava";
import { waitPolicy } from "../../provider/http/policy";
import { poll, retryUnlessLanded } from "../../provider/http/waiting";

const policy = waitPolicy({ maxRetries: 2, requestTimeoutMs: 1000, retryBaseDelayMs: 1, pollIntervalMs: 1 });

test("poll reads again until the value settles; a timeout of 0 takes the first value as it is", async (t) => {
  const reads: number[] = [];
  const settledAt3 = await poll(policy, {
    first: 0,
    timeoutMs: 5_000,
    settled: (n) => n >= 3,
    next: async (n) => {
      reads.push(n + 1);
      return n + 1;
    },
    onTimeout: () => new Error("timed out"),
  });
  t.is(settledAt3, 3);
  t.deepEqual(reads, [1, 2, 3]);
  const once = await poll(policy, {
    first: 0,
    timeoutMs: 0,
    settled: () => false,
    next: async () => t.fail() as never,
    onTimeout: () => new Error("x"),
  });
  t.is(once, 0);
});

test("poll gives up with onTimeout's error, and a settled() that throws stops it at once", async (t) => {
  const timeout = await t.throwsAsync(
    poll(policy, {
      first: "Pending",
      timeoutMs: 30,
      settled: () => false,
      next: async (v) => v,
      onTimeout: (last) => new Error(`still ${last}`),
    }),
  );
  t.is(timeout?.message, "still Pending");
  let reads = 0;
  const failed = await t.throwsAsync(
    poll(policy, {
      first: "Pending",
      timeoutMs: 5_000,
      settled: (v) => {
        if (v === "Failed") throw new Error("failed to activate");
        return false;
      },
      next: async () => (++reads, "Failed"),
      onTimeout: () => new Error("timed out"),
    }),
  );
  t.is(failed?.message, "failed to activate");
  t.is(reads, 1);
});

test("retryUnlessLanded looks before it sends again, and returns what landed instead of sending twice", async (t) => {
  const calls: string[] = [];
  let landedOnServer = false;
  const result = await retryUnlessLanded(policy, 3, {
    send: async () => {
      calls.push("send");
      landedOnServer = true; // carried out, but the answer is lost
      throw new Error("socket hang up");
    },
    onFailure: async () => undefined,
    look: async () => (calls.push("look"), landedOnServer ? "held" : undefined),
    retryAfter: () => undefined,
  });
  t.is(result, "held");
  t.deepEqual(calls, ["send", "look"], "one send: the look found it");
});

test("retryUnlessLanded sends again up to maxAttempts, looks after the last attempt too, then throws the last failure", async (t) => {
  const calls: string[] = [];
  const error = await t.throwsAsync(
    retryUnlessLanded(policy, 3, {
      send: async () => {
        calls.push("send");
        throw new Error(`attempt ${calls.filter((c) => c === "send").length}`);
      },
      onFailure: async () => undefined,
      look: async () => (calls.push("look"), undefined),
      retryAfter: () => undefined,
    }),
  );
  t.is(error?.message, "attempt 3");
  t.deepEqual(calls, ["send", "look", "send", "look", "send", "look"]);
});

test("retryUnlessLanded: onFailure settles at once (a result, or a final failure), without a pause or a look", async (t) => {
  const looks: number[] = [];
  const settled = await retryUnlessLanded(policy, 3, {
    send: async () => Promise.reject(new Error("409")),
    onFailure: async () => "ours already",
    look: async () => (looks.push(1), undefined),
    retryAfter: () => undefined,
  });
  t.is(settled, "ours already");
  const final = await t.throwsAsync(
    retryUnlessLanded(policy, 3, {
      send: async () => Promise.reject(new Error("403")),
      onFailure: async (e) => Promise.reject(e),
      look: async () => (looks.push(1), undefined),
      retryAfter: () => undefined,
    }),
  );
  t.is(final?.message, "403");
  t.deepEqual(looks, []);
});
