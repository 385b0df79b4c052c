// The provider plugin as users install it: `npm run plugin:pack` (scripts/pack-plugin.js) run once
// per test process, then `pulumi plugin install resource tridion <version> --file <tarball>` into
// a test's own PULUMI_HOME. Packing is a few seconds and safe to run from several test files at
// once (each tarball is written to a temp name and renamed).
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { NODE22_PATH } from "./pluginHost";

const exec = promisify(execFile);
const repoRoot = path.resolve(__dirname, "..", "..");

export const PLUGIN_VERSION = JSON.parse(fs.readFileSync(path.join(repoRoot, "provider", "package.json"), "utf8")).version as string;
/** The platforms a tarball is written for, as Pulumi names them (GOOS-GOARCH). */
export const PLUGIN_TARGETS = ["linux-amd64", "linux-arm64", "darwin-amd64", "darwin-arm64", "windows-amd64"] as const;

/** Where `npm run plugin:pack` writes the tarball of a platform. */
export function pluginTarballPath(target: string): string {
  return path.join(repoRoot, "dist", "plugin", `pulumi-resource-tridion-v${PLUGIN_VERSION}-${target}.tar.gz`);
}

/** This machine's platform, as the tarballs name it. */
export function currentTarget(): string {
  const os = process.platform === "win32" ? "windows" : process.platform;
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  return `${os}-${arch}`;
}

/** Runs `npm run plugin:pack`; resolves to what it printed (one tarball path a line). */
export async function packPlugin(): Promise<string> {
  const { stdout } = await exec("npm", ["run", "--silent", "plugin:pack"], {
    cwd: repoRoot,
    env: { ...process.env, PATH: NODE22_PATH },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

let packed: Promise<string> | undefined;
/** `npm run plugin:pack`, once per test process: what it printed. */
export const packPluginOnce = (): Promise<string> => (packed ??= packPlugin());

/** The tarball of `target` (default: this machine's), packed once per test process. */
export async function pluginTarball(target: string = currentTarget()): Promise<string> {
  await packPluginOnce();
  return pluginTarballPath(target);
}

/**
 * Installs this machine's tarball with the real CLI into the Pulumi home of `env` (PULUMI_HOME),
 * as the README tells users to.
 */
export async function installPlugin(env: Record<string, string>, cwd: string): Promise<void> {
  const tarball = await pluginTarball();
  await exec("pulumi", ["plugin", "install", "resource", "tridion", PLUGIN_VERSION, "--file", tarball], {
    cwd,
    env: { ...process.env, ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
}
