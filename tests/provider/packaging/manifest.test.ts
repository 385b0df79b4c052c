import test from "ava";
import * as path from "node:path";
import { PackageError, inspectPackage, validateManifest } from "../../../provider/packaging";
import { craftZip, sampleEntries, sampleManifest, tempDir } from "./helpers";

const WHERE = "/src/addon/manifest.json";

function rejects(t: import("ava").ExecutionContext, raw: unknown, cause: RegExp, fix: RegExp): PackageError {
  const error = t.throws(() => validateManifest(raw, WHERE), { instanceOf: PackageError });
  t.is(error.code, "MANIFEST_INVALID");
  t.regex(error.message, cause);
  t.true(error.message.includes(WHERE), `cause names the manifest: ${error.message}`);
  t.regex(error.fix, fix);
  t.truthy(error.fix, "a fix of its own");
  t.false(error.message.includes(error.fix), "the message does not hold the fix");
  return error;
}

test("the documented example manifest is valid and keeps its fields", (t) => {
  const manifest = validateManifest(sampleManifest(), WHERE);
  t.is(manifest.id, "acme-publishing-tools");
  t.is(manifest.version, "1.4.0");
  t.is(manifest.author, "ACME");
  t.is(manifest.requireConfiguration, "optional");
  t.deepEqual(
    manifest.extensions.map((e) => [e.name, e.type]),
    [
      ["AcmeEventHandler", "CMEventHandler"],
      ["acme-action", "ExperienceSpaceExtension"],
    ],
  );
  t.deepEqual(manifest.extensions[0].properties, { assemblyFileSource: "CM\\Acme.EventHandler.dll" });
});

test("requireConfiguration is accepted in any case and normalised; missing means optional", (t) => {
  for (const [given, expected] of [
    ["Yes", "yes"],
    ["NO", "no"],
    ["Optional", "optional"],
    [undefined, "optional"],
  ] as const) {
    const raw = { ...sampleManifest(), requireConfiguration: given };
    t.is(validateManifest(raw, WHERE).requireConfiguration, expected);
  }
});

test("requireConfiguration outside yes/no/optional is rejected", (t) => {
  rejects(
    t,
    { ...sampleManifest(), requireConfiguration: "sometimes" },
    /"requireConfiguration" must be "yes", "no" or "optional", but it is the string "sometimes"/,
    /Set "requireConfiguration" to "yes", "no" or "optional"/,
  );
  rejects(t, { ...sampleManifest(), requireConfiguration: true }, /but it is the boolean true/, /default is "optional"/);
});

test("an unknown extension type is accepted (newer products add types)", (t) => {
  const raw = { ...sampleManifest(), extensions: [{ name: "Future", type: "SomethingFromSites11" }] };
  t.is(validateManifest(raw, WHERE).extensions[0].type, "SomethingFromSites11");
});

test("author may be empty; optional fields must be strings", (t) => {
  t.is(validateManifest({ ...sampleManifest(), author: "" }, WHERE).author, "");
  rejects(t, { ...sampleManifest(), version: 1.4 }, /"version" must be a string, but it is the number 1.4/, /"version": "1.4"/);
});

test("a manifest that is not an object is rejected", (t) => {
  rejects(t, [1, 2], /must hold a JSON object, but it holds an array/, /Write the manifest as an object/);
});

test("id missing, not a string, too long or unusable in a file name is rejected", (t) => {
  const { id: _dropped, ...withoutId } = sampleManifest();
  rejects(t, withoutId, /has no "id"/, /Add the mandatory add-on id/);
  rejects(t, { ...sampleManifest(), id: 42 }, /"id" must be a string, but it is the number 42/, /"id": "42"/);
  rejects(t, { ...sampleManifest(), id: "" }, /"id" is empty/, /Set "id"/);
  rejects(
    t,
    { ...sampleManifest(), id: "a".repeat(256) },
    /"id" is 256 characters long; the Add-ons Service allows at most 255/,
    /Shorten "id" to 255/,
  );
  t.is(validateManifest({ ...sampleManifest(), id: "a".repeat(255) }, WHERE).id.length, 255);
  rejects(
    t,
    { ...sampleManifest(), id: "acme/tools" },
    /"id" "acme\/tools" contains "\/", which cannot appear in a file name/,
    /letters, digits, dots, dashes and underscores are safe/,
  );
  rejects(t, { ...sampleManifest(), id: "acme:tools" }, /contains ":"/, /Correct "id"/);
  rejects(t, { ...sampleManifest(), id: "acme\u0007" }, /control character U\+0007/, /Correct "id"/);
  rejects(t, { ...sampleManifest(), id: " acme" }, /starts or ends with whitespace/, /Correct "id"/);
});

