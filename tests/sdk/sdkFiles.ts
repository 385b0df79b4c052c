// The committed SDKs (sdk/) as the tests read them: every file under a folder, and a copy of one
// SDK outside the repository (checks that compile or byte-compile never leave output in sdk/).
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { packageSchema } from "../../provider/plugin/schema";

export const repoRoot = path.resolve(__dirname, "..", "..");
export const SDK_DIR = path.join(repoRoot, "sdk");
export const run = promisify(execFile);

/** The provider package's version: the schema's, and so every SDK's. */
export const PROVIDER_VERSION = JSON.parse(fs.readFileSync(path.join(repoRoot, "provider", "package.json"), "utf8")).version as string;

/** Where the engine downloads the plugin from when it is not installed (the schema's pluginDownloadURL). */
export const PLUGIN_SERVER = (packageSchema(PROVIDER_VERSION) as { pluginDownloadURL: string }).pluginDownloadURL;

/** path (relative, with "/") -> bytes, for every file under dir. */
export function filesUnder(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, full).split(path.sep).join("/"), fs.readFileSync(full));
  }
  return files;
}

/** A copy of sdk/<language> in a fresh temp folder (removed by the returned function). */
export function copyOfSdk(language: string): { dir: string; remove: () => void } {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), `tridion-sdk-${language}-`));
  const dir = path.join(parent, language);
  fs.cpSync(path.join(SDK_DIR, language), dir, { recursive: true });
  return { dir, remove: () => fs.rmSync(parent, { recursive: true, force: true }) };
}
