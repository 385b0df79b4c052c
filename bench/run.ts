/**
 * Runs the benchmarks (all, or those named on the command line) and rewrites BENCHMARKS.md.
 *
 *   npm run bench [-- packaging|upload|preview|plugin|parallelism ...]
 *
 * Latest results per benchmark are kept in bench/results/results.json, so a single benchmark's
 * run refreshes its own rows and keeps the others.
 */
import { existsSync, promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { log, projectRoot, secondsSince } from "./common";
import { benchPackaging } from "./packaging";
import { benchParallelism } from "./parallelism";
import { benchPlugin } from "./plugin";
import { benchPreview } from "./preview";
import { pulumiVersion } from "./pulumiStacks";
import { Machine, renderMarkdown, RunRecord, StoredResults } from "./report";
import { benchUpload } from "./upload";

const BENCHMARKS = {
  packaging: benchPackaging,
  upload: benchUpload,
  preview: benchPreview,
  plugin: benchPlugin,
  parallelism: benchParallelism,
} satisfies Record<keyof StoredResults, () => Promise<unknown>>;

type Name = keyof typeof BENCHMARKS;

const RESULTS = path.join(projectRoot(), "bench", "results", "results.json");
const MARKDOWN = path.join(projectRoot(), "BENCHMARKS.md");

function machine(): Machine {
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.versions.node,
    pulumi: pulumiVersion(),
    os: `${os.type()} ${os.release()}`,
  };
}

function parseNames(argv: string[]): Name[] {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(
      `Usage: npm run bench -- [${Object.keys(BENCHMARKS).join("|")} ...]\nSizes and repetitions: see BENCHMARKS.md (BENCH_* environment variables).\n`,
    );
    process.exit(0);
  }
  const names = argv.length ? argv : Object.keys(BENCHMARKS);
  for (const name of names) {
    if (!(name in BENCHMARKS)) throw new Error(`Unknown benchmark "${name}". Pick from: ${Object.keys(BENCHMARKS).join(", ")}.`);
  }
  return names as Name[];
}

async function loadResults(): Promise<StoredResults> {
  if (!existsSync(RESULTS)) return {};
  try {
    return JSON.parse(await fs.readFile(RESULTS, "utf8")) as StoredResults;
  } catch {
    return {};
  }
}

async function main(): Promise<void> {
  const names = parseNames(process.argv.slice(2));
  const host = machine();
  const results = await loadResults();
  let failed = false;
  for (const name of names) {
    log(`${name}: starting (load average ${os.loadavg()[0].toFixed(2)})`);
    const loadBefore = os.loadavg()[0];
    const start = process.hrtime.bigint();
    try {
      const result = await BENCHMARKS[name]();
      const record: RunRecord<unknown> = {
        result,
        date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        machine: host,
        loadBefore,
        loadAfter: os.loadavg()[0],
        seconds: secondsSince(start),
      };
      (results as Record<string, RunRecord<unknown>>)[name] = record;
      process.stdout.write(`${JSON.stringify({ [name]: result }, null, 2)}\n`);
    } catch (error) {
      failed = true;
      log(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    await fs.mkdir(path.dirname(RESULTS), { recursive: true });
    await fs.writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
    await fs.writeFile(MARKDOWN, renderMarkdown(results));
  }
  log(`wrote ${path.relative(process.cwd(), MARKDOWN) || MARKDOWN}`);
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
