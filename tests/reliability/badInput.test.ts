// The bad-input corpus (corpus.ts) against the provider: each case goes through check and, if
// check lets it pass, create, as the engine would call them. The error must name the cause and
// the fix, hold no secret, and the server must hold exactly what it held before (no write in the
// request log). A handful of cases also go through the real engine (Automation API), which must
// show the same message and leave the stack's state as it was.
import test from "ava";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ConfigMap, Stack } from "@pulumi/pulumi/automation";
import { buildZip, getToken, packageFiles, startTestEmulator, uploadPackage, type TestEmulator } from "../helpers/emulator";
import { changesIn, EngineLog, failureOf, openStack, openWorkspace, quiet, type E2eWorkspace } from "../helpers/pulumi";
import { SecretScanner } from "../helpers/secrets";
import { configFor, configure, impl, type Config } from "../provider/support";
import { ADDON_ID, corpus, type BadInputCase, type Fixture, type ResourceKind } from "./corpus";
import { amApi, managedResources, serverSnapshot, storedStateText, writeAddon, writesIn } from "./support";

type Props = Record<string, unknown>;

const fixture = {} as Fixture;
const MAX_PACKAGE_BYTES = 256 << 10;

test.before(async () => {
  fixture.dir = fs.mkdtempSync(path.join(os.tmpdir(), "tridion-bad-input-"));
  fixture.clockOffsetMs = 0;
  [fixture.emulator, fixture.emulator96] = await Promise.all([
    startTestEmulator({
      maxPackageBytes: MAX_PACKAGE_BYTES,
      activationDelayMs: 50,
      seedUsers: ["reliability-deployer", "existing-deployer"],
    }),
    startTestEmulator({ productVersion: "9.6", activationDelayMs: 50, seedUsers: ["reliability-deployer", "existing-deployer"] }),
  ]);
  // Something to lose: an add-on (the corpus's packages share its id and say adopt: true) and a user with a secret.
  for (const emulator of [fixture.emulator, fixture.emulator96]) {
    const token = await getToken(emulator, emulator.credentials.admin);
    const r = await uploadPackage(`${emulator.addonsUrl}/api/v1/addons`, token, await buildZip(packageFiles()), `${ADDON_ID}-1.4.0.zip`);
    if (r.status !== 201) throw new Error(`baseline upload: ${r.status}`);
    const { access } = await amApi(emulator);
    const user = await access.user("existing-deployer");
    await access.setRoles("Users", user.id, ["Tridion.AddonService.Administrator"]);
    await access.generateSecret("Users", user.id);
  }
});

test.after.always(async () => {
  await Promise.all([fixture.emulator?.close(), fixture.emulator96?.close()]);
  if (fixture.dir) fs.rmSync(fixture.dir, { recursive: true, force: true });
  ws?.remove();
});

/** What a user reads: check failures (property: reason), else the error of create. */
async function attempt(kind: ResourceKind, inputs: Props): Promise<string> {
  const provider = impl[kind];
  let checked;
  try {
    checked = await provider.check!({}, inputs);
  } catch (e) {
    return (e as Error).message;
  }
  if (checked.failures?.length) return checked.failures.map((f) => `${f.property}: ${f.reason}`).join("\n");
  try {
    await provider.create(checked.inputs);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("the provider accepted the bad input");
}

function emulatorFor(c: BadInputCase): TestEmulator {
  return c.productVersion === "9.6" ? fixture.emulator96 : fixture.emulator;
}

function scannerFor(c: BadInputCase, extra: string[] = []): SecretScanner {
  const em = emulatorFor(c);
  return new SecretScanner().add(em.credentials.admin.clientSecret, em.credentials.addonsService.clientSecret, ...extra);
}

interface Assertions {
  regex(s: string, r: RegExp, m?: string): void;
  notRegex(s: string, r: RegExp, m?: string): void;
  deepEqual(a: unknown, b: unknown, m?: string): void;
}

function assertNamesCauseAndFix(t: Assertions, c: BadInputCase, message: string, where: string): void {
  for (const phrase of c.cause) t.regex(message, phrase, `${where}: the error names the cause`);
  for (const phrase of c.fix) t.regex(message, phrase, `${where}: the error names the fix`);
  t.notRegex(message, /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, `${where}: no token in the error`);
  t.notRegex(message, /\n\s+at .*\(.*:\d+:\d+\)/, `${where}: no stack trace in the error`);
}

test("the corpus holds at least 30 cases, with distinct names, covering every group", (t) => {
  t.true(corpus.length >= 30, `${corpus.length} cases`);
  t.is(new Set(corpus.map((c) => c.name)).size, corpus.length);
  t.deepEqual([...new Set(corpus.map((c) => c.group))].sort(), ["configuration", "credentials", "identity", "package", "settings"]);
});

for (const c of corpus) {
  test.serial(`bad input, ${c.group}: ${c.name}`, async (t) => {
    const em = emulatorFor(c);
    const arranged = await c.arrange(fixture);
    await configure(arranged.config ? arranged.config(configFor(em)) : configFor(em));
    const before = await serverSnapshot(em);
    em.clearRequestLog();

    const message = await attempt(c.resource, arranged.inputs);
    if (process.env.RELIABILITY_SHOW_ERRORS) t.log(message);

    assertNamesCauseAndFix(t, c, message, "provider");
    t.deepEqual(scannerFor(c, arranged.secrets).findIn(message), [], "no secret value in the error");
    t.deepEqual(writesIn(em.requestLog()), [], "the provider sent no write");
    t.deepEqual(await serverSnapshot(em), before, "the server holds what it held before");
  });
}

// ---- the same message through the real engine ------------------------------------------------

const ENGINE_CASES: Array<{ name: string; previewFails: boolean }> = [
  { name: "ZIP entry escaping with ../ (path traversal)", previewFails: true },
  { name: "configuration names an extension the manifest lacks", previewFails: true },
  { name: "plain http to a host that is not loopback, without opt-in", previewFails: true },
  { name: "the predefined Add-ons API account (Service role) uploading", previewFails: true },
  { name: "package larger than the service accepts (413)", previewFails: false },
];

const CONSTRUCTORS = {
  addonPackage: "AddonPackage",
  clientCredentialUser: "ClientCredentialUser",
  serviceAccount: "ServiceAccount",
} as const;

let ws: E2eWorkspace;
let stack: Stack;
const engineLog = new EngineLog();
/** The bad resource of the current engine case (the inline program runs in this process). */
let badResource: { kind: ResourceKind; inputs: Props } | undefined;

function stackConfig(config: Config): ConfigMap {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, { value: v, secret: k === "tridion:clientSecret" }]));
}

