// The one sample add-on the tests and benchmarks build on: the example add-on users copy
// (examples/quickstart/addon, the manifest of the contract's example), read from there, so that no
// test keeps a copy of it. Tests that need other content start from it and change what they test.
import * as fs from "node:fs";
import * as path from "node:path";

export const SAMPLE_ADDON_DIR = path.resolve(__dirname, "..", "..", "examples", "quickstart", "addon");

/** The sample's manifest, as a fresh object (change it freely), with `fields` laid over it. */
export function sampleManifest(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...(JSON.parse(fs.readFileSync(path.join(SAMPLE_ADDON_DIR, "manifest.json"), "utf8")) as Record<string, unknown>), ...fields };
}

/** The sample's files besides the manifest, by forward-slash path. */
export function sampleFiles(): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (full !== path.join(SAMPLE_ADDON_DIR, "manifest.json"))
        files[path.relative(SAMPLE_ADDON_DIR, full).split(path.sep).join("/")] = fs.readFileSync(full);
    }
  };
  walk(SAMPLE_ADDON_DIR);
  return files;
}
