// The AddonPackage mappers (provider/resources/addonPackage/state.ts): the Add-ons Service's metadata as
// state, the enabled flag the service implies, and the inputs a refresh reports.
import test from "ava";
import {
  addonStateFromMetadata,
  enabledFromStatus,
  inputsFromState,
  type AddonPackageInputs,
} from "../../../provider/resources/addonPackage/state";

const inputs: AddonPackageInputs = {
  source: "/work/addon",
  configuration: { configuration: {} },
  credentials: { clientId: "c", clientSecret: "s" },
  addonId: "acme",
  version: "1.0.0",
  packageSha256: "abc",
  packageFileName: "acme-1.0.0.zip",
};

test("metadata becomes state: the service's values win, the inputs fill the gaps, nothing is undefined", (t) => {
  const state = addonStateFromMetadata(
    inputs,
    { id: "acme", status: "Success", message: "", extensions: [{ name: "E", type: "CMEventHandler", status: "Success", message: "" }] },
    "cfg",
  );
  t.deepEqual(state, {
    source: "/work/addon",
    configuration: { configuration: {} },
    credentials: { clientId: "c", clientSecret: "s" },
    addonId: "acme",
    version: "1.0.0",
    status: "Success",
    packageSha256: "abc",
    packageFileName: "acme-1.0.0.zip",
    extensions: [{ name: "E", type: "CMEventHandler", status: "Success" }],
    configurationSha256: "cfg",
    enabled: true,
  });
  t.false(Object.values(state).includes(undefined), "state never holds undefined");
  const fromService = addonStateFromMetadata(
    inputs,
    { id: "acme", version: "2.0.0", packageSha256: "def", packageFileName: "acme-2.0.0.zip", message: "Failed to load E" },
    undefined,
  );
  t.like(fromService, { version: "2.0.0", packageSha256: "def", packageFileName: "acme-2.0.0.zip", statusMessage: "Failed to load E" });
  t.false("configurationSha256" in fromService, "no configuration: no key");
  t.deepEqual(fromService.extensions, []);
  t.false(addonStateFromMetadata({ ...inputs, enabled: false }, { id: "acme" }, undefined).enabled);
});

test("enabled as the service implies it: Disabled is off, any status on, no status keeps what state said", (t) => {
  t.false(enabledFromStatus("Disabled", true));
  t.true(enabledFromStatus("PendingActivation", false));
  t.true(enabledFromStatus("Failed", undefined));
  t.false(enabledFromStatus(undefined, false));
  t.true(enabledFromStatus(undefined, undefined), "default true");
});

test("the inputs a refresh reports: the program's and check's keys, not the service's own fields", (t) => {
  const state = addonStateFromMetadata(inputs, { id: "acme", name: "ACME", status: "Success" }, "cfg");
  const reported = inputsFromState(state);
  t.deepEqual(
    Object.keys(reported).sort(),
    [
      "addonId",
      "configuration",
      "configurationSha256",
      "credentials",
      "enabled",
      "packageFileName",
      "packageSha256",
      "source",
      "version",
    ].sort(),
  );
  t.false("status" in reported || "name" in reported || "extensions" in reported, "the service's own fields are outputs only");
});

test("metadata without an id never becomes a state (diff would plan a replacement)", (t) => {
  for (const meta of [{}, { id: "" }, { Id: "acme", Status: "Success" }]) {
    const error = t.throws(() => addonStateFromMetadata(inputs, meta as never, undefined));
    t.is((error as { code?: string }).code, "INTERNAL");
    t.regex(error!.message, /about to record the add-on "acme" without its id/);
  }
});
