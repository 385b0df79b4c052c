/**
 * Benchmark: package a generated add-on tree (deterministic zip + sha256) with preparePackage,
 * against the reference `zip -X -r` then `sha256sum` on the same tree, in the same run,
 * alternating, median of BENCH_REPS runs (default 5). Size: BENCH_PACKAGE_MB (default 200).
 *
 *   npm run build && node --require ts-node/register/transpile-only bench/packaging.ts
 *
 * Prints one JSON object: { name, reference, ours, ratio, ... } (seconds; ratio = ours / reference,
 * goal <= 1.5). The tree is generated once under bench/.work/ (git-ignored) and reused.
 * Needs Debian's `zip` (apt-get install zip) and coreutils' sha256sum.
 */
import { execFileSync } from "node:child_process";
import { existsSync, promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { preparePackage } from "../provider/packaging";
import { median, randomBytesFrom, round, run, WORK } from "./common";

export interface PackagingBenchResult {
  name: string;
  /** Median seconds of `zip -X -r` + `sha256sum`. */
  reference: number;
  /** Median seconds of a cold preparePackage (nothing cached). */
  ours: number;
  /** ours / reference; the goal is <= 1.5. */
  ratio: number;
  goal: number;
  treeMB: number;
  /** Actual bytes generated, in MiB (the last large file may overshoot the target). */
  actualTreeMB: number;
  files: number;
  reps: number;
  referenceZipMB: number;
  oursZipMB: number;
  /** Median seconds of preparePackage when the same content was built before (preview path). */
  oursCached: number;
  sha256: string;
}

const WORDS =
  "namespace Acme Tridion Sites publishing component template schema event handler resolver deploy content delivery graphql model transformer experience space action const function return await async import export default class extends public private static void string number boolean".split(
    " ",
  );

/** Source-like text (compresses about 4-5x, like JS bundles, XML and JSON). */
function textFrom(seed: string, length: number): Buffer {
  const noise = randomBytesFrom(seed, Math.ceil(length / 3) + 64);
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < length; i++) {
    const b = noise[i % noise.length];
    const word = WORDS[b % WORDS.length];
    const piece = b % 11 === 0 ? `\n${"  ".repeat(b % 4)}` : b % 7 === 0 ? `${word}(${noise[(i + 1) % noise.length]}); ` : `${word} `;
    parts.push(piece);
    size += piece.length;
  }
  return Buffer.from(parts.join("")).subarray(0, length);
}

/** DLL-like binary: blocks of random bytes between zero-padded and repeated tables (about 1.5-2x). */
function binaryFrom(seed: string, length: number): Buffer {
  const out = randomBytesFrom(seed, length);
  for (let offset = 0; offset < length; offset += 4096) {
    const end = Math.min(offset + 1536, length);
    if ((offset / 4096) % 2 === 0) out.fill(0, offset, end);
    else out.copy(out, offset, 0, Math.min(1536, end - offset));
  }
  return out;
}

interface GeneratedTree {
  root: string;
  files: number;
  bytes: number;
}

