// What the demo prints after a run: the outputs (secrets masked) and what to try next.
import * as path from "path";
import type { OutputMap } from "@pulumi/pulumi/automation";
import type { DemoEmulator } from "./demoEmulator";
import { DEMO_PASSPHRASE, STACK, DemoStack } from "./demoStack";
import type { DemoOptions } from "./options";
import { repoRoot } from "./pulumiEngine";

export function printNextSteps(run: { emulator: DemoEmulator; demo: DemoStack; outputs: OutputMap; options: DemoOptions }): void {
  const { emulator, demo, outputs, options } = run;
  if (Object.keys(outputs).length > 0) {
    console.log("\nStack outputs:");
    for (const [key, output] of Object.entries(outputs)) {
      console.log(`  ${key.padEnd(26)} ${output.secret ? "[secret]" : JSON.stringify(output.value)}`);
    }
  }
  if (options.action !== "up") return;
  const env = demo.env;
  const shellPath = [path.join(repoRoot, "node_modules", ".bin"), demo.cli.binDir].join(path.delimiter) + path.delimiter + "$PATH";
  const exports = [
    `export PATH="${shellPath}"`,
    ...["PULUMI_BACKEND_URL", "PULUMI_HOME", "PULUMI_SKIP_UPDATE_CHECK"].map((key) => `export ${key}='${env[key]}'`),
    env.PULUMI_CONFIG_PASSPHRASE === DEMO_PASSPHRASE
      ? `export PULUMI_CONFIG_PASSPHRASE='${DEMO_PASSPHRASE}'`
      : "export PULUMI_CONFIG_PASSPHRASE=<the passphrase you gave the demo>",
  ].join("\n    ");
  const later = options.once ? " (run `npm run demo` without --once to keep the emulator up meanwhile)" : " (in another terminal, while this one runs)";
  const upAgain = demo.cli.hasLanguageHost ? "pulumi up" : "npm run demo -- --once";
  const previewAgain = demo.cli.hasLanguageHost ? "pulumi preview --diff --refresh" : "npm run demo -- preview";
  console.log(`
Access Management: ${emulator.accessManagementUrl}
Add-ons Service:   ${emulator.addonsUrl}   (Tridion Sites ${emulator.productVersion})

What to try next${later}:
  ${previewAgain.padEnd(34)} # refreshes from the emulator, then shows no changes
  # edit examples/quickstart/addon/manifest.json ("version": "1.5.0") or the configuration in program.ts
  ${previewAgain.padEnd(34)} # shows the update coming (a configuration change alone re-uploads nothing)
  ${upAgain.padEnd(34)} # deploys it as the addon-deployer user
  ${"npm run demo -- destroy".padEnd(34)} # removes the add-on, the deployer's secret and the user
  curl -s ${emulator.addonsUrl.replace(/\/addons$/, "")}/__emulator/requests   # the emulator's request log: who called what

  The Pulumi CLI works on this stack directly too:
    ${exports}
    cd ${demo.workDir} && pulumi stack select ${STACK}
    pulumi stack output --show-secrets       # the deployer's client secret, decrypted
    pulumi stack export | grep -c ciphertext # secrets are encrypted in the state${demo.cli.hasLanguageHost ? "" : "\n    (\`pulumi up\`/\`preview\` in the folder need the Node.js language host, which a normal Pulumi install has;\n     scripts/ensure-pulumi.sh could not build it offline here, so the demo drives them through the Automation API)"}
`);
}
