// The JSON syntax walk behind every manifest and configuration error: where the first problem is,
// and what it says, by kind only (never the text around it).
import test from "ava";
import { findJsonProblem, MAX_JSON_DEPTH } from "../../../provider/packaging/json";

test("valid JSON has no problem, escapes and nesting at the limit included", (t) => {
  for (const text of [
    '{"a":"x\\u00e9\\n\\"\\\\\\/"}',
    "[1, -2.5e3, true, false, null]",
    "[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH),
  ]) {
    t.is(findJsonProblem(text), null, text.slice(0, 40));
  }
});

test("each problem at its offset, said without quoting the text", (t) => {
  const cases: Array<[string, number, RegExp]> = [
    ['{"a": 1,}', 8, /expected a property name in double quotes, found "}"/],
    ["{'a': 1}", 1, /found a single quote \(JSON strings take double quotes\)/],
    ['{"a": secret}', 6, /expected a value .* found a letter/],
    ['{"a": "x\\qy"}', 8, /an invalid escape in a string/],
    ['{"a": "\\u12G4"}', 7, /a \\u escape needs four hexadecimal digits/],
    ['{"a": "open', 6, /a string that is never closed/],
    ['{"a": trve}', 8, /a misspelt true/],
    ['{"a": -}', 6, /a malformed number/],
    ['{"a": 1} x', 9, /more after the end of the JSON value, found a letter/],
    ["[".repeat(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH, /nested more than 64 levels deep/],
  ];
  for (const [text, offset, reason] of cases) {
    const problem = findJsonProblem(text);
    t.is(problem?.offset, offset, text);
    t.regex(problem?.reason ?? "", reason, text);
    t.false((problem?.reason ?? "").includes("secret"), "the text is never quoted");
  }
});
