// The packages as users get them: `npm pack` of the workspace packages (as `npm publish` would
// make them), and a user's project outside the repository that installs those tarballs from
// disk and everything else from the npm registry (through the machine's npm cache).
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../../demo/pulumiEngine";

const exec = promisify(execFile);

export interface Packed {
  /** Absolute path of the .tgz. */
  tarball: string;
  /** The files in it, as `npm pack --json` lists them. */
  files: string[];
}

/** npm in `cwd` with `env`; its output only in the error when it fails. */
export async function npm(args: string[], cwd: string, env: Record<string, string>): Promise<string> {
  try {
    const { stdout } = await exec("npm", args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`npm ${args.join(" ")} failed in ${cwd}: ${err.message}\n${err.stderr ?? ""}`, { cause: e });
  }
}

/** The workspace packages that are published, the data package both others depend on first. */
export const PUBLISHED_PACKAGES = ["tridion-sites-contract", "pulumi-tridion", "tridion-sites-emulator"];

/**
 * Packs workspace packages (their dist/ must be built: `npm test` builds first; nothing is rebuilt
 * here, since other test files load dist/ meanwhile). Returns one tarball per package name.
 */
export async function packWorkspaces(names: string[], env: Record<string, string>): Promise<Record<string, Packed>> {
  const destination = fs.mkdtempSync(path.join(os.tmpdir(), "tridion-packed-"));
  const out: Record<string, Packed> = {};
  for (const name of names) {
    const listed = JSON.parse(
      await npm(["pack", "--workspace", name, "--json", "--pack-destination", destination], repoRoot, env),
    ) as Array<{ name: string; filename: string; files: Array<{ path: string }> }>;
    out[name] = { tarball: path.join(destination, listed[0].filename), files: listed[0].files.map((f) => f.path) };
  }
  return out;
}

export interface UserProject {
  dir: string;
  remove(): void;
}

/**
 * A user's project outside the repository: `from` (e.g. an example folder) copied, its
 * dependencies on the workspace packages pointed at their tarballs, then `npm install`.
 */
export async function installUserProject(from: string, packed: Record<string, Packed>, env: Record<string, string>): Promise<UserProject> {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tridion-user-project-")), path.basename(from));
  fs.cpSync(from, dir, { recursive: true, filter: (src) => !/[/\\](node_modules|\.state)([/\\]|$)/.test(src) });
  const manifestPath = path.join(dir, "package.json");
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as Record<string, Record<string, string>>;
  const listed = new Set<string>();
  for (const field of ["dependencies", "devDependencies"]) {
    for (const name of Object.keys(manifest[field] ?? {})) {
      if (packed[name]) manifest[field][name] = `file:${packed[name].tarball}`;
      listed.add(name);
    }
  }
  // What the packages themselves depend on comes from its tarball too, as the registry would serve it.
  const overrides = Object.fromEntries(
    Object.entries(packed)
      .filter(([name]) => !listed.has(name))
      .map(([name, { tarball }]) => [name, `file:${tarball}`]),
  );
  if (Object.keys(overrides).length) manifest.overrides = { ...manifest.overrides, ...overrides };
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  await npm(["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], dir, env);
  return { dir, remove: () => fs.rmSync(path.dirname(dir), { recursive: true, force: true }) };
}
