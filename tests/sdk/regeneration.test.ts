// The committed SDKs and their reference are exactly what `npm run sdk:gen` writes from today's
// schema: a schema change without a regeneration (or a hand edit in sdk/) fails here, naming the
// files that differ. Generation runs twice, so it is also reproducible byte for byte.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import test from "ava";
import { filesUnder, repoRoot, run, SDK_DIR } from "./sdkFiles";

async function generate(): Promise<{ files: Map<string, Buffer>; remove: () => void }> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "tridion-sdk-gen-test-"));
  try {
    await run(process.execPath, [path.join(repoRoot, "scripts", "sdk-gen.js"), "--out", out], { cwd: repoRoot, maxBuffer: 16 << 20 });
  } catch (e) {
    fs.rmSync(out, { recursive: true, force: true });
    throw new Error(`npm run sdk:gen failed: ${(e as { stderr?: string }).stderr || (e as Error).message}`, { cause: e });
  }
  return { files: filesUnder(path.join(out, "sdk")), remove: () => fs.rmSync(out, { recursive: true, force: true }) };
}

function differences(expected: Map<string, Buffer>, actual: Map<string, Buffer>): string[] {
  const names = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  return names.flatMap((name) => {
    const want = expected.get(name);
    const got = actual.get(name);
    if (!want) return [`${name}: generated, not committed`];
    if (!got) return [`${name}: committed, not generated`];
    return want.equals(got) ? [] : [`${name}: differs`];
  });
}

test("sdk/ holds exactly what npm run sdk:gen generates from the schema, and generating twice gives the same bytes", async (t) => {
  t.timeout(20 * 60_000); // the first run builds the generators (scripts/ensure-sdkgen.sh)
  const first = await generate();
  t.teardown(first.remove);
  const second = await generate();
  t.teardown(second.remove);

  const committed = filesUnder(SDK_DIR);
  const drift = differences(committed, first.files);
  t.deepEqual(drift, [], `sdk/ is not what the schema generates; run \`npm run sdk:gen\` and commit sdk/:\n${drift.join("\n")}`);
  t.deepEqual(differences(first.files, second.files), []);
  for (const language of ["nodejs", "python", "go", "dotnet"])
    t.true([...committed.keys()].some((name) => name.startsWith(`${language}/`)), `no ${language} SDK in sdk/`);
  t.true(committed.has("REFERENCE.md"));
});
