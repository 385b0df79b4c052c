// Building a Go program that uses the generated Go SDK (sdk/go): a wrapper module outside the
// repository requiring github.com/pulumi/pulumi/sdk/v3 at the CLI's version (with its replace
// directives, as scripts/ensure-sdkgen.sh builds the generators) and the SDK by a replace to sdk/go.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "./sdkFiles";

const PULUMI_VERSION = process.env.PULUMI_TRIDION_VERSION ?? "v3.274.1";
const SDK_MODULE = "github.com/pulumi-tridion/pulumi-tridion/sdk/go";

function goBinary(): string {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) if (dir && fs.existsSync(path.join(dir, "go"))) return path.join(dir, "go");
  if (fs.existsSync("/usr/local/go/bin/go")) return "/usr/local/go/bin/go";
  throw new Error("The Go SDK test needs a Go toolchain (Go >= 1.26): none on PATH nor at /usr/local/go/bin/go.");
}

/** Builds the Go program in `source` (a folder with main.go); returns the binary and a remover. */
export async function buildGoProgram(source: string): Promise<{ binary: string; remove: () => void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tridion-go-sdk-"));
  fs.copyFileSync(path.join(source, "main.go"), path.join(dir, "main.go"));
  const script = [
    "set -euo pipefail",
    `source "${path.join(repoRoot, "scripts", "lib", "go-wrapper.sh")}"`,
    "log() { :; }; warn() { echo \"$*\" >&2; }",
    '"$GO" mod init local/quickstart >/dev/null 2>&1',
    `repeat_replaces github.com/pulumi/pulumi/sdk/v3@${PULUMI_VERSION}`,
    `"$GO" mod edit -replace=${SDK_MODULE}="${path.join(repoRoot, "sdk", "go")}" -require=${SDK_MODULE}@v0.0.0`,
    `"$GO" get github.com/pulumi/pulumi/sdk/v3@${PULUMI_VERSION}`,
    // The CLI's build flags: the packages it shares with the CLI come from the build cache.
    '"$GO" build -p 2 -trimpath -tags osusergo,grpcnotrace -o quickstart .',
  ].join("\n");
  try {
    await promisify(execFile)("bash", ["-c", script], {
      cwd: dir,
      env: { ...process.env, GO: goBinary(), GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod" },
      maxBuffer: 16 << 20,
      timeout: 15 * 60_000,
    });
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    const err = e as { stderr?: string; message: string };
    throw new Error(`Building the Go program with the generated Go SDK failed: ${err.stderr || err.message}`, { cause: e });
  }
  return { binary: path.join(dir, "quickstart"), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
