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

/**
 * A strict RFC 8259 syntax walk, nesting at most MAX_JSON_DEPTH deep: the first problem, or null
 * when the text is one valid JSON value.
 */
export function findJsonProblem(text: string): JsonProblem | null {
  let i = 0;
  const fail = (reason: string, at = i): never => {
    throw { offset: Math.min(at, text.length), reason } satisfies JsonProblem;
  };
  const unexpected = (expected: string): never => fail(`expected ${expected}, found ${found(text, i)}`);
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail(`a misspelt ${word} (true, false and null are written in lower case, without quotes)`);
      i++;
    }
  };
  const string = () => {
    const start = i;
    i++; // opening quote
    while (i < text.length) {
      const ch = text.charCodeAt(i);
      if (ch === 34) {
        i++;
        return;
      }
      if (ch < 0x20) fail("a control character (such as a line break) inside a string; write it as an escape such as \\n");
      if (ch === 92) {
        i++;
        const esc = text[i];
        if (esc === "u") {
          for (let k = 1; k <= 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i + k] ?? "")) fail("a \\u escape needs four hexadecimal digits", i - 1);
          }
          i += 5;
          continue;
        }
        if (!esc || !'"\\/bfnrt'.includes(esc)) fail('an invalid escape in a string (a backslash must be doubled: "\\\\")', i - 1);
      }
      i++;
    }
    fail("a string that is never closed", start);
  };
  const numberPattern = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  const number = () => {
    numberPattern.lastIndex = i;
    const match = numberPattern.exec(text);
    if (!match || match[0] === "-") fail("a malformed number");
    i += match![0].length;
  };
  const value = (depth: number): void => {
    ws();
    const ch = text[i];
    if (ch === "{" || ch === "[") {
      if (depth >= MAX_JSON_DEPTH)
        fail(`arrays and objects nested more than ${MAX_JSON_DEPTH} levels deep (the Add-ons Service reads at most ${MAX_JSON_DEPTH})`);
    }
    if (ch === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') unexpected("a property name in double quotes");
        string();
        ws();
        if (text[i] !== ":") unexpected('":" after the property name');
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return void i++;
        else unexpected('"," or "}" after the property value');
      }
    }
    if (ch === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return void i++;
        else unexpected('"," or "]" after the array element');
      }
    }
    if (ch === '"') return string();
    if (ch === "t") return literal("true");
    if (ch === "f") return literal("false");
    if (ch === "n") return literal("null");
    if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) return number();
    unexpected("a value (a string, number, object, array, true, false or null)");
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail(`more after the end of the JSON value, found ${found(text, i)}`);
    return null;
  } catch (problem) {
    if (problem && typeof problem === "object" && "reason" in problem) return problem as JsonProblem;
    throw problem;
  }
}

/** The offset of the first syntax error (text.length if the text ends too early or is valid). */
export function findJsonErrorOffset(text: string): number {
  return findJsonProblem(text)?.offset ?? text.length;
}
