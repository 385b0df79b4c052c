import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import type { ExecutionContext } from "ava";
import * as yauzl from "yauzl";
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

export interface CraftedEntry {
  name: string;
  data?: Buffer | string;
  deflate?: boolean;
  /** Set general purpose bit 0 (encrypted) without encrypting: enough for a reader to refuse it. */
  encrypted?: boolean;
}

/**
 * A hand-built ZIP for hostile fixtures (archiver sanitises names, so it cannot write `../x`).
 * Test-only: production code writes ZIPs with archiver.
 */
export async function craftZip(file: string, entries: CraftedEntry[]): Promise<string> {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const raw = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data ?? "");
    const packed = entry.deflate ? zlib.deflateRawSync(raw) : raw;
    // an encrypted entry starts with a 12-byte encryption header
    const body = entry.encrypted ? Buffer.concat([Buffer.alloc(12, 0x5a), packed]) : packed;
    const name = Buffer.from(entry.name, "utf8");
    const crc = zlib.crc32(raw);
    const flags = 0x800 | (entry.encrypted ? 1 : 0);
    const method = entry.deflate ? 8 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(0x00210000, 10); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(0x00210000, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, Buffer.concat([...locals, cd, end]));
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
