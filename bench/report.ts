// Renders BENCHMARKS.md from the latest result of every benchmark (bench/results/results.json),
// so running one benchmark refreshes its rows and keeps the others, each with its own date.
import type { PackagingBenchResult } from "./packaging";
import type { ParallelismBenchResult } from "./parallelism";
import type { PluginBenchResult } from "./plugin";
import type { PreviewBenchResult, RequestCounts } from "./preview";
import type { UploadBenchResult } from "./upload";

export interface Machine {
  nproc: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  pulumi: string;
  os: string;
}

export interface RunRecord<T> {
  result: T;
  date: string;
  machine: Machine;
  /** 1-minute load average before and after the benchmark */
  loadBefore: number;
  loadAfter: number;
  seconds: number;
}

export interface StoredResults {
  packaging?: RunRecord<PackagingBenchResult>;
  upload?: RunRecord<UploadBenchResult>;
  preview?: RunRecord<PreviewBenchResult>;
  plugin?: RunRecord<PluginBenchResult>;
  parallelism?: RunRecord<ParallelismBenchResult>;
}

interface Row {
  benchmark: string;
  reference: string;
  ours: string;
  ratio: string;
  goal: string;
  verdict: string;
}

const pass = (ok: boolean) => (ok ? "pass" : "**FAIL**");
const s = (seconds: number) => `${seconds.toFixed(2)} s`;

function packagingRows(r: PackagingBenchResult): Row[] {
  return [
    {
      benchmark: `package a generated ${r.treeMB} MB add-on tree (${r.files} files; deterministic zip + sha256)`,
      reference: `\`zip -X -r\` + \`sha256sum\`: ${s(r.reference)}`,
      ours: `preparePackage: ${s(r.ours)} (cached rebuild ${s(r.oursCached)})`,
      ratio: `${r.ratio.toFixed(2)}x time`,
      goal: `<= ${r.goal}x`,
      verdict: pass(r.ratio <= r.goal),
    },
  ];
}

function uploadRows(r: UploadBenchResult): Row[] {
  const rows: Row[] = [];
  const main = r.sizes.find((x) => Math.round(x.sizeMB) === Math.round(r.throughputSizeMB)) ?? r.sizes[r.sizes.length - 1];
  rows.push({
    benchmark: `upload a ${main.sizeMB} MB package to the emulator: throughput`,
    reference: `\`curl -F file=@...\`: ${main.curlMBps} MB/s (${s(main.curlSeconds)})`,
    ours: `Add-ons client: ${main.oursMBps} MB/s (${s(main.oursSeconds)})`,
    ratio: `${main.throughputRatio.toFixed(2)}x throughput`,
    goal: `>= ${r.throughputGoal}x`,
    verdict: pass(main.throughputRatio >= r.throughputGoal),
  });
  for (const x of r.sizes) {
    const growth = Math.max(x.rssGrowthWorstMB, x.maxRssGrowthWorstMB);
    rows.push({
      benchmark: `upload a ${x.sizeMB} MB package: provider process memory growth`,
      reference: `package size ${x.sizeMB} MB`,
      ours: `RSS +${growth} MB worst (heap +${x.heapGrowthWorstMB} MB, buffers +${x.externalGrowthWorstMB} MB)`,
      ratio: `${(growth / x.sizeMB).toFixed(2)}x size`,
      goal: `< ${r.memoryGoalMB} MB`,
      verdict: pass(growth < r.memoryGoalMB),
    });
  }
  return rows;
}

function identities(c: RequestCounts): string {
  const counts = Object.values(c.tokenRequestsByIdentity);
  return counts.length === 0 ? "none" : `${counts.length} identit${counts.length === 1 ? "y" : "ies"}`;
}

function previewRows(r: PreviewBenchResult): Row[] {
  const n = r.resources;
  const rows: Row[] = [
    {
      benchmark: `no-change \`preview\` of ${n} AddonPackages: wall time`,
      reference: `preview of ${n} no-op dynamic resources: ${s(r.noopPreviewSeconds)}`,
      ours: s(r.addonsPreviewSeconds),
      ratio: `${r.ratio.toFixed(2)}x time`,
      goal: "reported",
      verdict: Object.keys(r.changesSeen).length ? `**changes seen: ${JSON.stringify(r.changesSeen)}**` : "no changes (as expected)",
    },
  ];
  for (const [label, c] of [
    ["preview", r.plain],
    ["preview --refresh", r.refresh],
  ] as const) {
    rows.push(
      {
        benchmark: `${label} of ${n} AddonPackages: token requests per identity`,
        reference: `emulator request log (${c.total} requests)`,
        ours: `${c.maxTokenRequestsPerIdentity} (${identities(c)})`,
        ratio: "-",
        goal: "<= 1",
        verdict: pass(c.maxTokenRequestsPerIdentity <= 1),
      },
      {
        benchmark: `${label} of ${n} AddonPackages: writes`,
        reference: "emulator request log",
        ours: String(c.writes),
        ratio: "-",
        goal: "0",
        verdict: pass(c.writes === 0),
      },
      {
        benchmark: `${label} of ${n} AddonPackages: reads per resource`,
        reference: "emulator request log",
        ours: `${c.maxReadsPerResource} at most (${c.readsPerResource} on average; ${c.otherReads} other reads)`,
        ratio: "-",
        goal: "<= 2",
        verdict: pass(c.maxReadsPerResource <= 2),
      },
    );
  }
  return rows;
}

