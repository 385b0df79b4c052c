// A folder is read once: what was checked is what is hashed, zipped and uploaded, even when the
// folder changes while it is packaged. Another process writing into the folder at a precise
// moment is played by `whenPackaging`: it watches the packaging code's calls into node:fs (they
// pass through unchanged) and makes the change, once, synchronously, at the moment described.
import test, { type ExecutionContext } from "ava";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as nodeFs from "node:fs";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { PackageError, type PackageErrorCode, preparePackage, type PackageOptions } from "../../../provider/packaging";
import { ReadBudget, readWalkedFile, walkDirectory } from "../../../provider/packaging/directorySource";
import { resolveOptions } from "../../../provider/packaging/options";
import { SAMPLE_FILES, readZip, sampleManifest, tempDir, writeAddon } from "./helpers";

type Method = "open" | "readFile" | "opendir" | "readdir" | "mkdir" | "lstat" | "stat";

/**
 * Calls `act` once, synchronously, at the first call of one of `methods` on `fs.promises` whose
 * path `matches` (before the call is made, or with `after`, once it has returned).
 */
function whenPackaging(
  t: ExecutionContext,
  methods: Method[],
  matches: (file: string, method: Method) => boolean,
  act: () => void,
  after = false,
): void {
  const promises = nodeFs.promises as unknown as Record<Method, (...args: unknown[]) => Promise<unknown>>;
  let done = false;
  for (const method of methods) {
    const original = promises[method];
    promises[method] = async (...args: unknown[]) => {
      const hit = !done && matches(String(args[0]), method);
      if (hit && !after) {
        done = true;
        act();
      }
      const result = await original(...args);
      if (hit && after) {
        done = true;
        act();
      }
      return result;
    };
    t.teardown(() => {
      promises[method] = original;
    });
  }
}

const inside = (root: string) => (file: string) => file.startsWith(root + path.sep);

async function refused(t: ExecutionContext, run: Promise<unknown>, code: PackageErrorCode, cause: RegExp): Promise<PackageError> {
  const error = await t.throwsAsync(run, { instanceOf: PackageError });
  t.is(error.code, code, error.message);
  t.regex(error.message, cause);
  return error;
}

/** Nothing half-built left behind, and no package stored. */
async function nothingStored(t: ExecutionContext, cacheDir: string): Promise<void> {
  t.deepEqual(await fs.readdir(path.join(cacheDir, "tmp")).catch(() => []), [], "no temp file left");
  t.deepEqual(await fs.readdir(path.join(cacheDir, "packages")).catch(() => []), [], "no package stored");
}

async function setup(t: ExecutionContext, files: Record<string, string | Buffer> = SAMPLE_FILES) {
  const dir = await fs.realpath(await tempDir(t, "read-once-"));
  const source = await writeAddon(path.join(dir, "addon"), sampleManifest(), files);
  const outside = path.join(dir, "outside");
  await fs.mkdir(outside);
  const secret = path.join(outside, "id_rsa");
  await fs.writeFile(secret, "-----BEGIN PRIVATE KEY----- not for the package");
  return { dir, source, secret, cacheDir: path.join(dir, "cache") };
}

for (const useCache of [true, false]) {
  test.serial(
    `a file swapped for a symlink out of the folder after the walk is refused, not packaged (useCache ${useCache})`,
    async (t) => {
      const { source, secret, cacheDir } = await setup(t);
      const readme = path.join(source, "README.txt");
      whenPackaging(t, ["open", "readFile"], inside(source), () => {
        nodeFs.rmSync(readme);
        nodeFs.symlinkSync(secret, readme);
      });
      await refused(t, preparePackage(source, { cacheDir, useCache }), "SOURCE_CHANGED", /README\.txt was replaced by a symlink/);
      await nothingStored(t, cacheDir);
    },
  );
}

