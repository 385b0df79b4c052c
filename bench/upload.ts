/**
 * Benchmark: upload a package to the emulator (its own process) with the provider's Add-ons client
 * (bench/uploadWorker.ts, a process of its own: the real streaming multipart code path), against
 * `curl -F file=@...` with a token of the same identity, alternating, medians.
 *
 *   npm run bench -- upload
 *
 * Sizes: BENCH_UPLOAD_MB (default 200) for the throughput ratio; BENCH_UPLOAD_MEMORY_MB (default
 * "50,200") for the provider's memory growth, which must not depend on the size (goal < 64 MB).
 * Repetitions: BENCH_UPLOAD_REPS (default 3). Needs curl and Debian's zip.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import type { PackageFile } from "../provider/clients/addons";
import { alternate, envList, envNumber, log, median, randomBytesFrom, round, run, WORK } from "./common";
import { EmulatorProcess, startEmulatorProcess } from "./emulatorProcess";
import type { UploadJob, UploadWorkerResult } from "./uploadWorker";

const ADDON_ID = "bench-upload";
const MB = 1024 * 1024;

export interface UploadSizeResult {
  sizeMB: number;
  /** median seconds */
  curlSeconds: number;
  oursSeconds: number;
  curlMBps: number;
  oursMBps: number;
  /** ours throughput / curl throughput; the goal is >= 0.8 */
  throughputRatio: number;
  /** MiB: peak RSS during the upload minus RSS before it (median and worst over the reps) */
  rssGrowthMB: number;
  rssGrowthWorstMB: number;
  /** MiB: the kernel's RSS high-water of the provider process minus RSS before the upload (worst) */
  maxRssGrowthWorstMB: number;
  heapGrowthWorstMB: number;
  externalGrowthWorstMB: number;
  reps: number;
}

export interface UploadBenchResult {
  sizes: UploadSizeResult[];
  /** the size the throughput goal is judged on */
  throughputSizeMB: number;
  throughputGoal: number;
  memoryGoalMB: number;
}

/** A valid add-on ZIP of about `sizeMB` (an incompressible "assembly", stored), built once and reused. */
async function uploadPackage(sizeMB: number): Promise<PackageFile> {
  const dir = path.join(WORK, `upload-${sizeMB}mb`);
  const fileName = `${ADDON_ID}-1.0.0.zip`;
  const zipPath = path.join(dir, fileName);
  const marker = path.join(dir, "package.json");
  if (existsSync(marker)) return JSON.parse(await fs.readFile(marker, "utf8")) as PackageFile;
  log(`generating a ${sizeMB} MB package in ${dir}`);
  await fs.rm(dir, { recursive: true, force: true });
  const tree = path.join(dir, "tree");
  await fs.mkdir(path.join(tree, "CM"), { recursive: true });
  const manifest = {
    manifestVersion: "1.0",
    id: ADDON_ID,
    version: "1.0.0",
    name: "Upload benchmark",
    author: "bench",
    description: "Large generated package for the upload benchmark",
    requireConfiguration: "no",
    extensions: [{ name: "BenchHandler", type: "CMEventHandler", properties: { assemblyFileSource: "CM\\Bench.Handler.dll" } }],
  };
  await fs.writeFile(path.join(tree, "manifest.json"), JSON.stringify(manifest, null, 2));
  const handle = await fs.open(path.join(tree, "CM", "Bench.Handler.dll"), "w");
  for (let mb = 0; mb < sizeMB; mb += 16) await handle.write(randomBytesFrom(`upload-${mb}`, Math.min(16, sizeMB - mb) * MB));
  await handle.close();
  await run("zip", ["-X", "-r", "-0", "-q", zipPath, "."], { cwd: tree });
  await fs.rm(tree, { recursive: true, force: true });
  const pkg: PackageFile = { filePath: zipPath, fileName, sha256: await sha256Of(zipPath), size: (await fs.stat(zipPath)).size };
  await fs.writeFile(marker, JSON.stringify(pkg));
  return pkg;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** curl's own time_total (process start-up excluded), with the bearer header from a 0600 file (no token in argv). */
async function curlUpload(emulator: EmulatorProcess, pkg: PackageFile, headerFile: string): Promise<number> {
  const out = await run("curl", [
    "-sS",
    "-o",
    "/dev/null",
    "-w",
    "%{http_code} %{time_total}",
    "-H",
    `@${headerFile}`,
    "-F",
    `file=@${pkg.filePath};type=application/zip`,
    `${emulator.addonsUrl}/api/v1/addons`,
  ]);
  const [code, seconds] = out.trim().split(" ");
  if (code !== "201") throw new Error(`curl's upload answered HTTP ${code}`);
  return Number(seconds);
}

function providerUpload(emulator: EmulatorProcess, pkg: PackageFile): Promise<UploadWorkerResult> {
  const job: UploadJob = {
    accessManagementUrl: emulator.accessManagementUrl,
    addonsUrl: emulator.addonsUrl,
    clientId: emulator.admin.clientId,
    clientSecret: emulator.admin.clientSecret,
    addonId: ADDON_ID,
    pkg,
    sampleEveryMs: 5,
  };
  return new Promise((resolve, reject) => {
    // The worker runs as this file does: from TypeScript through ts-node, or compiled.
    const worker = __filename.endsWith(".ts")
      ? ["--require", "ts-node/register/transpile-only", path.join(__dirname, "uploadWorker.ts")]
      : [path.join(__dirname, "uploadWorker.js")];
    const child = spawn(process.execPath, ["--expose-gc", ...worker], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (err += c));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out) as UploadWorkerResult) : reject(new Error(`the upload worker failed (${code}): ${err.trim()}`)),
    );
    child.stdin.end(JSON.stringify(job));
  });
}

