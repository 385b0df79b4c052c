import test from "ava";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, promises as fs } from "node:fs";
import * as path from "node:path";
import { FIXED_DATE, PackageError, PackageErrorCode, inspectPackage, preparePackage } from "../../../provider/packaging";
import { promisify } from "node:util";
import { SAMPLE_FILES, readZip, sampleManifest, tempDir, writeAddon } from "./helpers";

const execFileAsync = promisify(execFile);

async function rejects(
  t: import("ava").ExecutionContext,
  source: string,
  code: PackageErrorCode,
  cause: RegExp,
  fix: RegExp,
  cacheDir: string,
) {
  const error = await t.throwsAsync(preparePackage(source, { cacheDir }), { instanceOf: PackageError });
  t.is(error.code, code, error.message);
  t.regex(error.message, cause);
  t.regex(error.fix, fix);
  t.truthy(error.fix, "a fix of its own");
  t.false(error.message.includes(error.fix), "the message does not hold the fix");
  // check() must reject the same way
  await t.throwsAsync(inspectPackage(source, { cacheDir }), { instanceOf: PackageError, message: error.message });
  return error;
}

test("a folder is zipped as ID-VERSION.zip with manifest.json first, sorted forward-slash paths, fixed dates and modes", async (t) => {
  const dir = await tempDir(t);
  const source = await writeAddon(path.join(dir, "addon"));
  const prepared = await preparePackage(source, { cacheDir: path.join(dir, "cache") });
  t.is(prepared.fileName, "acme-publishing-tools-1.4.0.zip");
  t.is(path.basename(prepared.filePath), prepared.fileName);
  t.is(prepared.filePath, path.join(dir, "cache", "packages", prepared.sha256, prepared.fileName));
  t.is(prepared.size, (await fs.stat(prepared.filePath)).size);
  t.is(
    prepared.sha256,
    createHash("sha256")
      .update(await fs.readFile(prepared.filePath))
      .digest("hex"),
  );
  t.is(prepared.manifest.id, "acme-publishing-tools");

  const entries = await readZip(prepared.filePath);
  t.deepEqual(
    entries.map((e) => e.name),
    [
      "manifest.json",
      "CM/",
      "CM/Acme.EventHandler.dll",
      "README.txt",
      "dist/",
      "dist/acme-action/",
      "dist/acme-action/main.js",
      "dist/acme-action/style.css",
    ],
  );
  t.deepEqual(JSON.parse(entries[0].data.toString()), sampleManifest());
  for (const [name, content] of Object.entries(SAMPLE_FILES)) {
    t.is(entries.find((e) => e.name === name)?.data.toString(), content);
  }
  for (const entry of entries) {
    t.is(entry.date.getTime(), FIXED_DATE.getTime(), entry.name);
    t.is(entry.mode, entry.name.endsWith("/") ? 0o755 : 0o644, entry.name);
    t.is(entry.extraFieldLength, 0, `${entry.name} carries no extra (timestamp) fields`);
  }
});

test("same files give the same bytes whatever mtimes, permissions, creation order and location", async (t) => {
  const dir = await tempDir(t);
  const cacheDir = path.join(dir, "cache");
  const a = await writeAddon(path.join(dir, "first", "addon"), sampleManifest(), SAMPLE_FILES, "forward");
  const b = await writeAddon(path.join(dir, "elsewhere", "deeper", "copy"), sampleManifest(), SAMPLE_FILES, "reverse");
  await fs.utimes(path.join(b, "README.txt"), new Date("2001-02-03T04:05:06Z"), new Date("2001-02-03T04:05:06Z"));
  await fs.utimes(path.join(b, "CM", "Acme.EventHandler.dll"), new Date(), new Date(Date.now() + 86_400_000));
  await fs.chmod(path.join(b, "dist", "acme-action", "main.js"), 0o755);
  await fs.chmod(path.join(b, "README.txt"), 0o600);
  await fs.chmod(path.join(b, "dist"), 0o700);

  const first = await preparePackage(a, { cacheDir, useCache: false });
  const second = await preparePackage(b, { cacheDir: path.join(dir, "other-cache"), useCache: false });
  t.is(second.sha256, first.sha256);
  t.true((await fs.readFile(first.filePath)).equals(await fs.readFile(second.filePath)));

  await fs.writeFile(path.join(b, "README.txt"), "ACME add-on, edited\n");
  const changed = await preparePackage(b, { cacheDir, useCache: false });
  t.not(changed.sha256, first.sha256);

  await fs.writeFile(path.join(b, "README.txt"), SAMPLE_FILES["README.txt"]);
  await fs.writeFile(path.join(b, "extra.txt"), "");
  t.not((await preparePackage(b, { cacheDir, useCache: false })).sha256, first.sha256, "an added empty file changes the package");
});

