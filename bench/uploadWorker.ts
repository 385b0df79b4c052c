// One upload through the provider's real code path (Session + AddonsClient.upload: streaming
// multipart over axios), in a process of its own so its memory is the provider's alone.
// Reads its job as JSON on stdin (it holds the client secret: never on the command line) and
// prints one JSON line: the upload's seconds and the process's memory before and at its peak.
import { AddonsClient, PackageFile } from "../provider/clients/addons";
import { Session } from "../provider/clients/session";
import { resolveSettings, SETTINGS } from "../provider/config/settings";

export interface UploadJob {
  accessManagementUrl: string;
  addonsUrl: string;
  clientId: string;
  clientSecret: string;
  addonId: string;
  pkg: PackageFile;
  sampleEveryMs: number;
}

export interface UploadWorkerResult {
  seconds: number;
  status?: string;
  /** bytes, just before the upload (after the token, after a GC when exposed) */
  rssBefore: number;
  heapBefore: number;
  externalBefore: number;
  /** highest sampled values during the upload */
  rssPeak: number;
  heapPeak: number;
  externalPeak: number;
  /** the kernel's high-water mark of the process's RSS (whole lifetime), bytes */
  maxRss: number;
  samples: number;
}

async function readStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

async function main(): Promise<void> {
  const job = JSON.parse(await readStdin()) as UploadJob;
  const values: Record<string, string> = {
    [SETTINGS.accessManagementUrl.key]: job.accessManagementUrl,
    [SETTINGS.addonsUrl.key]: job.addonsUrl,
    [SETTINGS.clientId.key]: job.clientId,
    [SETTINGS.clientSecret.key]: job.clientSecret,
    [SETTINGS.requestTimeoutSeconds.key]: "600",
    [SETTINGS.maxRetries.key]: "0",
  };
  const session = new Session(resolveSettings((key) => values[key]));
  const identity = { clientId: job.clientId, clientSecret: job.clientSecret };
  const client = new AddonsClient(session, identity);
  await session.token(identity); // as in a deployment: the token is there before the upload

  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage();
  const peak = { rss: before.rss, heap: before.heapUsed, external: before.external };
  let samples = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heap = Math.max(peak.heap, m.heapUsed);
    peak.external = Math.max(peak.external, m.external);
    samples++;
  };
  const timer = setInterval(sample, job.sampleEveryMs);
  const start = process.hrtime.bigint();
  const meta = await client.upload(job.pkg, job.addonId, "new");
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  clearInterval(timer);
  sample();
  if (meta.packageSha256 !== job.pkg.sha256)
    throw new Error(`The service holds sha256 ${meta.packageSha256}, not the uploaded ${job.pkg.sha256}.`);
  const result: UploadWorkerResult = {
    seconds,
    status: meta.status,
    rssBefore: before.rss,
    heapBefore: before.heapUsed,
    externalBefore: before.external,
    rssPeak: peak.rss,
    heapPeak: peak.heap,
    externalPeak: peak.external,
    maxRss: process.resourceUsage().maxRSS * 1024,
    samples,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`upload worker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
