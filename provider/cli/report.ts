// What the commands print: checks with a verdict, and when one fails its cause and fix; as text
// for people or one JSON document for machines (--json). Everything printed passes through the
// secret redaction first: no client secret, token or proxy password ever reaches the output.
import { redactSecrets } from "../errors/redaction";
import { toTridionError } from "../errors/tridionError";

export type Verdict = "pass" | "warn" | "fail" | "skip" | "info";

export interface Check {
  /** Stable id, e.g. "accessManagement.discovery" or "identity.token" (with `subject`). */
  id: string;
  /** The group it belongs to, e.g. "Access Management". */
  group: string;
  /** Which identity (or other subject) the check is about, when several share an id. */
  subject?: string;
  title: string;
  verdict: Verdict;
  /** What was found, in a sentence or two. */
  summary: string;
  /** Why it fails or warns. */
  cause?: string;
  /** What to do about it. */
  fix?: string;
  /** Facts for machines (URLs, claims, role keys, ...). Never a secret. */
  details?: Record<string, unknown>;
}

/** An error's cause (its message) and fix, from its fields (anything not ours has no fix). */
export function causeAndFix(error: unknown): { cause: string; fix?: string } {
  const e = toTridionError(error);
  return e.fix ? { cause: e.message, fix: e.fix } : { cause: e.message };
}

const MARK: Record<Verdict, string> = { pass: "[ok]  ", warn: "[warn]", fail: "[FAIL]", skip: "[skip]", info: "[info]" };

/** Wraps text at `width`, each line after the first indented by `indent`. */
function wrap(text: string, indent: string, width = 100): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line && line.length + 1 + word.length > width - indent.length) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${indent}`);
}

/** The checks as text, grouped in the order they ran. */
export function renderChecks(checks: Check[]): string {
  const out: string[] = [];
  let group: string | undefined;
  for (const check of checks) {
    if (check.group !== group) {
      group = check.group;
      out.push("", group);
    }
    const title = check.subject ? `${check.title} (${check.subject})` : check.title;
    const indent = "         ";
    // Redacted before wrapping: a line break inside a secret would hide it from the redaction.
    out.push(`  ${MARK[check.verdict]} ${wrap(redactSecrets(`${title}: ${check.summary}`), indent)}`);
    if (check.cause) out.push(`${indent}cause: ${wrap(redactSecrets(check.cause), `${indent}       `)}`);
    if (check.fix) out.push(`${indent}fix:   ${wrap(redactSecrets(check.fix), `${indent}       `)}`);
  }
  return out.join("\n");
}

/** Writes text (redacted) and returns once it is flushed. */
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    stream.write(redactSecrets(text.endsWith("\n") ? text : `${text}\n`), () => resolve());
  });
}

/** One JSON document (redacted as text, so no value can slip through a field). */
export function writeJson(stream: NodeJS.WritableStream, value: unknown): Promise<void> {
  return write(stream, JSON.stringify(value, null, 2));
}
