import { PackageError, PackageErrorCode } from "./errors";

/**
 * How deep arrays and objects may nest in a manifest or a configuration: 64, the default
 * `MaxDepth` of .NET's JSON readers (System.Text.Json and Json.NET), which the Add-ons Service
 * reads these documents with; a deeper document would be refused there. Bounding it also keeps
 * every walk over a document (syntax check, canonical JSON, validation) far from the stack limit.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * JSON.parse with an error that gives line and column and says what is wrong without quoting the
 * text (a configuration may hold secrets): the message names the problem and what was found by
 * kind ("a letter", "a digit", a structural character), never the characters around it. A walker
 * of our own rather than a library: the well-kept ones (json-parse-even-better-errors, V8's own
 * message) quote the text around the error, which is what must not reach a log. Nesting
 * deeper than MAX_JSON_DEPTH is refused the same way. A UTF-8 byte order mark is accepted
 * (Windows tools write one; .NET reads it).
 */
export function parseJsonWithPosition(text: string, where: string, fix: string, code: PackageErrorCode = "MANIFEST_INVALID_JSON"): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const problem = findJsonProblem(body);
  if (problem) {
    const { line, column } = lineAndColumn(body, problem.offset);
    throw new PackageError(
      code,
      `${where} is not valid JSON: ${problem.reason} at line ${line}, column ${column} (position ${problem.offset}).`,
      fix,
    );
  }
  try {
    return JSON.parse(body);
  } catch {
    // The walk above accepts exactly RFC 8259 JSON, as JSON.parse does; should they ever disagree,
    // still say nothing of the text.
    throw new PackageError(code, `${where} is not valid JSON.`, fix);
  }
}

/**
 * A parsed value (or one given as an object) nests no deeper than MAX_JSON_DEPTH; walked without
 * recursion, so any depth is measured safely. The error names the path to the first level too deep.
 */
export function assertJsonDepth(value: unknown, where: string, code: PackageErrorCode, fix: string): void {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: "" }];
  const seen = new Set<object>();
  while (stack.length) {
    const item = stack.pop()!;
    if (item.value === null || typeof item.value !== "object") continue;
    const object = item.value;
    if (seen.has(object)) continue; // a cycle or a shared object: its depth was measured where first met
    seen.add(object);
    const depth = item.depth + 1;
    if (depth > MAX_JSON_DEPTH) {
      throw new PackageError(
        code,
        `${where} nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep (at ${shortPath(item.path)}); the Add-ons Service reads JSON at most ${MAX_JSON_DEPTH} levels deep.`,
        fix,
      );
    }
    if (Array.isArray(object)) object.forEach((child, index) => stack.push({ value: child, depth, path: `${item.path}[${index}]` }));
    else
      for (const [key, child] of Object.entries(object)) {
        stack.push({
          value: child,
          depth,
          path: /^[A-Za-z_$][\w$-]*$/.test(key) ? `${item.path}.${key}` : `${item.path}[${JSON.stringify(key)}]`,
        });
      }
  }
}

