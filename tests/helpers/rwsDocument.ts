// RWS's OpenAPI document of the Access Management management API: the contract of everything this
// project sends to Access Management. RWS publishes it in its PowerShell module ISHRemote
// (Apache-2.0); it is never copied into this repository. Tests find it through
// TRIDION_AM_OPENAPI, or in a `shared/reference/` folder beside the repository.
import * as fs from "node:fs";
import * as path from "node:path";
import test from "ava";

const BESIDE_REPOSITORY = path.resolve(__dirname, "..", "..", "..", "shared", "reference", "access-management-openapi-v1.json");

export const HOW_TO_GET_IT =
  "RWS's Access Management OpenAPI document was not found. Download " +
  "Source/ISHRemote/Trisoft.ISHRemote.OpenApiAM10/OpenApiAM10.json from github.com/RWS/ISHRemote (Apache-2.0) " +
  "and set TRIDION_AM_OPENAPI to its path (or place it at ../shared/reference/access-management-openapi-v1.json beside the repository).";

/** The document's path, or undefined when neither place has it. */
export function rwsAccessManagementDocument(): string | undefined {
  const fromEnvironment = process.env.TRIDION_AM_OPENAPI;
  if (fromEnvironment) return fs.existsSync(fromEnvironment) ? path.resolve(fromEnvironment) : undefined;
  return fs.existsSync(BESIDE_REPOSITORY) ? BESIDE_REPOSITORY : undefined;
}

/**
 * `test` when the document is there. Without it, the tests are skipped with a message saying how
 * to get it, except under CI=true, where one failing test says the same: CI must check the contract.
 */
export function testWithRwsDocument(): typeof test | undefined {
  if (rwsAccessManagementDocument()) return test;
  if (process.env.CI === "true") {
    test("RWS's Access Management OpenAPI document is available (required under CI=true)", (t) => t.fail(HOW_TO_GET_IT));
  } else {
    console.log(`skipped: ${HOW_TO_GET_IT}`);
    test.skip(`the Access Management contract (${HOW_TO_GET_IT})`, () => {});
  }
  return undefined;
}
