// `npm run demo`: the main job. Starts the embedded Tridion Sites emulator, runs `pulumi up` on the
// quickstart (root Pulumi.yaml) with the real Pulumi CLI in the repository root, prints the
// outputs and what to try next, then keeps the emulator up until Ctrl-C (`--once` stops after).
//
// `npm run demo -- preview|refresh|destroy` runs that operation on the same stack; while a demo
// keeps its emulator up, later invocations reuse that emulator instead of starting another.
import * as path from "path";
import { DemoOptions, parseArgs } from "./options";
import { DemoEmulator, attachOrStartEmulator } from "./demoEmulator";
import { openDemoStack, PulumiFailed, runAction } from "./demoStack";
import { printNextSteps } from "./nextSteps";

async function main(): Promise<void> {
  let options: DemoOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const emulator: DemoEmulator = await attachOrStartEmulator(options);
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await emulator.release();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  try {
    const demo = await openDemoStack(emulator, options);
    const outputs = await runAction(demo, options.action);
    printNextSteps({ emulator, demo, outputs, options });
  } catch (error) {
    // A command that streamed its output printed its diagnostics above already.
    const reason =
      error instanceof PulumiFailed && !error.message.includes("\n")
        ? `${error.message} Its diagnostics are above.`
        : (error as Error).message;
    console.error(`\nThe demo failed: ${reason}`);
    await stop(1);
    return;
  }
  if (options.once || options.action !== "up" || !emulator.owned) await stop(0);
  else
    console.log(`The emulator keeps running (data in ${path.relative(process.cwd(), options.dataDir) || "."}). Press Ctrl-C to stop it.`);
}

void main();
