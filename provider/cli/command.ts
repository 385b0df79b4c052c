// What a command of the `pulumi-tridion` bin is: a name, a line for the overview, its usage, and
// a run that returns the exit code. The dispatcher (main.ts) is a table of these.

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  name: string;
  /** One line for `pulumi-tridion --help`. */
  summary: string;
  /** `pulumi-tridion <name> --help` (the dispatcher prints it; run never sees --help). */
  usage: string;
  /** Runs it; throws CannotRun (exit 2) for bad flags or unreadable settings. */
  run(argv: string[], io: Io): Promise<number>;
}