function shortPath(path: string): string {
  const shown = path.replace(/^\./, "") || "the top level";
  return shown.length <= 80 ? shown : `${shown.slice(0, 79)}…`;
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** What stands at `i`, by kind only: the text itself is never shown. */
function found(text: string, i: number): string {
  if (i >= text.length) return "the end of the text";
  const ch = text[i];
  if (/[A-Za-z]/.test(ch)) return "a letter";
  if (/[0-9]/.test(ch)) return "a digit";
  if ('{}[],:"'.includes(ch)) return `"${ch}"`;
  if (ch === "'") return "a single quote (JSON strings take double quotes)";
  if (" \t\n\r".includes(ch)) return "white space";
  const code = ch.charCodeAt(0);
  if (code < 0x20) return "a control character";
  return "another character";
}

export interface JsonProblem {
  /** Where the problem is (UTF-16 offset; text.length when the text ends too early). */
  offset: number;
  /** What is wrong, without quoting the text. */
  reason: string;
}

/** A problem found by the walk, carried out of it (never a user-facing error itself). */
class Found {
  constructor(readonly problem: JsonProblem) {}
}

const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/** A strict RFC 8259 syntax walk over one text: each part of the grammar a step of its own. */
class JsonSyntaxWalk {
  private i = 0;

  constructor(private readonly text: string) {}

  /** The first problem, or null when the text is one valid JSON value. */
  run(): JsonProblem | null {
    try {
      this.value(0);
      this.ws();
      if (this.i < this.text.length) this.fail(`more after the end of the JSON value, found ${found(this.text, this.i)}`);
      return null;
    } catch (e) {
      if (e instanceof Found) return e.problem;
      throw e;
    }
  }

  private fail(reason: string, at = this.i): never {
    throw new Found({ offset: Math.min(at, this.text.length), reason });
  }

  private unexpected(expected: string): never {
    return this.fail(`expected ${expected}, found ${found(this.text, this.i)}`);
  }

  private ws(): void {
    while (this.i < this.text.length && " \t\n\r".includes(this.text[this.i])) this.i++;
  }

  private value(depth: number): void {
    this.ws();
    const ch = this.text[this.i];
    if ((ch === "{" || ch === "[") && depth >= MAX_JSON_DEPTH) {
      this.fail(`arrays and objects nested more than ${MAX_JSON_DEPTH} levels deep (the Add-ons Service reads at most ${MAX_JSON_DEPTH})`);
    }
    if (ch === "{") return this.object(depth);
    if (ch === "[") return this.array(depth);
    if (ch === '"') return this.string();
    if (ch === "t") return this.literal("true");
    if (ch === "f") return this.literal("false");
    if (ch === "n") return this.literal("null");
    if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) return this.number();
    this.unexpected("a value (a string, number, object, array, true, false or null)");
  }

  private object(depth: number): void {
    this.i++;
    this.ws();
    if (this.text[this.i] === "}") return void this.i++;
    for (;;) {
      this.ws();
      if (this.text[this.i] !== '"') this.unexpected("a property name in double quotes");
      this.string();
      this.ws();
      if (this.text[this.i] !== ":") this.unexpected('":" after the property name');
      this.i++;
      this.value(depth + 1);
      this.ws();
      if (this.text[this.i] === ",") this.i++;
      else if (this.text[this.i] === "}") return void this.i++;
      else this.unexpected('"," or "}" after the property value');
    }
  }

  private array(depth: number): void {
    this.i++;
    this.ws();
    if (this.text[this.i] === "]") return void this.i++;
    for (;;) {
      this.value(depth + 1);
      this.ws();
      if (this.text[this.i] === ",") this.i++;
      else if (this.text[this.i] === "]") return void this.i++;
      else this.unexpected('"," or "]" after the array element');
    }
  }

  private string(): void {
    const start = this.i;
    this.i++; // opening quote
    while (this.i < this.text.length) {
      const ch = this.text.charCodeAt(this.i);
      if (ch === 34) return void this.i++;
      if (ch < 0x20) this.fail("a control character (such as a line break) inside a string; write it as an escape such as \\n");
      if (ch === 92) {
        this.escape();
        continue;
      }
      this.i++;
    }
    this.fail("a string that is never closed", start);
  }

  /** At a backslash inside a string: one valid escape, stepped over. */
  private escape(): void {
    const esc = this.text[this.i + 1];
    if (esc === "u") {
      for (let k = 2; k <= 5; k++) {
        if (!/[0-9a-fA-F]/.test(this.text[this.i + k] ?? "")) this.fail("a \\u escape needs four hexadecimal digits");
      }
      this.i += 6;
      return;
    }
    if (!esc || !'"\\/bfnrt'.includes(esc)) this.fail('an invalid escape in a string (a backslash must be doubled: "\\\\")');
    this.i += 2;
  }

  private literal(word: string): void {
    for (const ch of word) {
      if (this.text[this.i] !== ch) this.fail(`a misspelt ${word} (true, false and null are written in lower case, without quotes)`);
      this.i++;
    }
  }

  private number(): void {
    NUMBER.lastIndex = this.i;
    const match = NUMBER.exec(this.text);
    if (!match || match[0] === "-") this.fail("a malformed number");
    this.i += match[0].length;
  }
}

/**
 * A strict RFC 8259 syntax walk, nesting at most MAX_JSON_DEPTH deep: the first problem, or null
 * when the text is one valid JSON value.
 */
export function findJsonProblem(text: string): JsonProblem | null {
  return new JsonSyntaxWalk(text).run();
}