test("OS clutter (.DS_Store, Thumbs.db, desktop.ini) is left out; dot files and empty folders are kept", async (t) => {
  const dir = await tempDir(t);
  const cacheDir = path.join(dir, "cache");
  const clean = await writeAddon(path.join(dir, "clean"));
  const cluttered = await writeAddon(path.join(dir, "cluttered"), sampleManifest(), {
    ...SAMPLE_FILES,
    ".DS_Store": "mac",
    "CM/Thumbs.db": "win",
    "dist/DESKTOP.INI": "win",
  });
  const a = await preparePackage(clean, { cacheDir });
  const b = await preparePackage(cluttered, { cacheDir });
  t.is(b.sha256, a.sha256);

  await fs.writeFile(path.join(cluttered, ".gitignore"), "node_modules\n");
  await fs.mkdir(path.join(cluttered, "empty"));
  const names = (await readZip((await preparePackage(cluttered, { cacheDir })).filePath)).map((e) => e.name);
  t.true(names.includes(".gitignore"));
  t.true(names.includes("empty/"));
});

test("symlinks inside the folder are packaged as the files they point to", async (t) => {
  const dir = await tempDir(t);
  const cacheDir = path.join(dir, "cache");
  const real = await writeAddon(path.join(dir, "real"), sampleManifest(), {
    ...SAMPLE_FILES,
    "shared/lib.js": "lib\n",
    "lib-copy.js": "lib\n",
  });
  const linked = await writeAddon(path.join(dir, "linked"), sampleManifest(), { ...SAMPLE_FILES, "shared/lib.js": "lib\n" });
  await fs.symlink(path.join("shared", "lib.js"), path.join(linked, "lib-copy.js"));
  t.is((await preparePackage(linked, { cacheDir })).sha256, (await preparePackage(real, { cacheDir })).sha256);
});

test("a symlink pointing outside the folder is rejected", async (t) => {
  const dir = await tempDir(t);
  const source = await writeAddon(path.join(dir, "addon"));
  await fs.writeFile(path.join(dir, "secret.txt"), "not for the package");
  await fs.symlink(path.join(dir, "secret.txt"), path.join(source, "dist", "leak.txt"));
  await rejects(
    t,
    source,
    "SYMLINK_OUTSIDE",
    new RegExp(`dist/leak\\.txt is a symlink to .*secret\\.txt, outside the add-on folder`),
    /Copy the file into the add-on folder/,
    path.join(dir, "cache"),
  );
});

test("a broken symlink and a symlink loop are rejected", async (t) => {
  const dir = await tempDir(t);
  const broken = await writeAddon(path.join(dir, "broken"));
  await fs.symlink("nowhere.dll", path.join(broken, "CM", "gone.dll"));
  await rejects(
    t,
    broken,
    "SYMLINK_BROKEN",
    /gone\.dll is a symlink to "nowhere\.dll", which cannot be resolved \(ENOENT\)/,
    /Repair or remove the symlink/,
    path.join(dir, "cache"),
  );

  const loop = await writeAddon(path.join(dir, "loop"));
  await fs.symlink("..", path.join(loop, "CM", "up"));
  await rejects(
    t,
    loop,
    "SYMLINK_BROKEN",
    /CM\/up is a symlink back to its own parent folder/,
    /Remove the symlink/,
    path.join(dir, "cache"),
  );
});

test("a file name with a backslash is rejected", async (t) => {
  const dir = await tempDir(t);
  const source = await writeAddon(path.join(dir, "addon"), sampleManifest(), { ...SAMPLE_FILES, "CM\\Acme.EventHandler.dll": "x" });
  await rejects(t, source, "BAD_ENTRY_NAME", /has a backslash in its name/, /Rename it without "\\"/, path.join(dir, "cache"));
});

test("a missing source, or a file that is not a .zip, is rejected", async (t) => {
  const dir = await tempDir(t);
  const cacheDir = path.join(dir, "cache");
  await rejects(
    t,
    path.join(dir, "nope"),
    "SOURCE_MISSING",
    new RegExp(`The package source ${dir}/nope does not exist`),
    /Set source to an add-on folder \(holding manifest\.json\) or to a \.zip file/,
    cacheDir,
  );
  await fs.writeFile(path.join(dir, "addon.tar.gz"), "x");
  await rejects(
    t,
    path.join(dir, "addon.tar.gz"),
    "SOURCE_TYPE",
    /addon\.tar\.gz is a file without the \.zip extension/,
    /or to a \.zip file named ID-VERSION\.zip/,
    cacheDir,
  );
  await rejects(t, "", "SOURCE_MISSING", /The package source is empty/, /Set source/, cacheDir);
});

