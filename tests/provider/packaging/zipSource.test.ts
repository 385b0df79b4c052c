import test, { ExecutionContext } from "ava";
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { PackageError, PackageErrorCode, PackageOptions, inspectPackage, preparePackage } from "../../../provider/packaging";
import { RawEntry, rawZip } from "../../helpers/rawZip";
import { CraftedEntry, SAMPLE_FILES, craftZip, sampleEntries, sampleManifest, tempDir, writeAddon } from "./helpers";

const NAME = "acme-publishing-tools-1.4.0.zip";

async function rejects(
  t: ExecutionContext,
  source: string,
  code: PackageErrorCode,
  cause: RegExp,
  fix: RegExp,
  options: PackageOptions = {},
) {
  const error = await t.throwsAsync(inspectPackage(source, options), { instanceOf: PackageError });
  t.is(error.code, code, error.message);
  t.regex(error.message, cause);
  t.regex(error.fix, fix);
  t.true(error.message.includes(source), `the cause names the source: ${error.message}`);
  t.truthy(error.fix, "a fix of its own");
  t.false(error.message.includes(error.fix), "the message does not hold the fix");
  await t.throwsAsync(preparePackage(source, options), { instanceOf: PackageError, message: error.message });
}

async function zipWith(t: ExecutionContext, entries: CraftedEntry[], name = NAME): Promise<string> {
  return craftZip(path.join(await tempDir(t), name), entries);
}

test("a .zip source is validated and hashed as is, and nothing is written to the cache", async (t) => {
  const dir = await tempDir(t);
  const cacheDir = path.join(dir, "cache");
  const built = await preparePackage(await writeAddon(path.join(dir, "addon")), { cacheDir: path.join(dir, "build-cache") });
  for (const name of [NAME, "acme-publishing-tools-1.4.0-17.zip", "acme-publishing-tools.zip"]) {
    const source = path.join(dir, name);
    await fs.copyFile(built.filePath, source);
    const inspected = await inspectPackage(source, { cacheDir });
    const prepared = await preparePackage(source, { cacheDir });
    for (const result of [inspected, prepared]) {
      t.is(result.filePath, source);
      t.is(result.fileName, name);
      t.is(result.sha256, built.sha256);
      t.is(result.size, built.size);
      t.is(result.manifest.id, "acme-publishing-tools");
    }
  }
  await t.throwsAsync(fs.stat(cacheDir), { code: "ENOENT" });
});