function pluginRows(r: PluginBenchResult): Row[] {
  const changes = [
    ...(Object.keys(r.changesSeen.dynamic).length ? [`dynamic: ${JSON.stringify(r.changesSeen.dynamic)}`] : []),
    ...(r.changesSeen.plugin ? ["plugin: changes"] : []),
  ];
  return [
    {
      benchmark: `no-change \`preview\` of ${r.resources} AddonPackages through the plugin (Pulumi YAML, the plugin installed from its tarball): wall time`,
      reference: `the same ${r.resources} through the dynamic resources (TypeScript): ${s(r.dynamicPreviewSeconds)}`,
      ours: s(r.pluginPreviewSeconds),
      ratio: `${r.ratio.toFixed(2)}x time`,
      goal: "reported",
      verdict: changes.length ? `**changes seen: ${changes.join("; ")}**` : "no changes (as expected)",
    },
  ];
}

function parallelismRows(r: ParallelismBenchResult): Row[] {
  return [
    {
      benchmark: `\`up\` of ${r.resources} add-ons (activation ${r.activationDelayMs} ms each), parallelism ${r.parallel} vs 1`,
      reference: `parallelism 1: ${s(r.serialSeconds)}`,
      ours: `parallelism ${r.parallel}: ${s(r.parallelSeconds)}`,
      ratio: `${r.speedup.toFixed(2)}x speedup`,
      goal: "reported",
      verdict: "-",
    },
  ];
}