test("a folder without manifest.json, or with it in a subfolder, says where it is", async (t) => {
  const dir = await tempDir(t);
  const cacheDir = path.join(dir, "cache");
  const none = path.join(dir, "none");
  await fs.mkdir(path.join(none, "CM"), { recursive: true });
  await fs.writeFile(path.join(none, "CM", "a.dll"), "x");
  await rejects(
    t,
    none,
    "MANIFEST_MISSING",
    new RegExp(`${none} has no manifest\\.json\\.`),
    /Add manifest\.json at the top of the folder/,
    cacheDir,
  );

  const parent = path.join(dir, "parent");
  await writeAddon(path.join(parent, "acme-addon"));
  await rejects(
    t,
    parent,
    "MANIFEST_NOT_AT_ROOT",
    /has no manifest\.json at its root; one was found inside the subfolder "acme-addon\/" \(acme-addon\/manifest\.json\)/,
    /Point source at the folder "acme-addon"/,
    cacheDir,
  );

  const cased = await writeAddon(path.join(dir, "cased"));
  await fs.rename(path.join(cased, "manifest.json"), path.join(cased, "Manifest.json"));
  await rejects(
    t,
    cased,
    "MANIFEST_MISSING",
    /has "Manifest\.json" at its root but no "manifest\.json"/,
    /Rename it to "manifest\.json"/,
    cacheDir,
  );
});

test("invalid JSON in manifest.json is reported with line, column and position", async (t) => {
  const dir = await tempDir(t);
  const source = await writeAddon(path.join(dir, "addon"), '{\n  "id": "acme",\n  "description": "x",\n}\n');
  const error = await rejects(
    t,
    source,
    "MANIFEST_INVALID_JSON",
    /manifest\.json is not valid JSON: .* at line 4, column 1 \(position 40\)/,
    /trailing comma/,
    path.join(dir, "cache"),
  );
  t.true(error.message.startsWith(path.join(source, "manifest.json")));
});

test("a byte order mark before the manifest is accepted", async (t) => {
  const dir = await tempDir(t);
  const source = await writeAddon(path.join(dir, "addon"), `\ufeff${JSON.stringify(sampleManifest())}`);
  t.is((await preparePackage(source, { cacheDir: path.join(dir, "cache") })).manifest.id, "acme-publishing-tools");
});

test("a manifest rule broken in a folder's manifest is reported with the manifest's path", async (t) => {
  const dir = await tempDir(t);
  const source = await writeAddon(path.join(dir, "addon"), { ...sampleManifest(), description: "" });
  await rejects(
    t,
    source,
    "MANIFEST_INVALID",
    new RegExp(`${source}/manifest\\.json: "description" must be a non-empty string`),
    /Add a short description/,
    path.join(dir, "cache"),
  );
});

test("a file referenced by the manifest but missing from the folder is rejected", async (t) => {
  const dir = await tempDir(t);
  const cacheDir = path.join(dir, "cache");
  const { ["dist/acme-action/style.css"]: _css, ...withoutCss } = SAMPLE_FILES;
  const missing = await writeAddon(path.join(dir, "missing"), sampleManifest(), withoutCss);
  await rejects(
    t,
    missing,
    "REFERENCED_FILE_MISSING",
    /extension "acme-action" properties\.files\[1\] points to "dist\\\\acme-action\\\\style\.css", but .* has no file "dist\/acme-action\/style\.css"\./,
    /Add the file at that path inside the package, or correct properties\.files\[1\] in manifest\.json/,
    cacheDir,
  );

  const { ["CM/Acme.EventHandler.dll"]: _dll, ...withoutDll } = SAMPLE_FILES;
  const cased = await writeAddon(path.join(dir, "cased"), sampleManifest(), { ...withoutDll, "CM/acme.eventhandler.dll": "x" });
  await rejects(
    t,
    cased,
    "REFERENCED_FILE_MISSING",
    /properties\.assemblyFileSource points to "CM\\\\Acme\.EventHandler\.dll", but .* \(it has "CM\/acme\.eventhandler\.dll", which differs in case\)/,
    /including case/,
    cacheDir,
  );

  const escaping = {
    ...sampleManifest(),
    extensions: [{ name: "X", type: "CMEventHandler", properties: { assemblyFileSource: "..\\..\\Windows\\evil.dll" } }],
  };
  await rejects(
    t,
    await writeAddon(path.join(dir, "escaping"), escaping),
    "MANIFEST_INVALID",
    /properties\.assemblyFileSource "\.\.\\\\\.\.\\\\Windows\\\\evil\.dll" climbs out of the package root/,
    /relative to the root/,
    cacheDir,
  );
});

