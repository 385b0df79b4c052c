import test from "ava";
import { PackageError, validateConfiguration, validateManifest } from "../../../provider/packaging";
import { sampleManifest } from "./helpers";

const manifest = validateManifest(sampleManifest(), "manifest.json");

function rejects(t: import("ava").ExecutionContext, config: unknown, cause: RegExp, fix: RegExp): void {
  const error = t.throws(() => validateConfiguration(config, manifest), { instanceOf: PackageError });
  t.is(error.code, "CONFIGURATION_INVALID");
  t.regex(error.cause, cause);
  t.regex(error.fix, fix);
  t.true(error.cause.includes('add-on "acme-publishing-tools"'), error.cause);
}

test("the documented configuration shape is valid, as an object or JSON text", (t) => {
  const config = {
    configuration: { AcmeEventHandler: { threshold: 5 } },
    sitesCm: { isEnabled: true, AcmeEventHandler: {} },
    live: { isEnabled: true, configuration: { SOME_VAR: "x" }, "acme-action": {} },
    staging: { isEnabled: false },
    "qa-eu.1": {},
  };
  t.notThrows(() => validateConfiguration(config, manifest));
  t.notThrows(() => validateConfiguration(JSON.stringify(config), manifest));
  t.notThrows(() => validateConfiguration({}, manifest));
});

test("an extension name the manifest does not have is rejected, with a suggestion", (t) => {
  rejects(
    t,
    { configuration: { AcmeEventHandlr: {} } },
    /configuration\.AcmeEventHandlr names the extension "AcmeEventHandlr", which manifest "acme-publishing-tools" does not have \(it has "AcmeEventHandler", "acme-action"\)/,
    /Did you mean "AcmeEventHandler"\?/,
  );
  rejects(t, { sitesCm: { acmeeventhandler: {} } }, /sitesCm\.acmeeventhandler names the extension/, /Did you mean "AcmeEventHandler"/);
  rejects(
    t,
    { live: { Unrelated: {} } },
    /live\.Unrelated names the extension "Unrelated"/,
    /Use an extension name from the manifest, or remove this entry/,
  );
});

test("wrong shapes are rejected", (t) => {
  rejects(t, [], /must be an object, but it is an array/, /Pass an object such as/);
  rejects(t, { configuration: "x" }, /"configuration" must be an object, but it is the string "x"/, /"<extension name>"/);
  rejects(t, { live: true }, /"live" must be an object, but it is the boolean true/, /"isEnabled": true/);
  rejects(
    t,
    { sitesCm: { isEnabled: "yes" } },
    /sitesCm\.isEnabled must be true or false, but it is the string "yes"/,
    /"isEnabled": false/,
  );
  rejects(t, { live: { configuration: [] } }, /live\.configuration must be an object, but it is an array/, /SOME_VAR/);
  rejects(
    t,
    { configuration: { AcmeEventHandler: 5 } },
    /configuration\.AcmeEventHandler must be an object, but it is the number 5/,
    /"AcmeEventHandler": \{ \.\.\. \}/,
  );
});

test("a reserved key in the wrong case or an unusable environment name is rejected", (t) => {
  rejects(t, { sitesCM: {} }, /"sitesCM" looks like the reserved key "sitesCm"/, /Rename it to "sitesCm"/);
  rejects(
    t,
    { "live env": {} },
    /"live env" is not "configuration", "sitesCm" or a usable Content Delivery environment name/,
    /"live" or "staging"/,
  );
});

test("broken JSON text is rejected with its position", (t) => {
  rejects(t, '{"live": {"isEnabled": tru}}', /is not valid JSON: .* at line 1, column 27 \(position 26\)/, /Correct the JSON text/);
});