async function generateTree(totalMB: number): Promise<GeneratedTree> {
  const root = path.join(WORK, `tree-${totalMB}mb`);
  const marker = path.join(root, ".generated");
  if (existsSync(marker)) return JSON.parse(await fs.readFile(marker, "utf8")) as GeneratedTree;
  await fs.rm(root, { recursive: true, force: true });
  const target = totalMB * 1024 * 1024;
  let written = 0;
  let files = 0;
  const write = async (rel: string, data: Buffer) => {
    const file = path.join(root, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, data);
    written += data.length;
    files++;
  };
  const dlls: string[] = [];
  // 45% text, 35% DLL-like, 20% already-compressed (10% images/fonts, 10% random .dat)
  for (let i = 0; written < target; i++) {
    const kind = i % 20;
    const large = i % 97 === 0; // a few large files among many small ones
    const size = Math.min(
      large ? 4 * 1024 * 1024 + (i % 7) * 1024 * 1024 : 2048 + ((i * 7919) % 180) * 1024,
      Math.max(target - written, 1024),
    );
    const seed = `file-${i}`;
    if (kind < 9) await write(`dist/app-${i % 13}/chunk-${i}.${["js", "json", "xml"][i % 3]}`, textFrom(seed, size));
    else if (kind < 16) {
      const rel = `CM/bin/Acme.Module${i}.dll`;
      dlls.push(rel.replace(/\//g, "\\"));
      await write(rel, binaryFrom(seed, size));
    } else if (kind < 18) await write(`dist/assets/asset-${i}.${i % 2 ? "png" : "woff2"}`, randomBytesFrom(seed, size));
    else await write(`data/blob-${i}.dat`, randomBytesFrom(seed, size));
  }
  const manifest = {
    manifestVersion: "1.0",
    id: "bench-addon",
    version: "1.0.0",
    name: "Benchmark add-on",
    author: "bench",
    description: "Generated add-on tree for the packaging benchmark",
    requireConfiguration: "no",
    extensions: [{ name: "BenchHandler", type: "CMEventHandler", properties: { assemblyFileSource: dlls[0], files: dlls.slice(0, 50) } }],
  };
  await write("manifest.json", Buffer.from(JSON.stringify(manifest, null, 2)));
  const info: GeneratedTree = { root, files, bytes: written };
  await fs.writeFile(marker, JSON.stringify(info));
  return info;
}

function ensureZip(): void {
  try {
    execFileSync("zip", ["-v"], { stdio: "ignore" });
  } catch {
    throw new Error("The reference needs Debian's zip: apt-get update && apt-get install -y zip");
  }
}

async function timeReference(tree: string, out: string): Promise<{ seconds: number; size: number }> {
  await fs.rm(out, { force: true });
  const start = process.hrtime.bigint();
  await run("zip", ["-X", "-r", "-q", out, "."], { cwd: tree });
  await run("sha256sum", [out], { cwd: tree });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const size = (await fs.stat(out)).size;
  await fs.rm(out, { force: true });
  return { seconds, size };
}

async function timeOurs(tree: string, cacheDir: string): Promise<{ seconds: number; size: number; sha256: string }> {
  await fs.rm(cacheDir, { recursive: true, force: true });
  const start = process.hrtime.bigint();
  const prepared = await preparePackage(tree, { cacheDir });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, size: prepared.size, sha256: prepared.sha256 };
}

export async function benchPackaging(): Promise<PackagingBenchResult> {
  ensureZip();
  const treeMB = Number(process.env.BENCH_PACKAGE_MB ?? 200);
  const reps = Number(process.env.BENCH_REPS ?? 5);
  const { root, files, bytes } = await generateTree(treeMB);
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), "bench-packaging-"));
  const refOut = path.join(scratch, "reference.zip");
  const cacheDir = path.join(scratch, "cache");
  const reference: number[] = [];
  const ours: number[] = [];
  let refSize = 0;
  let oursSize = 0;
  const shas = new Set<string>();
  try {
    // warm-up: page cache and JIT, not timed
    await timeReference(root, refOut);
    await timeOurs(root, cacheDir);
    for (let rep = 0; rep < reps; rep++) {
      const order = rep % 2 === 0 ? ["ref", "ours"] : ["ours", "ref"];
      for (const which of order) {
        if (which === "ref") {
          const r = await timeReference(root, refOut);
          reference.push(r.seconds);
          refSize = r.size;
        } else {
          const o = await timeOurs(root, cacheDir);
          ours.push(o.seconds);
          oursSize = o.size;
          shas.add(o.sha256);
        }
      }
    }
    if (shas.size !== 1) throw new Error(`preparePackage was not deterministic across runs: ${[...shas].join(", ")}`);
    // cached path (preview of an unchanged tree): build once, then time hits
    const cached: number[] = [];
    await preparePackage(root, { cacheDir });
    for (let rep = 0; rep < Math.min(reps, 3); rep++) {
      const start = process.hrtime.bigint();
      await preparePackage(root, { cacheDir });
      cached.push(Number(process.hrtime.bigint() - start) / 1e9);
    }
    const result: PackagingBenchResult = {
      name: `package a generated ${treeMB} MB add-on tree (deterministic zip + sha256)`,
      reference: round(median(reference)),
      ours: round(median(ours)),
      ratio: round(median(ours) / median(reference)),
      goal: 1.5,
      treeMB,
      actualTreeMB: round(bytes / 1024 / 1024),
      files,
      reps,
      referenceZipMB: round(refSize / 1024 / 1024),
      oursZipMB: round(oursSize / 1024 / 1024),
      oursCached: round(median(cached)),
      sha256: [...shas][0],
    };
    return result;
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchPackaging()
    .then((result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