test("a folder over the size limit is rejected before anything is zipped", async (t) => {
  const dir = await tempDir(t);
  const source = await writeAddon(path.join(dir, "addon"), sampleManifest(), { ...SAMPLE_FILES, "big.bin": Buffer.alloc(64 * 1024) });
  const error = await t.throwsAsync(preparePackage(source, { cacheDir: path.join(dir, "cache"), maxUncompressedBytes: 32 * 1024 }), {
    instanceOf: PackageError,
  });
  t.is(error.code, "PACKAGE_TOO_LARGE");
  t.regex(error.message, /holds more than 32\.0 KiB of files\./);
  t.regex(error.fix, /raise the maxUncompressedBytes limit/);
  await t.throwsAsync(fs.readdir(path.join(dir, "cache", "packages")), { code: "ENOENT" });
});

test("check() builds into the cache and create/update reuse that exact file; a tampered cache entry is rebuilt", async (t) => {
  const dir = await tempDir(t);
  const cacheDir = path.join(dir, "cache");
  const source = await writeAddon(path.join(dir, "addon"));
  const inspected = await inspectPackage(source, { cacheDir });
  const { mtimeMs } = await fs.stat(inspected.filePath);
  const prepared = await preparePackage(source, { cacheDir });
  t.is(prepared.filePath, inspected.filePath);
  t.is(prepared.sha256, inspected.sha256);
  t.is((await fs.stat(prepared.filePath)).mtimeMs, mtimeMs, "not rebuilt");

  // same size, other bytes: preparePackage (before an upload) re-hashes and rebuilds
  const bytes = await fs.readFile(prepared.filePath);
  bytes[bytes.length - 30] ^= 0xff;
  await fs.writeFile(prepared.filePath, bytes);
  const rebuilt = await preparePackage(source, { cacheDir });
  t.is(rebuilt.sha256, prepared.sha256);
  t.is(
    createHash("sha256")
      .update(await fs.readFile(rebuilt.filePath))
      .digest("hex"),
    prepared.sha256,
  );
  t.deepEqual(await fs.readdir(path.join(cacheDir, "tmp")), [], "no temp files left behind");
});

test("a 30 MB tree streams into a package whose every file reads back intact", async (t) => {
  const dir = await tempDir(t);
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 24; i++) {
    // alternate incompressible and compressible 1.25 MiB files
    const seed = createHash("sha256").update(`f${i}`).digest();
    const block =
      i % 2
        ? Buffer.concat(Array.from({ length: 40960 }, (_, k) => createHash("sha256").update(seed).update(String(k)).digest()))
        : Buffer.from(`line ${i} of text `.repeat(80_000));
    files[`CM/part-${String(i).padStart(2, "0")}.${i % 2 ? "dll" : "txt"}`] = block.subarray(0, 1_310_720);
  }
  const source = await writeAddon(path.join(dir, "addon"), sampleManifest(), { ...SAMPLE_FILES, ...files });
  const prepared = await preparePackage(source, { cacheDir: path.join(dir, "cache") });
  t.true(prepared.size > 15 * 1024 * 1024);
  const entries = await readZip(prepared.filePath);
  for (const [name, data] of Object.entries(files)) {
    const entry = entries.find((e) => e.name === name);
    t.truthy(entry, name);
    t.true(entry!.data.equals(data), name);
  }
  t.is(
    prepared.sha256,
    await new Promise<string>((resolve) => {
      const hash = createHash("sha256");
      createReadStream(prepared.filePath)
        .on("data", (c) => hash.update(c))
        .on("end", () => resolve(hash.digest("hex")));
    }),
  );
});

test("the package bytes do not depend on the machine's time zone", async (t) => {
  const dir = await tempDir(t);
  const source = await writeAddon(path.join(dir, "addon"));
  const here = await preparePackage(source, { cacheDir: path.join(dir, "cache"), useCache: false });
  const script = `require(${JSON.stringify(path.resolve(__dirname, "../../../provider/packaging"))})
    .preparePackage(${JSON.stringify(source)}, { cacheDir: ${JSON.stringify(path.join(dir, "cache-tz"))}, useCache: false })
    .then((p) => process.stdout.write(p.sha256));`;
  for (const tz of ["Pacific/Chatham", "America/St_Johns"]) {
    const { stdout } = await execFileAsync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
      env: { ...process.env, TZ: tz },
    });
    t.is(stdout, here.sha256, tz);
  }
});
