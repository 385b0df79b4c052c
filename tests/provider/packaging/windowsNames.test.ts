// Names that cannot be extracted on Windows as the file they name: the Add-ons Service unpacks
// add-ons there, so such a name fails, lands on another name the duplicate check never saw, or
// opens a device or an alternate data stream. Refused in a ZIP and in a folder alike.
import test, { ExecutionContext } from "ava";
import * as path from "node:path";
import { PackageError, inspectPackage, preparePackage } from "../../../provider/packaging";
import { craftZip, sampleEntries, sampleManifest, SAMPLE_FILES, tempDir, writeAddon } from "./helpers";

const NAME = "acme-publishing-tools-1.4.0.zip";

/** [entry name, what the cause must say] */
const REFUSED: [string, RegExp][] = [
  ["CM/Acme.EventHandler.dll.", /ends with a dot: Windows drops it, so it names "Acme\.EventHandler\.dll" instead/],
  ["CM/Acme.EventHandler.dll ", /ends with a space: Windows drops it, so it names "Acme\.EventHandler\.dll" instead/],
  ["manifest.json.", /ends with a dot/],
  ["CM/notes...", /ends with a dot/],
  ["CM/Acme.EventHandler.dll::$DATA", /with ":", which Windows reads as an alternate data stream of a file \(as in "::\$DATA"\)/],
  ["CM/Acme.EventHandler.dll:hidden.dll", /alternate data stream/],
  ["CON", /a name Windows reserves for the device CON/],
  ["CM/con.txt", /reserves for the device CON \(with or without an extension\)/],
  ["CM/Nul.tar.gz", /the device NUL/],
  ["PRN.json", /the device PRN/],
  ["aux", /the device AUX/],
  ["CM/COM1", /the device COM1/],
  ["CM/com9.dll", /the device COM9/],
  ["CM/LPT1.log", /the device LPT1/],
  ["lpt9", /the device LPT9/],
  ["CM/COM\u00b9.dll", /the device COM\u00b9/],
  ["CM/LPT\u00b3", /the device LPT\u00b3/],
  ["CM/CON .txt", /the device CON/],
  ["CONOUT$", /the device CONOUT\$/],
  ["con/x.dll", /has "con", a name Windows reserves for the device CON/],
  ["CM/a<b.dll", /with "<", which Windows does not allow in a file name/],
  ["CM/a|b.dll", /with "\|"/],
  ["CM/what?.dll", /with "\?"/],
  ["CM/*.dll", /with "\*"/],
  ['CM/"quoted".dll', /with """/],
  ["CM/tab\there.dll", /with the control character U\+0009/],
  ["CM//Acme.dll", /an empty folder name \(two slashes in a row\)/],
  ["CM/./Acme.dll", /has a "\." folder/],
];

/** Windows accepts these as ordinary files. */
const ACCEPTED = [
  "CM/CONSOLE.txt",
  "CM/COM10.dll",
  "CM/NULL",
  "CM/LPT",
  "CM/aux-tools.dll",
  "CM/.hidden",
  "CM/a.b.c",
  "CM/Über.dll",
  "CM/com1x.dll",
];

function assertRefused(t: ExecutionContext, error: PackageError, name: string, cause: RegExp, source: string) {
  t.is(error.code, "BAD_ENTRY_NAME", error.message);
  t.true(error.message.startsWith(`${source} holds the entry ${JSON.stringify(name)}, which `), error.message);
  t.regex(error.message, cause);
  t.regex(error.message, /the Add-ons Service extracts add-ons on Windows/);
  t.regex(error.fix, /Rename it to a plain Windows file name/);
}

test("a ZIP entry whose name Windows would not extract as itself is refused, naming the entry and the rule", async (t) => {
  const dir = await tempDir(t);
  for (const [index, [name, cause]] of REFUSED.entries()) {
    const source = await craftZip(path.join(dir, String(index), NAME), [...sampleEntries(), { name, data: "MZ" }]);
    const error = await t.throwsAsync(inspectPackage(source), { instanceOf: PackageError });
    assertRefused(t, error, name, cause, source);
    await t.throwsAsync(preparePackage(source), { instanceOf: PackageError, message: error.message });
  }
});

test("names that collide on Windows with an entry already there are refused before the duplicate check could miss them", async (t) => {
  const dir = await tempDir(t);
  for (const [index, name] of ["CM/Acme.EventHandler.dll.", "CM/ACME.EVENTHANDLER.DLL ", "CM/Acme.EventHandler.dll::$DATA"].entries()) {
    const source = await craftZip(path.join(dir, String(index), NAME), [...sampleEntries(), { name, data: "MZ other" }]);
    const error = await t.throwsAsync(inspectPackage(source), { instanceOf: PackageError });
    t.is(error.code, "BAD_ENTRY_NAME", error.message);
    t.true(error.message.includes(JSON.stringify(name)), error.message);
  }
});

test("names Windows extracts as they are stay accepted", async (t) => {
  const dir = await tempDir(t);
  const entries = [...sampleEntries(), ...ACCEPTED.map((name) => ({ name, data: "x" }))];
  const prepared = await inspectPackage(await craftZip(path.join(dir, NAME), entries));
  t.is(prepared.manifest.id, "acme-publishing-tools");
});

test("a folder holding a file Windows would not extract as itself is refused the same way", async (t) => {
  const dir = await tempDir(t);
  // names a Linux or macOS file system holds, but Windows does not (the control character is left to the ZIP test)
  const onDisk = REFUSED.filter(([n]) => !n.includes("//") && !n.includes("/./") && !n.includes("\t") && !n.startsWith("con/"));
  for (const [index, [name, cause]] of onDisk.entries()) {
    const root = await writeAddon(path.join(dir, String(index)), sampleManifest(), { ...SAMPLE_FILES, [name]: "MZ" });
    const error = await t.throwsAsync(preparePackage(root, { cacheDir: path.join(dir, "cache") }), { instanceOf: PackageError });
    // "CM/Acme.EventHandler.dll." and "manifest.json." are files of their own here, beside the real ones
    assertRefused(t, error, name, cause, root);
  }
  // a reserved folder name: its folder entry is refused before the files in it
  const root = await writeAddon(path.join(dir, "folder"), sampleManifest(), { ...SAMPLE_FILES, "con/x.dll": "MZ" });
  const error = await t.throwsAsync(preparePackage(root, { cacheDir: path.join(dir, "cache") }), { instanceOf: PackageError });
  assertRefused(t, error, "con", /has "con", a name Windows reserves for the device CON/, root);
});
