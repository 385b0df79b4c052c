// A resource whose state the dynamic face wrote (it holds the serialized provider `__provider`),
// now served by the plugin, as after a TypeScript stack moved to the plugin's SDK: the diff
// reports an update of `__provider` alone when nothing else changed, and that update writes
// nothing to Tridion and answers the state without it; a real change with `__provider` present
// is made and drops it too. Over gRPC against the emulator (the whole move with the real CLI:
// tests/sdk/migration.test.ts).
import test from "ava";
import { startTestEmulator } from "../helpers/emulator";
import { DIFF_NONE, DIFF_SOME, pluginOnEmulator } from "../helpers/pluginHost";
import { addonFolder } from "../provider/support";

const addonUrn = "urn:pulumi:dev::moving::tridion:index:AddonPackage::tools";
const SHIM = "exports.handler = __f0;\nfunction __f0() { return require('pulumi-tridion/dynamic').addonPackage; }";

test("with __provider in state: an update of it alone, which writes nothing and drops it; a real change drops it too", async (t) => {
  const emulator = await startTestEmulator({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const host = await pluginOnEmulator(t, emulator);

  const source = addonFolder();
  const news = (await host.check(addonUrn, {}, { source, activationTimeoutSeconds: 5 })).inputs;
  const created = await host.create(addonUrn, news);
  const dynamicState = { ...created.properties, __provider: SHIM };

  t.is((await host.diff(addonUrn, created.id, created.properties, news)).changes, DIFF_NONE, "the plugin's own state: no change");
  const diff = await host.diff(addonUrn, created.id, dynamicState, news);
  t.is(diff.changes, DIFF_SOME);
  t.deepEqual(diff.replaces, []);
  t.deepEqual(diff.detailed, { __provider: "DELETE" });

  emulator.clearRequestLog();
  const moved = await host.update(addonUrn, created.id, dynamicState, news);
  t.deepEqual(moved.properties, created.properties, "the state as it was, without __provider");
  t.deepEqual(
    emulator.requestLog().filter((r) => r.method !== "GET" && !r.path.endsWith("/connect/token")),
    [],
    "nothing written to Tridion",
  );

  const disabled = (await host.check(addonUrn, news, { source, activationTimeoutSeconds: 5, enabled: false })).inputs;
  const changed = await host.diff(addonUrn, created.id, dynamicState, disabled);
  t.is(changed.detailed.enabled, "UPDATE");
  const updated = await host.update(addonUrn, created.id, dynamicState, disabled);
  t.is(updated.properties.enabled, false);
  t.false("__provider" in updated.properties);
  t.true(
    emulator.requestLog().some((r) => r.method !== "GET" && r.path.startsWith("/addon/")),
    "the real change was made",
  );
});