async function benchSize(emulator: EmulatorProcess, sizeMB: number, reps: number, headerFile: string): Promise<UploadSizeResult> {
  const pkg = await uploadPackage(sizeMB);
  await emulator.deleteAddon(ADDON_ID);
  const curl = async () => {
    const seconds = await curlUpload(emulator, pkg, headerFile);
    await emulator.deleteAddon(ADDON_ID);
    return seconds;
  };
  const ours = async () => {
    const result = await providerUpload(emulator, pkg);
    await emulator.deleteAddon(ADDON_ID);
    return result;
  };
  log(`upload ${sizeMB} MB: warm-up`);
  await curl();
  await ours();
  log(`upload ${sizeMB} MB: ${reps} alternating repetitions`);
  const { reference, subject } = await alternate(reps, curl, ours);
  const oursSeconds = subject.map((r) => r.seconds);
  const sizeInMB = pkg.size / MB;
  const toMB = (bytes: number) => bytes / MB;
  const worst = (f: (r: UploadWorkerResult) => number) => round(toMB(Math.max(...subject.map(f))), 1);
  return {
    sizeMB: round(sizeInMB, 1),
    curlSeconds: round(median(reference)),
    oursSeconds: round(median(oursSeconds)),
    curlMBps: round(sizeInMB / median(reference), 1),
    oursMBps: round(sizeInMB / median(oursSeconds), 1),
    throughputRatio: round(median(reference) / median(oursSeconds)),
    rssGrowthMB: round(toMB(median(subject.map((r) => r.rssPeak - r.rssBefore))), 1),
    rssGrowthWorstMB: worst((r) => r.rssPeak - r.rssBefore),
    maxRssGrowthWorstMB: worst((r) => r.maxRss - r.rssBefore),
    heapGrowthWorstMB: worst((r) => r.heapPeak - r.heapBefore),
    externalGrowthWorstMB: worst((r) => r.externalPeak - r.externalBefore),
    reps,
  };
}

export async function benchUpload(): Promise<UploadBenchResult> {
  const throughputSizeMB = envNumber("BENCH_UPLOAD_MB", 200);
  const memorySizes = envList("BENCH_UPLOAD_MEMORY_MB", [50, 200]);
  const sizes = [...new Set([...memorySizes, throughputSizeMB])].sort((a, b) => a - b);
  const reps = envNumber("BENCH_UPLOAD_REPS", 3);
  const maxBytes = Math.ceil((Math.max(...sizes) + 16) * MB);
  const emulator = await startEmulatorProcess(["--max-package-bytes", String(maxBytes), "--activation-delay-ms", "0"]);
  const headerFile = path.join(WORK, `.curl-auth-${process.pid}`);
  try {
    await fs.mkdir(WORK, { recursive: true });
    await fs.writeFile(headerFile, `Authorization: Bearer ${await emulator.adminToken()}\n`, { mode: 0o600 });
    const results: UploadSizeResult[] = [];
    for (const size of sizes) results.push(await benchSize(emulator, size, reps, headerFile));
    return { sizes: results, throughputSizeMB, throughputGoal: 0.8, memoryGoalMB: 64 };
  } finally {
    await fs.rm(headerFile, { force: true });
    await emulator.stop();
  }
}

if (require.main === module) {
  benchUpload()
    .then((result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