export function renderMarkdown(results: StoredResults): string {
  const sections: Array<[string, RunRecord<unknown> | undefined, Row[]]> = [
    ["packaging", results.packaging, results.packaging ? packagingRows(results.packaging.result) : []],
    ["upload", results.upload, results.upload ? uploadRows(results.upload.result) : []],
    ["preview", results.preview, results.preview ? previewRows(results.preview.result) : []],
    ["plugin", results.plugin, results.plugin ? pluginRows(results.plugin.result) : []],
    ["parallelism", results.parallelism, results.parallelism ? parallelismRows(results.parallelism.result) : []],
  ];
  const table = ["| benchmark | reference | ours | ratio | goal | result |", "|---|---|---|---|---|---|"];
  for (const [, record, rows] of sections) {
    if (!record) continue;
    for (const row of rows) table.push(`| ${[row.benchmark, row.reference, row.ours, row.ratio, row.goal, row.verdict].join(" | ")} |`);
  }
  const runs = ["| benchmark | date (UTC) | took | load average (1 min) before / after | machine |", "|---|---|---|---|---|"];
  for (const [name, record] of sections) {
    if (!record) {
      runs.push(`| ${name} | not run yet | | | |`);
      continue;
    }
    const m = record.machine;
    runs.push(
      `| ${name} | ${record.date} | ${Math.round(record.seconds)} s | ${record.loadBefore.toFixed(2)} / ${record.loadAfter.toFixed(2)} | ${m.nproc} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}, Pulumi ${m.pulumi}, ${m.os} |`,
    );
  }
  return `# Benchmarks

Generated by \`bench/run.ts\`; do not edit by hand. Every figure is set against a reference measured
in the same run on the same machine: reference and subject take turns, several repetitions, and the
table shows medians (these machines are noisy; other work may share the cores, see the load average).
Benchmarks are not tests: nothing in the test suite asserts on time.

## Results

${table.join("\n")}

## Runs

${runs.join("\n")}

## Run them

\`\`\`sh
npm run bench                  # all five, then rewrites BENCHMARKS.md
npm run bench -- upload        # one of: packaging, upload, preview, plugin, parallelism (others keep their last rows)
# without the npm script:  npm run build && node --require ts-node/register/transpile-only bench/run.ts [name]
\`\`\`

Quick smoke run (small sizes, one repetition):

\`\`\`sh
BENCH_PACKAGE_MB=20 BENCH_REPS=1 BENCH_UPLOAD_MB=20 BENCH_UPLOAD_MEMORY_MB=10,20 BENCH_UPLOAD_REPS=1 \\
BENCH_PREVIEW_RESOURCES=5 BENCH_PARALLEL_RESOURCES=4 BENCH_PARALLEL=4 BENCH_PULUMI_REPS=1 BENCH_ACTIVATION_MS=200 npm run bench
\`\`\`

| variable | default | what |
|---|---|---|
| \`BENCH_PACKAGE_MB\` | 200 | size of the generated add-on tree (packaging) |
| \`BENCH_REPS\` | 5 | repetitions of the packaging benchmark |
| \`BENCH_UPLOAD_MB\` | 200 | package size the upload throughput is judged on |
| \`BENCH_UPLOAD_MEMORY_MB\` | 50,200 | package sizes the provider's memory growth is shown for |
| \`BENCH_UPLOAD_REPS\` | 3 | repetitions per upload size |
| \`BENCH_PREVIEW_RESOURCES\` | 50 | AddonPackages (and no-op resources) in the preview stacks, and per face in the plugin benchmark |
| \`BENCH_PARALLEL_RESOURCES\` / \`BENCH_PARALLEL\` | 20 / 20 | add-ons in the \`up\` stack / the parallelism set against 1 |
| \`BENCH_PULUMI_REPS\` | 3 | repetitions of each Pulumi operation |
| \`BENCH_ACTIVATION_MS\` | 1000 | the emulator's activation delay in the \`up\` benchmark |

Needs: \`zip\` and \`curl\` (Debian: \`apt-get install zip curl\`), the Pulumi CLI
(\`scripts/ensure-pulumi.sh\` finds or builds it; the stack benchmarks use Automation API inline
programs). Scratch files live in \`bench/.work/\`, raw results in \`bench/results/results.json\`
(both git-ignored). Each benchmark also runs alone, printing JSON:
\`node --require ts-node/register/transpile-only bench/packaging.ts\` (and \`upload.ts\`, \`preview.ts\`, \`plugin.ts\`, \`parallelism.ts\`).

## How each one measures

- **packaging**: a generated tree (text, DLL-like and incompressible files, about 45/35/20 %) is
  built once under \`bench/.work/\`. Reference: \`zip -X -r -q\` then \`sha256sum\` of the ZIP. Ours:
  \`preparePackage\` with an empty cache (walk, deterministic ZIP, sha256), checked to give the same
  sha256 every time. One untimed warm-up each (page cache).
- **upload**: the emulator runs in its own process (\`node emulator/dist/cli.js --port 0
  --max-package-bytes ...\`). The package is a valid add-on ZIP with an incompressible file.
  Reference: \`curl -F file=@...\` with a bearer token of the emulator's admin identity (read from a
  0600 header file, never on the command line), timed by curl's \`time_total\`. Ours: a fresh
  process (\`bench/uploadWorker.ts\`) running the provider's \`Session\` + \`AddonsClient.upload\`
  (the streaming multipart code path of \`pulumi up\`), same identity, token fetched before the
  timer; it samples \`process.memoryUsage()\` every 5 ms and reads the kernel's RSS high-water mark
  (\`resourceUsage().maxRSS\`). Growth = the larger of (sampled peak RSS, kernel high-water) minus
  RSS just before the upload, worst of the repetitions. The add-on is deleted after every upload.
- **preview**: the real Pulumi CLI with a file backend in \`bench/.work/stacks/\`. A stack of N
  AddonPackages (small folders, each with a configuration) and a stack of N no-op
  \`pulumi.dynamic.Resource\`s (a provider that only echoes inputs) are deployed once (untimed), then
  previewed in turns. The emulator's request log (\`GET /__emulator/requests\`, cleared first) is read
  for one plain preview and one \`preview --refresh\` (the plain preview needs no service call: check
  and diff work from local content hashes; refresh reads each add-on).
- **plugin**: the same N AddonPackages (same files and configuration, other ids) in two stacks on
  one emulator: a Pulumi YAML program through the \`tridion\` provider plugin (the real CLI with
  Pulumi's YAML language host; the plugin installed from its tarball, \`npm run plugin:pack\`) and a
  TypeScript inline program of the dynamic resources. Both deployed once (untimed), then \`pulumi
  preview\` in turns (the YAML one with \`--expect-no-changes\`; the dynamic one's change summary
  is checked).
- **parallelism**: one stack of N AddonPackages; \`up\` at parallelism 1 and at P in turns, with an
  untimed \`destroy\` after each and an untimed warm-up \`up\` first (builds the package cache).
  The emulator keeps each add-on in PendingActivation for \`BENCH_ACTIVATION_MS\`, and the provider
  polls until it is active (\`TRIDION_POLL_INTERVAL_MS\`=100), as a real deployment waits.
`;
}
