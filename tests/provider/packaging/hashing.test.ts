import test from "ava";
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { PackageError, canonicalJson, configurationSha256, sha256File } from "../../../provider/packaging";
import { tempDir } from "./helpers";

test("canonicalJson sorts keys recursively and drops whitespace", (t) => {
  t.is(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: "x" } }), '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  t.is(canonicalJson([]), "[]");
  t.is(canonicalJson("é\n"), '"é\\n"');
});

test("canonicalJson follows JSON.stringify for undefined, non-finite numbers and toJSON", (t) => {
  t.is(
    canonicalJson({ a: undefined, b: [undefined, NaN, Infinity], c: new Date(0) }),
    '{"b":[null,null,null],"c":"1970-01-01T00:00:00.000Z"}',
  );
});

test("canonicalJson refuses what JSON cannot hold", (t) => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  t.throws(() => canonicalJson(cyclic), { message: /circular/ });
  t.throws(() => canonicalJson({ n: 1n }), { message: /BigInt/ });
  t.throws(() => canonicalJson(undefined), { message: /no JSON form/ });
  // the same object twice (not a cycle) is fine
  const shared = { x: 1 };
  t.is(canonicalJson({ a: shared, b: shared }), '{"a":{"x":1},"b":{"x":1}}');
});

test("configurationSha256 is the sha256 of the canonical JSON, whatever the key order or form", (t) => {
  const expected = createHash("sha256").update('{"configuration":{"A":{"threshold":5}},"live":{"isEnabled":true}}').digest("hex");
  t.is(configurationSha256({ live: { isEnabled: true }, configuration: { A: { threshold: 5 } } }), expected);
  t.is(configurationSha256('{ "configuration": { "A": { "threshold": 5 } }, "live": { "isEnabled": true } }'), expected);
  t.not(configurationSha256({ configuration: { A: { threshold: 6 } } }), expected);
});

test("configurationSha256 of broken JSON text says where it breaks", (t) => {
  const error = t.throws(() => configurationSha256('{\n  "a": 1,\n}'), { instanceOf: PackageError });
  t.is(error.code, "CONFIGURATION_INVALID");
  t.regex(error.message, /line 3, column 1/);
});

test("sha256File streams a file and returns hex", async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, "data.bin");
  const data = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
  await fs.writeFile(file, data);
  t.is(await sha256File(file), createHash("sha256").update(data).digest("hex"));
});
