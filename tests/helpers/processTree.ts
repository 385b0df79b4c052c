// Ending a CLI run as a lost runner ends it: every process it started, not only its process
// group. The Pulumi engine starts its plugins (the language host, the dynamic provider) in
// process groups of their own, so `kill -9 -<pgid>` leaves them running, orphaned, for good:
// a provider still inside a call may write afterwards, and the orphans keep any inherited
// descriptor (a CI runner's log pipe) open. A child spawned with `detached: true` leads a new
// session, and the plugins stay in it: killing the session takes them all.
import { spawn } from "node:child_process";
import * as fs from "node:fs";

/** The pids of every process in session `sid` (Linux /proc; none elsewhere). */
export function sessionMembers(sid: number): number[] {
  const members: number[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return members;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command (which may hold spaces or parentheses): state ppid pgrp session ...
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[3]) === sid) members.push(Number(entry));
    } catch {
      /* the process ended meanwhile */
    }
  }
  return members;
}

/**
 * SIGKILLs the session led by `leader` (a child spawned with `detached: true`): its process group
 * and every plugin process group the engine started in it. Repeats until none is left, since a
 * dying parent may still be starting a child.
 */
export function killSession(leader: number | undefined): void {
  if (!leader) return;
  for (let round = 0; round < 10; round++) {
    const members = sessionMembers(leader);
    try {
      process.kill(-leader, "SIGKILL");
    } catch {
      /* the group is gone */
    }
    if (members.length === 0) return;
    for (const pid of members) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  }
}

export interface DetachedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they arrived. */
  output: string;
  /** True when `killWhen` held and the run was killed (it had not finished by itself). */
  killed: boolean;
}

/**
 * Runs a command in a session of its own; kills the session (everything it started) after
 * `timeoutMs`, as soon as `killWhen` holds (polled every 50 ms), and in any case once it ends, so
 * no orphaned plugin outlives it.
 */
export function runDetached(
  command: string,
  args: string[],
  options: { env: Record<string, string>; cwd?: string; timeoutMs: number; killWhen?: () => boolean; input?: string },
): Promise<DetachedRun> {
  return new Promise((resolve) => {
    const stdin = options.input === undefined ? "ignore" : "pipe";
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: [stdin, "pipe", "pipe"], detached: true });
    // A secret goes in on stdin, never on the command line (where a value starting with "-" reads as a flag, and errors print it).
    if (options.input !== undefined) child.stdin!.end(options.input);
    const result: DetachedRun = { code: null, stdout: "", stderr: "", output: "", killed: false };
    child.stdout!.on("data", (d: Buffer) => {
      result.stdout += d.toString("utf8");
      result.output += d.toString("utf8");
    });
    child.stderr!.on("data", (d: Buffer) => {
      result.stderr += d.toString("utf8");
      result.output += d.toString("utf8");
    });
    const timer = setTimeout(() => killSession(child.pid), options.timeoutMs);
    const poll = options.killWhen
      ? setInterval(() => {
          if (!result.killed && options.killWhen!()) {
            result.killed = true;
            killSession(child.pid);
          }
        }, 50)
      : undefined;
    child.on("close", (code) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      killSession(child.pid);
      resolve({ ...result, code });
    });
  });
}