test("a ZIP built on Windows (backslash separators) is accepted and its referenced files are found", async (t) => {
  const entries = sampleEntries().map((e) => ({ ...e, name: e.name.replace(/\//g, "\\") }));
  const source = await zipWith(t, entries);
  const prepared = await inspectPackage(source);
  t.is(
    prepared.sha256,
    createHash("sha256")
      .update(await fs.readFile(source))
      .digest("hex"),
  );
});

test("a corrupt or truncated ZIP is rejected", async (t) => {
  const dir = await tempDir(t);
  const garbage = path.join(dir, NAME);
  await fs.writeFile(garbage, "this is not a zip file at all, just text that ends here");
  await rejects(
    t,
    garbage,
    "ZIP_CORRUPT",
    /is not a readable ZIP archive \(end of central directory record signature not found/i,
    /check that the file was copied completely/,
  );

  const whole = await fs.readFile(await zipWith(t, sampleEntries()));
  const truncated = path.join(dir, "truncated", NAME);
  await fs.mkdir(path.dirname(truncated));
  await fs.writeFile(truncated, whole.subarray(0, whole.length - 10));
  await rejects(t, truncated, "ZIP_CORRUPT", /is not a readable ZIP archive/, /Rebuild it/);
});

test("entries that escape the ZIP root are rejected, in every spelling", async (t) => {
  for (const evil of [
    "../evil.dll",
    "/etc/evil.dll",
    "..\\evil.dll",
    "C:\\Windows\\evil.dll",
    "CM\\..\\..\\evil.dll",
    "\\\\server\\share\\evil.dll",
    "c:/evil.dll",
  ]) {
    const source = await zipWith(t, [...sampleEntries(), { name: evil, data: "MZ" }]);
    const shown = JSON.stringify(evil).replace(/[\\.^$()[\]]/g, "\\$&");
    await rejects(
      t,
      source,
      "ZIP_ENTRY_ESCAPES",
      new RegExp(`holds the entry ${shown}, which .*; extracting it would write outside the add-on folder`),
      /relative paths only/,
    );
  }
});

test("duplicate entries, or entries differing only in case, are rejected", async (t) => {
  await rejects(
    t,
    await zipWith(t, [...sampleEntries(), { name: "README.txt", data: "again" }]),
    "ZIP_DUPLICATE_ENTRY",
    /holds "README\.txt" twice/,
    /each path appears once/,
  );
  await rejects(
    t,
    await zipWith(t, [...sampleEntries(), { name: "readme.TXT", data: "again" }]),
    "ZIP_DUPLICATE_ENTRY",
    /holds both "README\.txt" and "readme\.TXT", which differ only in case/,
    /Rename or remove one/,
  );
});

test("a ZIP without manifest.json, or with it in a subfolder, says where it is", async (t) => {
  const noManifest = sampleEntries().slice(1);
  await rejects(
    t,
    await zipWith(t, noManifest),
    "MANIFEST_MISSING",
    /has no manifest\.json\./,
    /Add manifest\.json at the root of the ZIP/,
  );
  const nested = sampleEntries().map((e) => ({ ...e, name: `acme-addon/${e.name}` }));
  await rejects(
    t,
    await zipWith(t, [{ name: "acme-addon/" }, ...nested]),
    "MANIFEST_NOT_AT_ROOT",
    /has no manifest\.json at its root; one was found inside the subfolder "acme-addon\/" \(acme-addon\/manifest\.json\)/,
    /Zip the contents of "acme-addon" rather than the folder itself/,
  );
});

test("invalid JSON or a broken rule in a ZIP's manifest names the ZIP", async (t) => {
  await rejects(
    t,
    await zipWith(t, sampleEntries('{"id": "acme-publishing-tools", "description": "x" "extensions": []}')),
    "MANIFEST_INVALID_JSON",
    /manifest\.json in .* is not valid JSON: .* at line 1, column 52 \(position 51\)/,
    /Correct the JSON in manifest\.json/,
  );
  await rejects(
    t,
    await zipWith(t, sampleEntries({ ...sampleManifest(), requireConfiguration: "maybe" })),
    "MANIFEST_INVALID",
    /manifest\.json in .*: "requireConfiguration" must be "yes", "no" or "optional"/,
    /Set "requireConfiguration"/,
  );
});

test("a ZIP whose file name does not match its manifest is rejected", async (t) => {
  await rejects(
    t,
    await zipWith(t, sampleEntries(), "acme-1.4.0.zip"),
    "FILE_NAME",
    /The package file name "acme-1\.4\.0\.zip" .* does not match its manifest \(id "acme-publishing-tools", version "1\.4\.0"\)/,
    /Rename the file to acme-publishing-tools-1\.4\.0\.zip, acme-publishing-tools-1\.4\.0-<build number>\.zip or acme-publishing-tools\.zip/,
  );
  await rejects(
    t,
    await zipWith(t, sampleEntries(), "acme-publishing-tools-1.4.0-rc1.zip"),
    "FILE_NAME",
    /does not match its manifest/,
    /Rename the file/,
  );
});

test("a file referenced by the manifest but missing from the ZIP is rejected", async (t) => {
  const entries = sampleEntries().filter((e) => e.name !== "dist/acme-action/main.js");
  await rejects(
    t,
    await zipWith(t, entries),
    "REFERENCED_FILE_MISSING",
    /extension "acme-action" properties\.main points to "dist\\\\acme-action\\\\main\.js", but .* has no file "dist\/acme-action\/main\.js"/,
    /Add the file at that path inside the package, or correct properties\.main/,
  );
});

test("ZIP bombs are refused: an extreme compression ratio, too much in total, too many entries", async (t) => {
  const zeros = Buffer.alloc(8 * 1024 * 1024);
  await rejects(
    t,
    await zipWith(t, [...sampleEntries(), { name: "CM/padding.bin", data: zeros, deflate: true }]),
    "ZIP_BOMB",
    /the entry "CM\/padding\.bin" expands from .* KiB to 8\.0 MiB \(ratio \d+:1, limit 200:1\), which looks like a ZIP bomb/,
    /raise the maxCompressionRatio limit/,
  );
  // the same entry passes with a higher ratio limit
  await t.notThrowsAsync(
    inspectPackage(await zipWith(t, [...sampleEntries(), { name: "CM/padding.bin", data: zeros, deflate: true }]), {
      maxCompressionRatio: 5000,
    }),
  );
  await rejects(
    t,
    await zipWith(t, sampleEntries()),
    "ZIP_BOMB",
    /expands to more than 100 bytes, the limit for an add-on package/,
    /raise the maxUncompressedBytes limit/,
    { maxUncompressedBytes: 100 },
  );
  await rejects(t, await zipWith(t, sampleEntries()), "ZIP_BOMB", /declares 5 entries; the limit is 3/, /raise the maxEntries limit/, {
    maxEntries: 3,
  });
});

test("an encrypted entry is rejected", async (t) => {
  await rejects(
    t,
    await zipWith(t, [...sampleEntries(), { name: "CM/secret.dll", data: "x", encrypted: true }]),
    "ZIP_ENCRYPTED",
    /holds the encrypted entry "CM\/secret\.dll"/,
    /without a password/,
  );
});

/** The sample add-on plus `extra`, written by hand with names as given (raw bytes, flags, 0x7075). */
async function namedZip(t: ExecutionContext, extra: RawEntry[]): Promise<string> {
  const source = path.join(await tempDir(t), NAME);
  const sample: RawEntry[] = [
    { name: "manifest.json", data: JSON.stringify(sampleManifest()) },
    ...Object.entries(SAMPLE_FILES).map(([name, data]) => ({ name, data })),
  ];
  await fs.writeFile(source, rawZip([...sample, ...extra]));
  return source;
}

test("the raw name is validated, not an Info-ZIP Unicode Path field that names a harmless file", async (t) => {
  // The service reads the raw name and would write outside the add-on folder; the field says CM/harmless.dll.
  const source = await namedZip(t, [{ name: "../../../Windows/Temp/evil.dll", data: "MZ", unicodePath: { name: "CM/harmless.dll" } }]);
  await rejects(
    t,
    source,
    "ZIP_ENTRY_ESCAPES",
    /holds the entry "\.\.\/\.\.\/\.\.\/Windows\/Temp\/evil\.dll", which climbs out of the package root/,
    /relative paths only/,
  );
});

test("an entry whose Unicode Path field disagrees with its raw name is refused, naming both", async (t) => {
  // A second manifest.json that readers honouring the field see as CM/notes.json: the service would deploy it.
  await rejects(
    t,
    await namedZip(t, [{ name: "manifest.json", data: JSON.stringify(sampleManifest()), unicodePath: { name: "CM/notes.json" } }]),
    "ZIP_ENTRY_NAME_AMBIGUOUS",
    /holds the entry "manifest\.json", which carries an Info-ZIP Unicode Path extra field \(0x7075\) naming it "CM\/notes\.json" instead; the Add-ons Service ignores that field/,
    /Rebuild the ZIP with UTF-8 file names/,
  );
  // harmless names, but still two of them
  await rejects(
    t,
    await namedZip(t, [{ name: "CM/a.dll", data: "MZ", unicodePath: { name: "CM/b.dll" } }]),
    "ZIP_ENTRY_NAME_AMBIGUOUS",
    /holds the entry "CM\/a\.dll", which carries an Info-ZIP Unicode Path extra field \(0x7075\) naming it "CM\/b\.dll"/,
    /pass the add-on folder as source/,
  );
  // a field that does not match the raw name's CRC-32 is not ignored either: some tools still show it
  await rejects(
    t,
    await namedZip(t, [{ name: "CM/a.dll", data: "MZ", unicodePath: { name: "CM/b.dll", nameCrc: 1 } }]),
    "ZIP_ENTRY_NAME_AMBIGUOUS",
    /naming it "CM\/b\.dll" instead/,
    /UTF-8 file names/,
  );
  await rejects(
    t,
    await namedZip(t, [{ name: "CM/a.dll", data: "MZ", unicodePath: { name: "CM/a.dll", version: 2 } }]),
    "ZIP_ENTRY_NAME_AMBIGUOUS",
    /"CM\/a\.dll", which carries an Info-ZIP Unicode Path extra field \(0x7075\) that cannot be read/,
    /UTF-8 file names/,
  );
});

test("a Unicode Path field that agrees with a UTF-8 raw name is accepted", async (t) => {
  const prepared = await inspectPackage(
    await namedZip(t, [
      { name: "CM/Übersetzung.dll", data: "MZ", unicodePath: { name: "CM/Übersetzung.dll" } },
      { name: "README-ascii.txt", data: "x", utf8Flag: false, unicodePath: { name: "README-ascii.txt" } },
    ]),
  );
  t.is(prepared.manifest.id, "acme-publishing-tools");
});

test("a name whose decoding depends on the reader is refused: non-ASCII without the UTF-8 flag, or flagged but not UTF-8", async (t) => {
  // "CM/\x9a.dll": Ü in CP437, š in Windows-1252, invalid in UTF-8
  await rejects(
    t,
    await namedZip(t, [{ name: Buffer.from("CM/\x9abersetzung.dll", "latin1"), data: "MZ", utf8Flag: false }]),
    "ZIP_ENTRY_NAME_AMBIGUOUS",
    /holds the entry "CM\/\\x9abersetzung\.dll", which has non-ASCII bytes but is not marked as UTF-8 \(general-purpose bit 11\)/,
    /7-Zip: -mcu=on/,
  );
  // the same UTF-8 bytes without the flag are just as ambiguous (.NET Framework reads them as ANSI)
  await rejects(
    t,
    await namedZip(t, [{ name: "CM/Übersetzung.dll", data: "MZ", utf8Flag: false }]),
    "ZIP_ENTRY_NAME_AMBIGUOUS",
    /"CM\/\\xc3\\x9cbersetzung\.dll", which has non-ASCII bytes but is not marked as UTF-8/,
    /UTF-8 file names/,
  );
  await rejects(
    t,
    await namedZip(t, [{ name: Buffer.from([0x43, 0x4d, 0x2f, 0xff, 0xfe, 0x2e, 0x64, 0x6c, 0x6c]), data: "MZ" }]),
    "ZIP_ENTRY_NAME_AMBIGUOUS",
    /"CM\/\\xff\\xfe\.dll", which is marked as UTF-8 \(general-purpose bit 11\) but its bytes are not valid UTF-8/,
    /UTF-8 file names/,
  );
  // plain ASCII without the flag reads the same everywhere
  t.is((await inspectPackage(await namedZip(t, [{ name: "CM/plain.dll", data: "MZ", utf8Flag: false }]))).manifest.version, "1.4.0");
});

test("a folder with non-ASCII file names packages to a ZIP whose names every reader agrees on", async (t) => {
  const dir = await tempDir(t);
  const built = await preparePackage(
    await writeAddon(path.join(dir, "addon"), sampleManifest(), { ...SAMPLE_FILES, "CM/Übersetzung.dll": "MZ" }),
    {
      cacheDir: path.join(dir, "cache"),
    },
  );
  const source = path.join(dir, NAME);
  await fs.copyFile(built.filePath, source);
  t.is((await inspectPackage(source)).sha256, built.sha256);
});
