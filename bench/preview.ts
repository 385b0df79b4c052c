/**
 * Benchmark: no-change `preview` of a stack of BENCH_PREVIEW_RESOURCES (default 50) AddonPackages
 * through the real engine, against the same preview of as many no-op dynamic resources, taking
 * turns, BENCH_PULUMI_REPS (default 3) each, medians. The emulator's request log shows what the
 * preview asked of the services: token requests per identity (goal 1 at most), writes (goal 0),
 * reads per resource (goal <= 2); for the plain preview and for `preview --refresh`.
 *
 *   npm run build && node --require ts-node/register/transpile-only bench/run.ts preview
 */
import { alternate, envNumber, log, median, round, timed } from "./common";
import { EmulatorProcess, RequestLogEntry, startEmulatorProcess } from "./emulatorProcess";
import { addonFolders, addonsProgram, BenchStack, noopProgram, openBenchStack, removeBenchStack, tridionConfig } from "./pulumiStacks";

export interface RequestCounts {
  total: number;
  /** token requests per identity (client id -> count) */
  tokenRequestsByIdentity: Record<string, number>;
  maxTokenRequestsPerIdentity: number;
  writes: number;
  /** GETs naming one add-on (metadata, configuration, status), the most for any one add-on */
  maxReadsPerResource: number;
  readsPerResource: number;
  /** reads not about one add-on (discovery, JWKS, lists) */
  otherReads: number;
}

export interface PreviewBenchResult {
  resources: number;
  reps: number;
  /** median seconds */
  noopPreviewSeconds: number;
  addonsPreviewSeconds: number;
  /** addons / noop */
  ratio: number;
  plain: RequestCounts;
  refresh: RequestCounts;
  changesSeen: Record<string, number>;
}

const ADDON_PATH = /^\/addon\/api\/v1\/addons\/([^/]+)(\/.*)?$/;

export function countRequests(entries: RequestLogEntry[], resources: number): RequestCounts {
  const tokenRequestsByIdentity: Record<string, number> = {};
  const readsById = new Map<string, number>();
  let writes = 0;
  let otherReads = 0;
  for (const e of entries) {
    if (e.method === "POST" && e.path.endsWith("/connect/token")) {
      const who = e.identity ?? "(unidentified)";
      tokenRequestsByIdentity[who] = (tokenRequestsByIdentity[who] ?? 0) + 1;
    } else if (e.method !== "GET" && e.method !== "HEAD") {
      writes++;
    } else {
      const m = ADDON_PATH.exec(e.path);
      if (m) readsById.set(m[1], (readsById.get(m[1]) ?? 0) + 1);
      else otherReads++;
    }
  }
  const reads = [...readsById.values()];
  return {
    total: entries.length,
    tokenRequestsByIdentity,
    maxTokenRequestsPerIdentity: Math.max(0, ...Object.values(tokenRequestsByIdentity)),
    writes,
    maxReadsPerResource: Math.max(0, ...reads),
    readsPerResource: round(reads.reduce((a, b) => a + b, 0) / resources, 2),
    otherReads,
  };
}

async function requestsOf(emulator: EmulatorProcess, resources: number, fn: () => Promise<unknown>): Promise<RequestCounts> {
  await emulator.clearRequestLog();
  await fn();
  return countRequests(await emulator.requestLog(), resources);
}

export async function benchPreview(): Promise<PreviewBenchResult> {
  const resources = envNumber("BENCH_PREVIEW_RESOURCES", 50);
  const reps = envNumber("BENCH_PULUMI_REPS", 3);
  const emulator = await startEmulatorProcess(["--activation-delay-ms", "100"]);
  const stacks: BenchStack[] = [];
  try {
    const folders = addonFolders("bench-preview", resources);
    const addons = await openBenchStack("preview-addons", addonsProgram(folders), tridionConfig(emulator));
    stacks.push(addons);
    const noop = await openBenchStack("preview-noop", noopProgram(resources));
    stacks.push(noop);
    log(`preview: deploying ${resources} AddonPackages and ${resources} no-op resources (setup, not timed)`);
    await addons.stack.up({ color: "never" });
    await noop.stack.up({ color: "never" });

    log("preview: request log of a no-change preview, and of preview --refresh");
    let changesSeen: Record<string, number> = {};
    const plain = await requestsOf(emulator, resources, async () => {
      const r = await addons.stack.preview({ color: "never" });
      changesSeen = Object.fromEntries(Object.entries(r.changeSummary).filter(([op, n]) => op !== "same" && n > 0));
    });
    const refresh = await requestsOf(emulator, resources, () => addons.stack.preview({ color: "never", refresh: true }));

    log(`preview: ${reps} alternating timed previews each`);
    const { reference, subject } = await alternate(
      reps,
      async () => (await timed(() => noop.stack.preview({ color: "never" }))).seconds,
      async () => (await timed(() => addons.stack.preview({ color: "never" }))).seconds,
    );
    log("preview: destroying the stacks");
    await addons.stack.destroy({ color: "never" });
    await noop.stack.destroy({ color: "never" });
    return {
      resources,
      reps,
      noopPreviewSeconds: round(median(reference)),
      addonsPreviewSeconds: round(median(subject)),
      ratio: round(median(subject) / median(reference)),
      plain,
      refresh,
      changesSeen,
    };
  } finally {
    await emulator.stop();
    stacks.forEach(removeBenchStack);
  }
}

if (require.main === module) {
  benchPreview()
    .then((result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
