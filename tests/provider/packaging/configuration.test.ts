import test from "ava";
import * as path from "node:path";
import { PackageError, configurationSha256, validateConfiguration, validateManifest } from "../../../provider/packaging";
import { craftZip, sampleEntries, sampleManifest, tempDir } from "./helpers";

const manifest = validateManifest(sampleManifest(), "manifest.json");

function rejects(t: import("ava").ExecutionContext, config: unknown, cause: RegExp, fix: RegExp): void {
  const error = t.throws(() => validateConfiguration(config, manifest), { instanceOf: PackageError });
  t.is(error.code, "CONFIGURATION_INVALID");
  t.regex(error.message, cause);
  t.regex(error.fix, fix);
  t.true(error.message.includes('add-on "acme-publishing-tools"'), error.message);
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
  rejects(t, { configuration: "x" }, /"configuration" must be an object, but it is a string\./, /"<extension name>"/);
  rejects(t, { live: true }, /"live" must be an object, but it is a boolean\./, /"isEnabled": true/);
  rejects(t, { sitesCm: { isEnabled: "yes" } }, /sitesCm\.isEnabled must be true or false, but it is a string\./, /"isEnabled": false/);
  rejects(t, { live: { configuration: [] } }, /live\.configuration must be an object, but it is an array/, /SOME_VAR/);
  rejects(
    t,
    { configuration: { AcmeEventHandler: 5 } },
    /configuration\.AcmeEventHandler must be an object, but it is a number\./,
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
  rejects(
    t,
    '{"live": {"isEnabled": tru}}',
    /is not valid JSON: a misspelt true .* at line 1, column 27 \(position 26\)/,
    /Correct the JSON text/,
  );
});

// A configuration may hold secrets: what it says about one names the path, the kind of value and,
// for JSON text, the line and column; never the value or the text around a typo.
const SECRET = "sk_live_51HxQzL0ngS3cr3tValue";

function secretFree(t: import("ava").ExecutionContext, text: string): void {
  for (const part of [SECRET, "sk_live", "51HxQ", "S3cr3t"]) t.false(text.includes(part), `"${part}" is quoted in: ${text}`);
}

test("a wrong value in the configuration is described by its kind and path, never quoted", (t) => {
  for (const [config, cause] of [
    [{ sitesCm: { isEnabled: SECRET } }, /sitesCm\.isEnabled must be true or false, but it is a string\./],
    [{ configuration: SECRET }, /"configuration" must be an object, but it is a string\./],
    [{ configuration: { AcmeEventHandler: SECRET } }, /configuration\.AcmeEventHandler must be an object, but it is a string\./],
    [{ live: { configuration: [SECRET] } }, /live\.configuration must be an object, but it is an array\./],
  ] as const) {
    const error = t.throws(() => validateConfiguration(config, manifest), { instanceOf: PackageError });
    t.regex(error.message, cause);
    secretFree(t, error.message);
  }
});

