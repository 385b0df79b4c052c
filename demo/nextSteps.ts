// What the demo prints after a run: the outputs (secrets stay masked) and what to try next, with
// how to run the Pulumi CLI on the demo's stack by hand (an env file to `source`: the passphrase
// is never printed).
import * as path from "path";
import type { DemoEmulator } from "./demoEmulator";
import type { DemoStack } from "./demoStack";
import type { DemoOptions } from "./options";

export function printNextSteps(run: {
  emulator: DemoEmulator;
  demo: DemoStack;
  outputs: Record<string, unknown>;
  options: DemoOptions;
}): void {
  const { emulator, demo, outputs, options } = run;
  if (Object.keys(outputs).length > 0) {
    console.log("\nStack outputs (`pulumi stack output`):");
    for (const [key, value] of Object.entries(outputs)) console.log(`  ${key.padEnd(26)} ${JSON.stringify(value)}`);
  }
  if (options.action !== "up") return;
  const envFile = path.relative(process.cwd(), demo.envFile) || demo.envFile;
  const later = options.once
    ? " (run `npm run demo` without --once to keep the emulator up meanwhile)"
    : " (in another terminal, while this one runs)";
  const origin = new URL(emulator.accessManagementUrl).origin;
  console.log(`
Access Management: ${emulator.accessManagementUrl}
Add-ons Service:   ${emulator.addonsUrl}   (Tridion Sites ${emulator.productVersion})

The Pulumi CLI works on this stack directly${later}:
  source ${envFile}${demo.ownPassphrase ? "   # and export your PULUMI_CONFIG_PASSPHRASE" : "   # PATH, the file backend and the stack's passphrase (a 0600 file)"}
  pulumi stack select ${demo.stack}
  pulumi preview --diff --refresh            # refreshes from the emulator, then shows no changes
  # edit examples/quickstart/addon/manifest.json ("version": "1.5.0") or the configuration in program.ts
  pulumi preview --diff                      # shows the update coming (a configuration change alone re-uploads nothing)
  pulumi up                                  # deploys it as the addon-deployer user
  pulumi stack output --show-secrets         # the deployer's client secret, decrypted
  pulumi stack export | grep -c ciphertext   # secrets are encrypted in the state
  pulumi destroy                             # takes back the deployer's secret and role, removes the add-on

  npm run demo -- preview | refresh | destroy   # the same, run by the demo
  curl -s ${origin}/__emulator/requests       # the emulator's request log: who called what
`);
}
