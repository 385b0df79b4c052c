// The generated TypeScript SDK (sdk/nodejs) built as Pulumi builds an SDK package: `tsc` into
// bin/, the package.json copied beside it (bin/ is the package). On a copy outside the
// repository, so nothing compiled is left in sdk/; a program folder then gets it as
// node_modules/@pulumi-tridion/sdk. And `pulumi` in such a folder.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { LAUNCHER } from "../helpers/pluginHost";
import type { E2eWorkspace } from "../helpers/pulumi";
import { copyOfSdk, repoRoot } from "./sdkFiles";

export const SDK_PACKAGE = JSON.parse(fs.readFileSync(path.join(repoRoot, "sdk", "nodejs", "package.json"), "utf8")).name as string;

/** Compiles a copy of sdk/nodejs with the repository's TypeScript; returns the package folder (bin/). */
export async function buildNodejsSdk(): Promise<{ packageDir: string; remove: () => void }> {
  const copy = copyOfSdk("nodejs");
  const modules = path.join(copy.dir, "node_modules");
  fs.mkdirSync(path.join(modules, "@pulumi"), { recursive: true });
  fs.mkdirSync(path.join(modules, "@types"), { recursive: true });
  fs.symlinkSync(path.join(repoRoot, "node_modules", "@pulumi", "pulumi"), path.join(modules, "@pulumi", "pulumi"));
  fs.symlinkSync(path.join(repoRoot, "node_modules", "@types", "node"), path.join(modules, "@types", "node"));
  try {
    await promisify(execFile)(process.execPath, [path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", copy.dir], {
      maxBuffer: 16 << 20,
    });
  } catch (e) {
    copy.remove();
    const err = e as { stdout?: string; message: string };
    throw new Error(`The generated TypeScript SDK does not compile: ${err.stdout || err.message}`, { cause: e });
  }
  const packageDir = path.join(copy.dir, "bin");
  fs.copyFileSync(path.join(copy.dir, "package.json"), path.join(packageDir, "package.json"));
  return { packageDir, remove: copy.remove };
}

/** Puts the built SDK into a program folder's node_modules. */
export function installSdk(programDir: string, packageDir: string): void {
  const target = path.join(programDir, "node_modules", ...SDK_PACKAGE.split("/"));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.cpSync(packageDir, target, { recursive: true });
}

/** `pulumi ARGS` in the workspace's folder, with the plugin's launcher on PATH (as a user who put provider/bin there). */
export function pulumiIn(ws: E2eWorkspace): (...args: string[]) => Promise<{ stdout: string; stderr: string }> {
  const env = { ...process.env, ...ws.env, PATH: `${path.dirname(LAUNCHER)}${path.delimiter}${ws.env.PATH}` };
  return async (...args: string[]) => {
    try {
      return await promisify(execFile)(ws.pulumiCommand.command, [...args, "--non-interactive"], { cwd: ws.dir, env, maxBuffer: 64 << 20 });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      throw new Error(`pulumi ${args.join(" ")} failed:\n${err.stdout ?? ""}\n${err.stderr ?? err.message}`, { cause: e });
    }
  };
}
