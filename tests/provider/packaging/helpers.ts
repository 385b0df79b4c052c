import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ExecutionContext } from "ava";
import * as yauzl from "yauzl";
import { rawZip, type RawEntry } from "../../helpers/rawZip";
import { sampleManifest as sampleAddonManifest } from "../../helpers/sampleAddon";

/**
 * The sample add-on's manifest (docs/tridion-contract.md §3.4), with one more file listed for its
 * action (a stylesheet), so that the packaging tests cover a referenced file in a nested folder.
 */
export function sampleManifest(): Record<string, unknown> {
  const m = sampleAddonManifest() as { extensions: Array<{ properties: { files?: string[] } }> };
  m.extensions[1].properties.files = [...(m.extensions[1].properties.files ?? []), "dist\\acme-action\\style.css"];
  return m;
}

/** The files the sample manifest references, with content, and a README that nothing references. */
export const SAMPLE_FILES: Record<string, string> = {
  "CM/Acme.EventHandler.dll": "MZ fake assembly bytes",
  "dist/acme-action/main.js": "export function main() { return 42; }\n",
  "dist/acme-action/style.css": ".acme { color: red }\n",
  "README.txt": "ACME add-on\n",
};

/** A temp dir removed after the test. */
export async function tempDir(t: ExecutionContext, prefix = "packaging-"): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes an add-on folder: manifest.json (object or raw text) plus files (forward-slash paths). */
export async function writeAddon(
  dir: string,
  manifest: Record<string, unknown> | string = sampleManifest(),
  files: Record<string, string | Buffer> = SAMPLE_FILES,
  order: "forward" | "reverse" = "forward",
): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const all: [string, string | Buffer][] = [
    ["manifest.json", typeof manifest === "string" ? manifest : JSON.stringify(manifest, null, 2)],
    ...Object.entries(files),
  ];
  if (order === "reverse") all.reverse();
  for (const [rel, content] of all) {
    const file = path.join(dir, ...rel.split("/"));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
  }
  return dir;
}

export type CraftedEntry = RawEntry & { name: string };

/** A hand-built ZIP file for hostile fixtures (archiver sanitises names, so it cannot write `../x`). */
export async function craftZip(file: string, entries: CraftedEntry[]): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, rawZip(entries));
  return file;
}

/** The sample add-on as crafted ZIP entries (manifest first). */
export function sampleEntries(manifest: Record<string, unknown> | string = sampleManifest()): CraftedEntry[] {
  return [
    { name: "manifest.json", data: typeof manifest === "string" ? manifest : JSON.stringify(manifest), deflate: true },
    ...Object.entries(SAMPLE_FILES).map(([name, data]) => ({ name, data, deflate: true })),
  ];
}

export interface ReadEntry {
  name: string;
  data: Buffer;
  mode: number;
  date: Date;
  extraFieldLength: number;
}

/** Every entry of a ZIP, read with yauzl (the reader the emulator uses). */
export async function readZip(file: string): Promise<ReadEntry[]> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true });
  const out: ReadEntry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on("error", reject);
    zip.on("end", () => resolve());
    zip.on("entry", (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("error", reject);
        stream.on("end", () => {
          out.push({
            name: entry.fileName,
            data: Buffer.concat(chunks),
            mode: (entry.externalFileAttributes >>> 16) & 0o7777,
            date: entry.getLastModDate({ timezone: "UTC" }),
            extraFieldLength: entry.extraFieldLength,
          });
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  zip.close();
  return out;
}