test("a version that cannot be part of a file name is rejected", (t) => {
  rejects(t, { ...sampleManifest(), version: "1.0/beta" }, /"version" "1.0\/beta" contains "\/".*ID-VERSION.zip/, /"1.4.0"/);
});

test("description empty or missing is rejected", (t) => {
  rejects(
    t,
    { ...sampleManifest(), description: "" },
    /"description" must be a non-empty string, but it is an empty string/,
    /rejects an empty one/,
  );
  rejects(t, { ...sampleManifest(), description: "   " }, /"description" must be a non-empty string/, /Add a short description/);
  const { description: _d, ...without } = sampleManifest();
  rejects(t, without, /but it is nothing/, /Add a short description/);
});

test("extensions must be an array of objects with name and type", (t) => {
  rejects(
    t,
    { ...sampleManifest(), extensions: { name: "x" } },
    /"extensions" must be an array, but it is an object/,
    /"extensions": \[\{ "name"/,
  );
  const { extensions: _e, ...without } = sampleManifest();
  rejects(t, without, /"extensions" must be an array, but it is nothing/, /List the add-on's extensions/);
  rejects(t, { ...sampleManifest(), extensions: ["CMEventHandler"] }, /extensions\[0\] must be an object/, /Write each extension as/);
  rejects(
    t,
    { ...sampleManifest(), extensions: [{ type: "CMEventHandler" }] },
    /extensions\[0\] has no "name" \(it is nothing\)/,
    /Give the extension a "name"/,
  );
  rejects(
    t,
    { ...sampleManifest(), extensions: [{ name: "A", type: "" }] },
    /extensions\[0\] has no "type" \(it is an empty string\)/,
    /"CMEventHandler"/,
  );
  rejects(
    t,
    { ...sampleManifest(), extensions: [{ name: "A", type: "UIEditor", properties: [] }] },
    /"properties" must be an object, but it is an array/,
    /or leave it out/,
  );
});

test("two extensions with the same name are rejected", (t) => {
  const ext = { name: "Same", type: "UIEditor" };
  rejects(
    t,
    { ...sampleManifest(), extensions: [ext, ext] },
    /extensions\[1\]: the extension name "Same" is already used by extensions\[0\]/,
    /distinct name/,
  );
});

test("a manifest nested deeper than 64 levels is refused with its position, never a stack overflow", async (t) => {
  const dir = await tempDir(t);
  const withExtra = (extra: string) => JSON.stringify(sampleManifest()).replace(/}$/, `,"extra":${extra}}`);
  const arrays = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
  const zip = (name: string, text: string) => craftZip(path.join(dir, name, "acme-publishing-tools-1.4.0.zip"), sampleEntries(text));
  // 64 levels in all (the manifest object is the first) are read as ever
  t.is((await inspectPackage(await zip("ok", withExtra(arrays(63))))).manifest.id, "acme-publishing-tools");
  for (const [name, text] of [
    ["65", withExtra(arrays(64))],
    ["deep", withExtra(arrays(200_000))],
    ["unclosed", withExtra("[".repeat(200_000))],
  ]) {
    const source = await zip(name, text);
    const error = await t.throwsAsync(inspectPackage(source), { instanceOf: PackageError });
    t.is(error.code, "MANIFEST_INVALID_JSON", error.message);
    const column = text.indexOf("[".repeat(64)) + 64;
    t.is(
      error.message,
      `manifest.json in ${source} is not valid JSON: arrays and objects nested more than 64 levels deep (the Add-ons Service reads at most 64) at line 1, column ${column} (position ${column - 1}).`,
    );
    t.regex(error.fix, /Correct the JSON in manifest\.json/);
  }
});
