// The package cache is trusted only when no one else can write to it: whatever it holds for a
// folder is uploaded as that folder's package.
import test, { type ExecutionContext } from "ava";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { PackageError, inspectPackage, preparePackage } from "../../../provider/packaging";
import { readZip, tempDir, writeAddon } from "./helpers";

const POSIX = typeof process.getuid === "function";

/**
 * A cache at `plantedCache` that maps the clean folder's content to a package built from other
 * files: what someone able to write there could leave for us. Never used by packaging before the
 * test looks it up (cache roots are checked once per process).
 */
async function plant(t: ExecutionContext, dir: string): Promise<{ source: string; plantedCache: string; evilSha: string }> {
  const source = await writeAddon(path.join(dir, "addon"));
  const evil = await writeAddon(path.join(dir, "evil"), undefined, {
    "CM/Acme.EventHandler.dll": "MZ someone else's assembly",
    "dist/acme-action/main.js": "steal()",
    "dist/acme-action/style.css": "",
  });
  const cleanCache = path.join(dir, "clean-cache");
  const clean = await preparePackage(source, { cacheDir: cleanCache });
  const built = await preparePackage(evil, { cacheDir: path.join(dir, "evil-cache") });
  t.not(built.sha256, clean.sha256);
  t.is(built.fileName, clean.fileName);

  const plantedCache = path.join(dir, "planted-cache");
  const [index] = await fs.readdir(path.join(cleanCache, "trees"));
  await fs.mkdir(path.join(plantedCache, "trees"), { recursive: true });
  await fs.mkdir(path.join(plantedCache, "packages", built.sha256), { recursive: true });
  await fs.copyFile(built.filePath, path.join(plantedCache, "packages", built.sha256, built.fileName));
  await fs.writeFile(
    path.join(plantedCache, "trees", index),
    JSON.stringify({ sha256: built.sha256, size: built.size, fileName: built.fileName }),
  );
  return { source, plantedCache, evilSha: built.sha256 };
}

for (const mode of [0o777, 0o770, 0o702]) {
  test(`a cache others can write to (mode ${mode.toString(8)}) is refused, not trusted`, async (t) => {
    if (!POSIX) return t.pass("no owners or mode bits on this platform");
    const dir = await tempDir(t);
    const { source, plantedCache } = await plant(t, dir);
    await fs.chmod(plantedCache, mode);
    for (const run of [preparePackage, inspectPackage]) {
      const error = await t.throwsAsync(run(source, { cacheDir: plantedCache }), { instanceOf: PackageError });
      t.is(error.code, "CACHE_UNSAFE");
      t.regex(error.message, new RegExp(`can be written by other users \\(mode 0${mode.toString(8)}\\)`));
      t.regex(error.fix, /a new folder \(it is created private, 0700\), or empty this one and make it private \(chmod 700 /);
    }
  });
}

test("an index or package under a private cache that others could write to is ignored, and the folder rebuilt", async (t) => {
  if (!POSIX) return t.pass("no owners or mode bits on this platform");
  const dir = await tempDir(t);
  const { source, plantedCache, evilSha } = await plant(t, dir);
  await fs.chmod(plantedCache, 0o700);
  const [index] = await fs.readdir(path.join(plantedCache, "trees"));
  await fs.chmod(path.join(plantedCache, "trees", index), 0o666);

  const prepared = await preparePackage(source, { cacheDir: plantedCache });
  t.not(prepared.sha256, evilSha);
  const dll = (await readZip(prepared.filePath)).find((e) => e.name === "CM/Acme.EventHandler.dll")!;
  t.is(dll.data.toString(), "MZ fake assembly bytes", "built from the folder, not taken from the planted index");
});