test.serial("a folder swapped for a symlink out of the folder after the walk is refused", async (t) => {
  const { dir, source, cacheDir } = await setup(t);
  await fs.mkdir(path.join(dir, "outside", "CM"));
  await fs.writeFile(path.join(dir, "outside", "CM", "Acme.EventHandler.dll"), "someone else's assembly");
  whenPackaging(t, ["open", "readFile"], inside(source), () => {
    nodeFs.renameSync(path.join(source, "CM"), path.join(dir, "CM-moved"));
    nodeFs.symlinkSync(path.join(dir, "outside", "CM"), path.join(source, "CM"));
  });
  await refused(t, preparePackage(source, { cacheDir }), "SOURCE_CHANGED", /Acme\.EventHandler\.dll was replaced by another file/);
  await nothingStored(t, cacheDir);
});

test.serial(
  "a folder swapped for a symlink while the walk lists it is refused (the descriptor is not where the walk placed it)",
  async (t) => {
    if (process.platform !== "linux") return t.pass("only Linux tells where an open descriptor points (/proc/self/fd)");
    const { dir, source, cacheDir } = await setup(t);
    await fs.mkdir(path.join(dir, "outside", "CM"));
    await fs.writeFile(path.join(dir, "outside", "CM", "Acme.EventHandler.dll"), "someone else's assembly");
    const cm = path.join(source, "CM");
    // After the walk saw CM as a folder, before it lists it.
    whenPackaging(
      t,
      ["opendir", "readdir"],
      (file) => file === cm,
      () => {
        nodeFs.renameSync(cm, path.join(dir, "CM-moved"));
        nodeFs.symlinkSync(path.join(dir, "outside", "CM"), cm);
      },
    );
    const error = await t.throwsAsync(preparePackage(source, { cacheDir }), { instanceOf: PackageError });
    t.is(error.code, "SOURCE_CHANGED", error.message);
    t.regex(
      error.message,
      /CM\/Acme\.EventHandler\.dll opens .*outside\/CM\/Acme\.EventHandler\.dll, not .*addon\/CM\/Acme\.EventHandler\.dll: a folder on its path was replaced by a symlink/,
    );
    await nothingStored(t, cacheDir);
  },
);

test.serial("a manifest swapped after it was validated is not uploaded: the ZIP holds the validated bytes", async (t) => {
  const { source, cacheDir } = await setup(t);
  const manifestPath = path.join(source, "manifest.json");
  const validated = await fs.readFile(manifestPath);
  const evil = JSON.stringify({ ...sampleManifest(), extensions: [{ name: "Evil", type: "CMEventHandler", properties: {} }] });
  // Once manifest.json has been read (and validated), before any other file is read.
  const swap = () => {
    nodeFs.writeFileSync(`${manifestPath}.new`, evil);
    nodeFs.renameSync(`${manifestPath}.new`, manifestPath);
  };
  whenPackaging(t, ["readFile"], (file) => file === manifestPath, swap, true);
  whenPackaging(t, ["open"], (file) => inside(source)(file) && file !== manifestPath, swap);
  let zipped: Buffer | undefined;
  try {
    const prepared = await preparePackage(source, { cacheDir });
    zipped = (await readZip(prepared.filePath)).find((e) => e.name === "manifest.json")!.data;
    t.deepEqual(
      prepared.manifest.extensions.map((e) => e.name),
      ["AcmeEventHandler", "acme-action"],
    );
  } catch (error) {
    // Refusing is fine too; uploading what was not validated is not.
    t.true(error instanceof PackageError && error.code === "SOURCE_CHANGED", String(error));
  }
  if (zipped) t.true(zipped.equals(validated), `the ZIP's manifest is the validated one, not ${zipped.toString()}`);
  t.is((await fs.readFile(manifestPath, "utf8")).includes("Evil"), true, "the swap did happen");
});

test.serial(
  "a file changed between hashing and zipping is refused, and the cache never maps the clean folder to other bytes",
  async (t) => {
    const { source, cacheDir } = await setup(t);
    const readme = path.join(source, "README.txt");
    const clean = await fs.readFile(readme);
    // The content was hashed (cache key) and not found: the folder changes before it is zipped.
    whenPackaging(
      t,
      ["mkdir"],
      (file) => file === path.join(cacheDir, "tmp"),
      () => nodeFs.writeFileSync(readme, "changed while packaging\n"),
    );
    const first = await preparePackage(source, { cacheDir }).then(
      () => undefined,
      (error: unknown) => error,
    );
    // Put the clean content back: the package of the clean folder must hold the clean bytes.
    await fs.writeFile(readme, clean);
    const prepared = await preparePackage(source, { cacheDir });
    const entry = (await readZip(prepared.filePath)).find((e) => e.name === "README.txt")!;
    t.true(entry.data.equals(clean), `the package of the clean folder holds "${entry.data.toString()}"`);
    t.true(first instanceof PackageError, String(first));
    t.is((first as PackageError).code, "SOURCE_CHANGED");
    t.regex((first as PackageError).message, /changed between the time they were hashed and the time they were zipped/);
    t.deepEqual(await fs.readdir(path.join(cacheDir, "tmp")), [], "no temp file left");
  },
);

