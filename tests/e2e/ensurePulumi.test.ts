// scripts/ensure-pulumi.sh provides the YAML language host beside the CLI and the Node.js host:
// the PATH it prints holds a working `pulumi-language-yaml`; where none is beside `pulumi` or on
// PATH it builds one from the Go module proxy into its cache (once, under a lock, with the version
// noted; later runs reuse it), and a version it cannot get fails with the cause and the fix.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import test from "ava";
import { obtainPulumiCli, repoRoot } from "../../demo/pulumiEngine";

const run = promisify(execFile);
const SCRIPT = path.join(repoRoot, "scripts", "ensure-pulumi.sh");
const YAML_HOST = "pulumi-language-yaml";
const CLI_VERSION = process.env.PULUMI_TRIDION_VERSION ?? "v3.274.1";
const YAML_VERSION = process.env.PULUMI_TRIDION_YAML_VERSION ?? "v1.25.0";

interface Outcome {
  code: number;
  dirs: string[];
  stderr: string;
}

async function ensure(args: string[], env: Record<string, string | undefined>): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run("bash", [SCRIPT, ...args], { env: { ...process.env, ...env }, timeout: 600_000 });
    return { code: 0, dirs: stdout.trim().split("\n").pop()!.split(path.delimiter), stderr };
  } catch (e) {
    const err = e as { code?: number; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : -1, dirs: [], stderr: err.stderr ?? "" };
  }
}

const answers = async (file: string) =>
  (await run(file, ["-help"]).then(
    () => true,
    () => false,
  )) as boolean;

test("the PATH the script prints holds pulumi, the Node.js host and a working YAML host", async (t) => {
  const { pathDirs } = obtainPulumiCli();
  const holding = (name: string) => pathDirs.filter((dir) => fs.existsSync(path.join(dir, name)));
  t.is(holding("pulumi")[0], pathDirs[0]);
  t.true(holding("pulumi-language-nodejs").length > 0);
  t.true(holding(YAML_HOST).length > 0, `${YAML_HOST} in ${pathDirs.join(path.delimiter)}`);
  t.true(await answers(path.join(holding(YAML_HOST)[0], YAML_HOST)));
});

test("without a YAML host beside pulumi or on PATH, it builds one into its cache once, under a lock", async (t) => {
  const { binDir } = obtainPulumiCli();
  // A pulumi alone in its folder, nothing else of Pulumi's on PATH, an empty cache.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "ensure-yaml-"));
  t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));
  const alone = path.join(work, "alone");
  fs.mkdirSync(alone);
  fs.symlinkSync(path.join(binDir, "pulumi"), path.join(alone, "pulumi"));
  const cache = path.join(work, "cache");
  const env = {
    PATH: [alone, path.join(repoRoot, "node_modules", ".bin"), "/usr/local/go/bin", "/usr/bin", "/bin"].join(path.delimiter),
    PULUMI_TRIDION_CACHE: cache,
  };

  // Two at once: one builds, the other waits for it and uses what it built.
  const [a, b] = await Promise.all([ensure(["yaml"], env), ensure(["yaml"], env)]);
  const cached = path.join(cache, `pulumi-${CLI_VERSION}`, "bin");
  for (const outcome of [a, b]) {
    t.is(outcome.code, 0, outcome.stderr);
    t.deepEqual(outcome.dirs, [alone, cached]);
    t.regex(outcome.stderr, /yaml language host: .*pulumi-language-yaml \(ready after \d+s\)/);
  }
  const builds = [a, b].filter((o) => /built .*pulumi-language-yaml in \d+s/.test(o.stderr));
  t.is(builds.length, 1, "built once");
  t.true(await answers(path.join(cached, YAML_HOST)));
  t.is(fs.readFileSync(path.join(cached, `.${YAML_HOST}.version`), "utf8").trim(), YAML_VERSION);
  t.deepEqual(
    fs.readdirSync(cached).filter((f) => f.includes(".tmp")),
    [],
    "no half-built binary left",
  );

  // Later runs find it: no build.
  const yamlOnly = await ensure(["yaml"], env);
  t.is(yamlOnly.code, 0);
  t.notRegex(yamlOnly.stderr, /building|built/);

  // A version the Go module proxy does not serve: the cause and the fix, and nothing left behind.
  const missing = await ensure(["yaml"], { ...env, PULUMI_TRIDION_YAML_VERSION: "v0.0.0-no-such-version" });
  t.is(missing.code, 1);
  t.regex(missing.stderr, /ERROR: cannot build pulumi-language-yaml v0\.0\.0-no-such-version \(go's error is above/);
  t.regex(
    missing.stderr,
    /Install Pulumi normally \(it ships pulumi-language-yaml\) and put it on PATH, or set PULUMI_TRIDION_YAML_VERSION/,
  );
  t.true(await answers(path.join(cached, YAML_HOST)), "the built host is still there");
});
