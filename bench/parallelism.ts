/**
 * Benchmark: `up` of BENCH_PARALLEL_RESOURCES (default 20) AddonPackages at parallelism 20 against
 * parallelism 1 (the same stack; destroy between runs, not timed), taking turns, BENCH_PULUMI_REPS
 * (default 3) each, medians. The emulator activates an add-on BENCH_ACTIVATION_MS (default 1000)
 * after its upload, and the provider waits for it, as against a real service.
 *
 *   npm run build && node --require ts-node/register/transpile-only bench/run.ts parallelism
 */
import { alternate, envNumber, log, median, round, timed } from "./common";
import { startEmulatorProcess } from "./emulatorProcess";
import { addonFolders, addonsProgram, BenchStack, openBenchStack, removeBenchStack, tridionConfig } from "./pulumiStacks";

export interface ParallelismBenchResult {
  resources: number;
  parallel: number;
  reps: number;
  activationDelayMs: number;
  /** median seconds of `up` */
  serialSeconds: number;
  parallelSeconds: number;
  /** serial / parallel */
  speedup: number;
  serialRuns: number[];
  parallelRuns: number[];
}

export async function benchParallelism(): Promise<ParallelismBenchResult> {
  const resources = envNumber("BENCH_PARALLEL_RESOURCES", 20);
  const parallel = envNumber("BENCH_PARALLEL", 20);
  const reps = envNumber("BENCH_PULUMI_REPS", 3);
  const activationDelayMs = envNumber("BENCH_ACTIVATION_MS", 1000);
  const emulator = await startEmulatorProcess(["--activation-delay-ms", String(activationDelayMs)]);
  let bench: BenchStack | undefined;
  try {
    bench = await openBenchStack("parallelism", addonsProgram(addonFolders("bench-parallel", resources)), tridionConfig(emulator));
    const stack = bench.stack;
    const upAt = async (p: number) => {
      const { seconds, value } = await timed(() => stack.up({ color: "never", parallel: p }));
      const created = value.summary.resourceChanges?.create ?? 0;
      // the stack resource itself is created too
      if (created < resources) throw new Error(`up at parallelism ${p} created ${created} resources, expected ${resources} add-ons`);
      await stack.destroy({ color: "never", parallel: parallel });
      log(`parallelism: up of ${resources} at ${p}: ${round(seconds, 2)} s`);
      return seconds;
    };
    // warm-up: builds the packages into the cache and the engine's plugin cache, not timed
    await upAt(parallel);
    const { reference, subject } = await alternate(
      reps,
      () => upAt(1),
      () => upAt(parallel),
    );
    return {
      resources,
      parallel,
      reps,
      activationDelayMs,
      serialSeconds: round(median(reference)),
      parallelSeconds: round(median(subject)),
      speedup: round(median(reference) / median(subject), 2),
      serialRuns: reference.map((s) => round(s, 2)),
      parallelRuns: subject.map((s) => round(s, 2)),
    };
  } finally {
    await emulator.stop();
    if (bench) removeBenchStack(bench);
  }
}

if (require.main === module) {
  benchParallelism()
    .then((result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
