// The two loops the provider waits in, written once over the wait policy (./policy.ts): a poll
// until something settles, and a write that is sent again only after the server was asked
// whether the last attempt landed.
import { backoff, delayBeforeRetry, pollPauses, sleep, type WaitPolicy } from "./policy";

/**
 * Reads again, with the policy's poll pauses, until `settled` (which may throw, e.g. for a
 * failure the value shows) says the value is final. `timeoutMs` 0 reads nothing: the first value
 * is the answer. Past the deadline, `onTimeout` says why.
 */
export async function poll<T>(
  policy: WaitPolicy,
  options: { first: T; timeoutMs: number; settled(value: T): boolean; next(last: T): Promise<T>; onTimeout(last: T): Error },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const pauses = pollPauses(policy);
  let value = options.first;
  for (;;) {
    if (options.settled(value) || options.timeoutMs === 0) return value;
    if (Date.now() >= deadline) throw options.onTimeout(value);
    await sleep(Math.min(pauses.next().value, Math.max(0, deadline - Date.now())));
    value = await options.next(value);
  }
}

/**
 * A write that must not be sent twice blindly (an upload): after a failed attempt, `onFailure`
 * may settle it at once (a result, or a throw for a failure that is final); otherwise the loop
 * pauses (the server's Retry-After, or backoff) and `look`s at what the server holds, even after
 * the last attempt, since an attempt may have landed though no answer came back. `look` returns
 * the result when it did, throws when the server holds something else, and returns undefined to
 * send again, up to `maxAttempts`; then the last failure is thrown.
 */
export async function retryUnlessLanded<T>(
  policy: WaitPolicy,
  maxAttempts: number,
  steps: {
    send(): Promise<T>;
    onFailure(error: unknown, attempt: number): Promise<T | undefined>;
    look(): Promise<T | undefined>;
    retryAfter(error: unknown): unknown;
  },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await steps.send();
    } catch (error) {
      const settled = await steps.onFailure(error, attempt);
      if (settled !== undefined) return settled;
      const wait = delayBeforeRetry(policy, attempt, steps.retryAfter(error));
      const again = attempt < maxAttempts && wait !== undefined;
      await sleep(again ? wait : backoff(policy, attempt));
      const landed = await steps.look();
      if (landed !== undefined) return landed;
      if (!again) throw error;
    }
  }
}
