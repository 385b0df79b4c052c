// The `pulumi-tridion` command (provider/bin/pulumi-tridion.js runs it): a table of commands,
// each with its usage and exit codes. Adding a command is adding a row.
import { CannotRun, EXIT } from "./args";
import type { Command, Io } from "./command";
import { deleteServiceAccountCommand } from "./deleteServiceAccount";
import { doctorCommand } from "./doctor";
import { write, writeJson } from "./report";
import { revokeSecretCommand } from "./revokeSecret";

export const COMMANDS: Command[] = [doctorCommand, revokeSecretCommand, deleteServiceAccountCommand];

const overview = `Usage: pulumi-tridion <command> [options]   (npx pulumi-tridion <command> in a project that installed the package)

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(15)}${c.summary}`).join("\n")}

\`pulumi-tridion <command> --help\` for a command's options. Every command reads the provider's settings as
\`pulumi up\` does: the tridion:* config of the current stack, the TRIDION_* environment variables,
or flags. doctor only reads; the two repair commands write exactly what they say.`;

/** Runs one command line; resolves to the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    await write(name === undefined ? io.stderr : io.stdout, overview);
    return name === undefined ? EXIT.cannotRun : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    await write(io.stderr, `pulumi-tridion: unknown command ${JSON.stringify(name)}.\n\n${overview}`);
    return EXIT.cannotRun;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    await write(io.stdout, command.usage);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (!(error instanceof CannotRun)) throw error;
    if (rest.includes("--json")) {
      await writeJson(io.stdout, {
        command: command.name,
        verdict: "cannot-run",
        exitCode: EXIT.cannotRun,
        cause: error.message,
        fix: error.fix ?? null,
      });
    }
    const fix = error.fix ? `\nFix: ${error.fix}` : "";
    await write(io.stderr, `pulumi-tridion ${command.name}: ${error.message}${fix}${error.showUsage ? `\n\n${command.usage}` : ""}`);
    return EXIT.cannotRun;
  }
}

/** What bin/pulumi-tridion.js calls: the exit code once the output is written. */
export function run(): void {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env }).then(
    (code) => process.exit(code),
    (error: unknown) =>
      write(process.stderr, `pulumi-tridion: ${(error as Error)?.message ?? String(error)}`).then(() => process.exit(EXIT.cannotRun)),
  );
}