/** A stack with one good add-on deployed (its own id), so there is state to lose. */
async function openBaselineStack(): Promise<void> {
  ws = await openWorkspace();
  const baseline = writeAddon(path.join(ws.dir, "baseline"), { id: "reliability-baseline", version: "1.0.0" });
  const program = async () => {
    const tridion = require("pulumi-tridion");
    new tridion.AddonPackage("baseline", { source: baseline, activationTimeoutSeconds: 30 });
    if (badResource) new tridion[CONSTRUCTORS[badResource.kind]]("bad", badResource.inputs);
  };
  stack = await openStack(ws, {
    stackName: "reliability",
    projectName: "tridion-reliability-bad-input",
    program,
    config: stackConfig(configFor(fixture.emulator)),
  });
  const up = await stack.up(quiet(engineLog));
  if (changesIn(up.summary.resourceChanges).create !== 2)
    throw new Error(`baseline up: ${JSON.stringify(up.summary.resourceChanges)}\n${engineLog.take()}`);
}

async function setStackConfig(config: Config): Promise<void> {
  const current = await stack.getAllConfig();
  for (const key of Object.keys(current)) if (key.startsWith("tridion:") && !(key in config)) await stack.removeConfig(key);
  await stack.setAllConfig(stackConfig(config));
}

/** The resources in state besides the engine's provider resource (which records the stack config the case changed). */
async function stateResources(): Promise<unknown> {
  return managedResources(await stack.exportStack());
}

for (const { name, previewFails } of ENGINE_CASES) {
  test.serial(`through the engine, the same message and untouched state: ${name}`, async (t) => {
    t.timeout(240_000);
    if (!stack) await openBaselineStack();
    const c = corpus.find((x) => x.name === name)!;
    const em = emulatorFor(c);
    const arranged = await c.arrange(fixture);
    const scanner = scannerFor(c, arranged.secrets);
    const stateBefore = await stateResources();
    const serverBefore = await serverSnapshot(em);
    em.clearRequestLog();
    badResource = { kind: c.resource, inputs: arranged.inputs };
    try {
      await setStackConfig(arranged.config ? arranged.config(configFor(em)) : configFor(em));
      engineLog.take();
      if (previewFails) {
        const preview = await failureOf(stack.preview(quiet(engineLog))).catch((e) => {
          t.log(`the preview succeeded; engine output:\n${engineLog.take()}`);
          throw e;
        });
        assertNamesCauseAndFix(t, c, preview.message, "preview");
        t.deepEqual(scanner.findIn(preview.message), [], "no secret in the preview's error");
      } else {
        const preview = await stack.preview(quiet(engineLog));
        t.deepEqual(changesIn(preview.changeSummary), { create: 1 }, "preview cannot know the size limit: it shows the create");
      }
      const up = await failureOf(stack.up(quiet(engineLog)));
      assertNamesCauseAndFix(t, c, up.message, "up");
      t.deepEqual(scanner.findIn(up.message), [], "no secret in the up's error");
      t.deepEqual(scanner.findIn(engineLog.take()), [], "no secret in the engine output");
    } finally {
      badResource = undefined;
      await setStackConfig(configFor(fixture.emulator));
    }
    const stateAfter = await stateResources();
    t.deepEqual(stateAfter, stateBefore, "the stack's state did not change");
    t.deepEqual(scanner.findIn(storedStateText(ws.dir)), [], "no secret in plain text in the stored state");
    t.deepEqual(writesIn(em.requestLog()), [], "the provider sent no write");
    t.deepEqual(await serverSnapshot(em), serverBefore, "the server holds what it held before");
  });
}