test("a typo in configuration JSON gives line, column and what is wrong, without the text around it", (t) => {
  const cases: [string, RegExp][] = [
    // an unquoted value
    [
      `{\n  "configuration": {\n    "AcmeEventHandler": { "apiKey": ${SECRET} }\n  }\n}`,
      /expected a value \(a string, number, object, array, true, false or null\), found a letter at line 3, column 37 \(position 59\)/,
    ],
    // single quotes
    [
      `{"configuration": {"AcmeEventHandler": {"apiKey": '${SECRET}'}}}`,
      /expected a value .*, found a single quote \(JSON strings take double quotes\) at line 1, column 51/,
    ],
    // a missing comma after the secret
    [
      `{"configuration": {"AcmeEventHandler": {"apiKey": "${SECRET}" "other": 1}}}`,
      /expected "," or "}" after the property value, found """ at line 1, column 83/,
    ],
    // a string never closed
    [`{"configuration": {"AcmeEventHandler": {"apiKey": "${SECRET}`, /a string that is never closed at line 1, column 51/],
    // a bad escape inside the secret
    [
      `{"configuration": {"AcmeEventHandler": {"apiKey": "sk_live_51HxQ\\qzL0ngS3cr3tValue"}}}`,
      /an invalid escape in a string .* at line 1, column 65/,
    ],
    // text after the document
    [`{"configuration": {}} ${SECRET}`, /more after the end of the JSON value, found a letter at line 1, column 23/],
  ];
  for (const [text, cause] of cases) {
    const error = t.throws(() => validateConfiguration(text, manifest), { instanceOf: PackageError });
    t.is(error.code, "CONFIGURATION_INVALID");
    t.regex(error.message, cause);
    t.regex(error.fix, /Correct the JSON text/);
    secretFree(t, error.message);
    const hashed = t.throws(() => configurationSha256(text), { instanceOf: PackageError });
    secretFree(t, hashed.message);
  }
});

/** `depth` arrays nested in one another, inside an extension's settings (which add 3 levels). */
const nested = (depth: number) => ({ configuration: { AcmeEventHandler: { list: JSON.parse(arrays(depth)) } } });
/** The same as JSON text, written without JSON.stringify (whose recursion would not survive 200,000 levels). */
const nestedText = (depth: number) => `{"configuration":{"AcmeEventHandler":{"list":${arrays(depth)}}}}`;
const arrays = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

test("configuration nesting is bounded at 64 levels, as .NET's JSON readers read it, with a clear error", (t) => {
  // 64 levels in all (3 of them the document's own) are fine, as text and as an object
  t.notThrows(() => validateConfiguration(nested(61), manifest));
  t.notThrows(() => validateConfiguration(nestedText(61), manifest));
  t.regex(configurationSha256(nested(61)), /^[0-9a-f]{64}$/);
  // 65 are not
  const error = t.throws(() => validateConfiguration(nested(62), manifest), { instanceOf: PackageError });
  t.is(error.code, "CONFIGURATION_INVALID");
  t.regex(error.message, /nests arrays and objects more than 64 levels deep \(at configuration\.AcmeEventHandler\.list\[0\]\[0\]/);
  t.regex(error.fix, /Flatten the configuration/);
  const text = t.throws(() => validateConfiguration(nestedText(62), manifest), { instanceOf: PackageError });
  t.regex(text.message, /is not valid JSON: arrays and objects nested more than 64 levels deep .* at line 1, column 107 \(position 106\)/);
  // far deeper: the same errors, never "Maximum call stack size exceeded"
  for (const deep of [nested(200_000), nestedText(200_000), `{"live": ${"[".repeat(200_000)}`]) {
    const deepError = t.throws(() => validateConfiguration(deep, manifest), { instanceOf: PackageError });
    t.is(deepError.code, "CONFIGURATION_INVALID");
    t.regex(deepError.message, /more than 64 levels deep/);
    const hashError = t.throws(() => configurationSha256(deep), { instanceOf: PackageError });
    t.regex(hashError.message, /more than 64 levels deep/);
  }
});

test("check() reports configuration and input mistakes without quoting the values", async (t) => {
  const { addonPackage } = require("../../../provider/dynamic") as typeof import("../../../provider/dynamic");
  const source = await craftZip(path.join(await tempDir(t), "acme-publishing-tools-1.4.0.zip"), sampleEntries());
  const reasons = async (inputs: Record<string, unknown>) => {
    const result = await addonPackage.check!({}, { source, ...inputs });
    t.true((result.failures ?? []).length > 0, "check fails");
    const all = result.failures!.map((f) => `${f.property}: ${f.reason}`).join("\n");
    secretFree(t, all);
    return all;
  };
  t.regex(
    await reasons({ configuration: `{"configuration": {"AcmeEventHandler": {"apiKey": ${SECRET}}}}` }),
    /^configuration: The configuration is not valid JSON: expected a value .*, found a letter at line 1, column 51 \(position 50\)\.\nFix: Correct the JSON text/m,
  );
  t.regex(
    await reasons({ configuration: { sitesCm: { isEnabled: SECRET } } }),
    /sitesCm\.isEnabled must be true or false, but it is a string\./,
  );
  t.regex(await reasons({ enabled: SECRET }), /^enabled: `enabled` must be true or false, got a string\.$/m);
  t.regex(await reasons({ adopt: { token: SECRET } }), /^adopt: `adopt` must be true or false, got an object\.$/m);
  // a number in a numeric setting is shown; anything else there is named by its kind
  t.regex(
    await reasons({ activationTimeoutSeconds: 99_999_999 }),
    /`activationTimeoutSeconds` must be a whole number from 0 to 86400 \(default 120; 0 = do not wait\), got 99999999\./,
  );
  t.regex(await reasons({ activationTimeoutSeconds: SECRET }), /`activationTimeoutSeconds` must be a whole number .*, got a string\./);
  // deep configuration: a check failure, not an internal error
  t.regex(
    await reasons({ configuration: nested(200_000) }),
    /^configuration: The configuration nests arrays and objects more than 64 levels deep/m,
  );
  t.regex(
    await reasons({ configuration: nestedText(200_000) }),
    /^configuration: The configuration is not valid JSON: arrays and objects nested more than 64 levels deep/m,
  );
});