test.serial("a file that grows past maxUncompressedBytes after the walk is refused", async (t) => {
  const { source, cacheDir } = await setup(t);
  const readme = path.join(source, "README.txt");
  whenPackaging(t, ["open", "readFile"], inside(source), () => nodeFs.appendFileSync(readme, Buffer.alloc(96 * 1024, 0x61)));
  await refused(
    t,
    preparePackage(source, { cacheDir, maxUncompressedBytes: 64 * 1024 }),
    "PACKAGE_TOO_LARGE",
    /holds more than 64\.0 KiB of files \(files grew while they were read\)/,
  );
  await nothingStored(t, cacheDir);
});

test.serial("a manifest that grows past maxManifestBytes after the walk is refused, not read whole", async (t) => {
  const { source, cacheDir } = await setup(t);
  const manifestPath = path.join(source, "manifest.json");
  t.true((await fs.stat(manifestPath)).size < 1024);
  whenPackaging(
    t,
    ["open", "readFile"],
    (file) => file === manifestPath,
    () => nodeFs.appendFileSync(manifestPath, " ".repeat(4096)),
  );
  await refused(
    t,
    preparePackage(source, { cacheDir, maxManifestBytes: 1024 }),
    "MANIFEST_INVALID",
    /manifest\.json is 4\.\d KiB; a manifest is a few KiB/,
  );
  await nothingStored(t, cacheDir);
});

test.serial("a file replaced by a FIFO after the walk is refused at once, without waiting for a writer", async (t) => {
  t.timeout(30_000);
  const { source, cacheDir } = await setup(t);
  const readme = path.join(source, "README.txt");
  whenPackaging(t, ["open", "readFile"], inside(source), () => {
    nodeFs.rmSync(readme);
    execFileSync("mkfifo", [readme]);
  });
  await refused(t, preparePackage(source, { cacheDir }), "SOURCE_CHANGED", /README\.txt was replaced by another file/);
  await nothingStored(t, cacheDir);
});

test.serial("a file that vanishes after the walk gives SOURCE_CHANGED and leaves no temp file", async (t) => {
  for (const useCache of [true, false]) {
    const { source, cacheDir } = await setup(t);
    const readme = path.join(source, "README.txt");
    whenPackaging(t, ["open", "readFile"], inside(source), () => nodeFs.rmSync(readme));
    await refused(t, preparePackage(source, { cacheDir, useCache }), "SOURCE_CHANGED", /README\.txt vanished/);
    await nothingStored(t, cacheDir);
  }
});

test("a FIFO in the folder is refused by the walk", async (t) => {
  const { source, cacheDir } = await setup(t);
  execFileSync("mkfifo", [path.join(source, "pipe")]);
  await refused(t, preparePackage(source, { cacheDir }), "SPECIAL_FILE", /pipe is not a regular file or folder/);
});

