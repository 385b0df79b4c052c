// Rotation through the real Pulumi engine (Automation API, inline program, file backend) against
// one emulator on 10, a ServiceAccount whose secret a consumer outside the stack also holds: with
// an overlap the old secret keeps working until the first `up` after previousSecret.revokeAfter
// (the emulator's clock moved past it; preview shows the revocation coming), without one it is
// revoked in the same `up`, once the new one is proven. No secret in any output.
import test from "ava";
import * as pulumi from "@pulumi/pulumi";
import type { Stack } from "@pulumi/pulumi/automation";
import { requestToken, startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { amAdmin } from "../helpers/accessManagement";
import {
  changesIn,
  EngineLog,
  exportStackAsStored,
  openStack,
  openWorkspace,
  quiet,
  tridionConfig,
  type E2eWorkspace,
} from "../helpers/pulumi";
import { SecretScanner } from "../helpers/secrets";
import { ADDONS_ADMIN, values } from "./support";

const HOUR = 3600;

let emulator: TestEmulator;
let ws: E2eWorkspace;
let stack: Stack;
const log = new EngineLog();
const secrets = new SecretScanner();
/** Everything the engine printed, to scan for secrets at the end. */
let printed = "";

/** A pipeline identity whose overlap and secret version come from stack config (`e2e:`). */
function program() {
  const tridion = require("pulumi-tridion") as typeof import("../../provider");
  return async () => {
    const config = new pulumi.Config("e2e");
    const account = new tridion.ServiceAccount("pipeline", {
      accountName: "pipeline-deployer",
      roles: [ADDONS_ADMIN],
      secretVersion: config.get("secretVersion"),
      secretOverlapHours: config.getNumber("overlapHours"),
    });
    return {
      clientId: account.clientId,
      clientSecret: account.clientSecret,
      secretId: account.secretId,
      previousSecret: account.previousSecret,
      accountId: account.serviceAccountId,
    };
  };
}

test.before(async () => {
  emulator = await startTestEmulator({ productVersion: "10" });
  secrets.add(emulator.credentials.admin.clientSecret);
  ws = await openWorkspace();
  stack = await openStack(ws, {
    stackName: "dev",
    projectName: "tridion-e2e-rotation",
    program: program(),
    config: { ...tridionConfig(emulator), "e2e:overlapHours": { value: "2" } },
  });
});

test.after.always(async () => {
  await emulator?.close();
  ws?.remove();
});

/** `pulumi stack output --show-secrets`: what a consumer outside the stack reads. */
async function outputs() {
  const out = values(await stack.outputs());
  secrets.add(out.clientSecret);
  return out;
}

async function run<T>(t: { log: (...v: unknown[]) => void }, name: string, fn: () => Promise<T>): Promise<T> {
  const result = await log.step(t, name, fn);
  printed += log.take();
  return result;
}

async function works(clientId: string, clientSecret: string): Promise<boolean> {
  return (await requestToken(emulator.accessManagementUrl, clientId, clientSecret)).status === 200;
}

async function secretIdsOnServer(accountId: number): Promise<number[]> {
  return (await amAdmin(emulator)).secretIds("ServiceAccounts", accountId);
}

test.serial("with an overlap: the old secret works until the first up after revokeAfter, on Access Management's clock", async (t) => {
  t.timeout(600_000);
  await run(t, "up", () => stack.up(quiet(log)));
  const first = await outputs();
  t.true(await works(first.clientId, first.clientSecret));
  t.is(first.previousSecret, undefined, "nothing rotated yet");

  // Rotate: a new secret, proven; the old one kept for two hours.
  await stack.setConfig("e2e:secretVersion", { value: "2" });
  const preview = await run(t, "preview", () => stack.preview(quiet(log)));
  t.deepEqual(changesIn(preview.changeSummary), { update: 1 });
  t.regex(
    preview.stdout,
    /the client secret will be rotated \(secretVersion changed\); the old one stays valid for 2 hours after the rotation/,
  );
  const before = Date.now();
  await run(t, "up", () => stack.up(quiet(log)));
  const rotated = await outputs();
  t.not(rotated.secretId, first.secretId);
  t.is(rotated.clientId, first.clientId);
  t.like(rotated.previousSecret, { secretId: first.secretId });
  const revokeAfter = Date.parse(rotated.previousSecret.revokeAfter);
  t.true(Math.abs(revokeAfter - (before + 2 * HOUR * 1000)) < 120_000, rotated.previousSecret.revokeAfter);
  t.deepEqual(
    await secretIdsOnServer(rotated.accountId),
    [first.secretId, rotated.secretId].sort((a, b) => a - b),
  );
  t.true(await works(first.clientId, first.clientSecret), "a consumer outside the stack still signs in with the old secret");
  t.true(await works(rotated.clientId, rotated.clientSecret), "and the new one, from `pulumi stack output --show-secrets`, works");
  const quietNow = await run(t, "preview", () => stack.preview({ ...quiet(log), refresh: true }));
  t.deepEqual(changesIn(quietNow.changeSummary), {}, "within the window nothing is due");

  // Access Management's clock passes revokeAfter: preview shows the revocation, up carries it out.
  emulator.advanceClock(2 * HOUR + 60);
  const due = await run(t, "preview", () => stack.preview(quiet(log)));
  t.deepEqual(changesIn(due.changeSummary), { update: 1 });
  t.regex(
    due.stdout,
    new RegExp(`the previous client secret ${first.secretId} will be revoked: its overlap \\(secretOverlapHours\\) ended at`),
  );
  await run(t, "up", () => stack.up(quiet(log)));
  const settled = await outputs();
  t.is(settled.previousSecret, undefined);
  t.is(settled.secretId, rotated.secretId);
  t.deepEqual(await secretIdsOnServer(settled.accountId), [settled.secretId]);
  t.false(await works(first.clientId, first.clientSecret), "the old secret is revoked");
  const after = await run(t, "preview", () => stack.preview({ ...quiet(log), refresh: true }));
  t.deepEqual(changesIn(after.changeSummary), {});
});

test.serial("without an overlap: the old secret is revoked in the same up, after the new one is proven", async (t) => {
  t.timeout(600_000);
  const old = await outputs();
  await stack.setAllConfig({ "e2e:overlapHours": { value: "0" }, "e2e:secretVersion": { value: "3" } });
  emulator.clearRequestLog();
  await run(t, "up", () => stack.up(quiet(log)));
  const out = await outputs();
  t.not(out.secretId, old.secretId);
  t.is(out.previousSecret, undefined);
  t.deepEqual(await secretIdsOnServer(out.accountId), [out.secretId]);
  t.false(await works(old.clientId, old.clientSecret));
  t.true(await works(out.clientId, out.clientSecret));
  const requests = emulator.requestLog();
  const proof = requests.findIndex((e) => /\/connect\/token$/.test(e.path) && e.identity === out.clientId && e.status === 200);
  const revoke = requests.findIndex((e) => e.method === "DELETE" && e.path.endsWith(`/clientSecrets/${old.secretId}`));
  t.true(proof >= 0 && revoke > proof, "a token with the new secret came before the revocation");
  const after = await run(t, "preview", () => stack.preview({ ...quiet(log), refresh: true }));
  t.deepEqual(changesIn(after.changeSummary), {});
});

test.serial("no secret in any output: the engine's output and the state as stored", async (t) => {
  t.timeout(120_000);
  t.true(secrets.size >= 4, "the admin secret and three of the account's are known");
  t.deepEqual(secrets.findIn(printed), [], "no known secret in what the engine printed");
  t.deepEqual(secrets.findIn(JSON.stringify(await exportStackAsStored(ws, "dev"))), [], "nor in the stored state");
});
