// What every benchmark shares: where its scratch files live, medians, alternating repetitions
// (reference and subject take turns, so a noisy neighbour hurts both alike), and child processes.
import { spawn } from "node:child_process";
import { createCipheriv, createHash } from "node:crypto";
import { existsSync } from "node:fs";
import * as path from "node:path";

/** The repository root (the folder above bench/, wherever this runs from). */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** Scratch space of the benchmarks, git-ignored; inside the repo so Pulumi programs resolve pulumi-tridion. */
export const WORK = path.join(projectRoot(), "bench", ".work");

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Seconds since `start` (process.hrtime.bigint()). */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { seconds: secondsSince(start), value };
}

/**
 * Runs `reference` and `subject` `reps` times each, taking turns (ref first on even reps, subject
 * first on odd ones), and returns every measurement of both.
 */
export async function alternate<R, S>(
  reps: number,
  reference: (rep: number) => Promise<R>,
  subject: (rep: number) => Promise<S>,
): Promise<{ reference: R[]; subject: S[] }> {
  const out = { reference: [] as R[], subject: [] as S[] };
  for (let rep = 0; rep < reps; rep++) {
    if (rep % 2 === 0) {
      out.reference.push(await reference(rep));
      out.subject.push(await subject(rep));
    } else {
      out.subject.push(await subject(rep));
      out.reference.push(await reference(rep));
    }
  }
  return out;
}

/** A positive number from the environment, or the fallback. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}".`);
  return n;
}

export function envList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  return raw.split(",").map((part) => {
    const n = Number(part.trim());
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a comma-separated list of positive numbers, got "${raw}".`);
    return n;
  });
}

/** Runs a program to completion; resolves with its stdout, rejects naming the program and its stderr tail. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}: ${err.trim().split("\n").slice(-5).join(" | ")}`)),
    );
    child.stdin.end(options.input ?? "");
  });
}

/** Deterministic pseudo-random bytes: AES-256-CTR keystream from a seed. */
export function randomBytesFrom(seed: string, length: number): Buffer {
  const key = createHash("sha256").update(seed).digest();
  const iv = createHash("md5").update(seed).digest();
  return createCipheriv("aes-256-ctr", key, iv).update(Buffer.alloc(length));
}

export function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}