test("a file that grows or shrinks while it is read is refused; no more than its size at open is read", async (t) => {
  const { source } = await setup(t, { ...SAMPLE_FILES, "big.bin": Buffer.alloc(3 * 1024 * 1024, 1) });
  const options = resolveOptions({});
  const budget = () => ReadBudget.forFolder(source, options);
  const big = path.join(source, "big.bin");

  const tree = await walkDirectory(source, options);
  const entry = tree.entries.find((e) => e.path === "big.bin")!;
  let read = 0;
  const grown = (async () => {
    for await (const chunk of readWalkedFile(entry, budget())) {
      if (read === 0) await fs.appendFile(big, Buffer.alloc(10, 2));
      read += chunk.length;
    }
  })();
  const error = await t.throwsAsync(grown, { instanceOf: PackageError });
  t.is(error.code, "SOURCE_CHANGED");
  t.regex(error.message, /big\.bin grew while it was being read/);
  t.is(read, 3 * 1024 * 1024, "nothing past the size found at open was passed on");

  const again = (await walkDirectory(source, options)).entries.find((e) => e.path === "big.bin")!;
  const shrunk = (async () => {
    let first = true;
    for await (const _chunk of readWalkedFile(again, budget())) {
      if (first) await fs.truncate(big, 1024 * 1024 + 5);
      first = false;
    }
  })();
  t.regex((await t.throwsAsync(shrunk, { instanceOf: PackageError })).message, /big\.bin shrank while it was being read/);
});

test("a name the ZIP writer would change cannot smuggle a second manifest.json or rename a file", async (t) => {
  const { source, cacheDir } = await setup(t);
  // archiver drops a leading "x:" (a drive letter to it): "x:manifest.json" would become a second "manifest.json".
  await fs.writeFile(path.join(source, "x:manifest.json"), JSON.stringify({ id: "evil", description: "never validated", extensions: [] }));
  const error = await t.throwsAsync(preparePackage(source, { cacheDir }), { instanceOf: PackageError });
  t.true(["ZIP_DUPLICATE_ENTRY", "BAD_ENTRY_NAME"].includes(error.code), error.message);
  t.regex(error.message, /"x:manifest\.json"/, "the file to rename is named");
  await nothingStored(t, cacheDir);

  await fs.rm(path.join(source, "x:manifest.json"));
  await fs.writeFile(path.join(source, "x:notes.txt"), "would be packaged as notes.txt");
  const renamed = await t.throwsAsync(preparePackage(source, { cacheDir }), { instanceOf: PackageError });
  t.is(renamed.code, "BAD_ENTRY_NAME", renamed.message);
  t.regex(renamed.message, /x:notes\.txt/);
  await nothingStored(t, cacheDir);
});

test.serial("maxEntries stops the listing as soon as it is passed, not after the whole folder was listed", async (t) => {
  const files: Record<string, string> = { ...SAMPLE_FILES };
  for (let i = 0; i < 3000; i++) files[`many/f${i}.txt`] = "x";
  const { source, cacheDir } = await setup(t, files);
  let stats = 0;
  whenPackaging(
    t,
    ["lstat", "stat"],
    (file) => {
      if (inside(source)(file)) stats++;
      return false;
    },
    () => undefined,
  );
  await refused(t, preparePackage(source, { cacheDir, maxEntries: 20 }), "PACKAGE_TOO_LARGE", /holds more than 20 files and folders/);
  t.true(stats <= 21, `${stats} entries were looked at for a limit of 20`);
});

test("the ZIP of a folder is byte for byte what it always was (format pulumi-tridion-zip-1)", async (t) => {
  const dir = await tempDir(t);
  const plain = await writeAddon(path.join(dir, "a"));
  const mixed = await writeAddon(path.join(dir, "b"), sampleManifest(), {
    ...SAMPLE_FILES,
    "img/x.png": Buffer.alloc(300_000, 7),
    "data/zero.bin": Buffer.alloc(3_000_000),
    "e.txt": "",
  });
  await fs.mkdir(path.join(mixed, "emptydir", "inner"), { recursive: true });
  await fs.symlink("README.txt", path.join(mixed, "link.txt"));
  const options: PackageOptions = { cacheDir: path.join(dir, "cache"), useCache: false };
  const hashes = [(await preparePackage(plain, options)).sha256, (await preparePackage(mixed, options)).sha256];
  // Measured with the packaging code that read files by path (before reads went through checked descriptors).
  t.deepEqual(hashes, [
    "e1b165fe12066928d277735a391b4fc2165df05ebadfc4a642c30634dbe2861d",
    "4a4b3019b5f371deaa491785a276babbece90575f1a820d01fb743a2af338207",
  ]);
  t.is(
    createHash("sha256")
      .update(await fs.readFile((await preparePackage(plain, options)).filePath))
      .digest("hex"),
    hashes[0],
  );
});
