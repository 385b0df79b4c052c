// The real Pulumi engine for the stack benchmarks: the CLI from demo/pulumiEngine.ts, Automation
// API inline programs (many generated stacks, structured results), one folder per project under bench/.work/
// (inside the repo, so the dynamic provider resolves pulumi-tridion from its node_modules).
import * as crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, PulumiCommand, PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { obtainPulumiCli, pulumiEnvironment } from "../demo/pulumiEngine";
import { AddonPackage } from "../provider";
import { WORK } from "./common";
import type { EmulatorProcess } from "./emulatorProcess";
import { sampleFiles, sampleManifest } from "../tests/helpers/sampleAddon";

export interface BenchStack {
  stack: Stack;
  dir: string;
}

/** A fresh project folder (backend and Pulumi home inside) with one stack of `program`. */
export async function openBenchStack(
  name: string,
  program: PulumiFn,
  config: Record<string, { value: string; secret?: boolean }> = {},
): Promise<BenchStack> {
  const cli = obtainPulumiCli();
  const dir = path.join(WORK, "stacks", name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const env: Record<string, string> = {
    ...pulumiEnvironment(cli, path.join(dir, ".pulumi"), crypto.randomBytes(18).toString("base64url")),
    // the emulator answers at once; the defaults suit real services
    TRIDION_POLL_INTERVAL_MS: process.env.TRIDION_POLL_INTERVAL_MS ?? "100",
    PULUMI_TRIDION_CACHE_DIR: path.join(dir, ".package-cache"),
  };
  const pulumiCommand = await PulumiCommand.get({ root: path.dirname(cli.binDir), skipVersionCheck: true });
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "bench", projectName: `bench-${name}`, program },
    { workDir: dir, pulumiCommand, envVars: env, pulumiHome: env.PULUMI_HOME },
  );
  await stack.setAllConfig(config);
  return { stack, dir };
}

export function removeBenchStack(s: BenchStack): void {
  fs.rmSync(s.dir, { recursive: true, force: true });
}

export function pulumiVersion(): string {
  try {
    const cli = obtainPulumiCli();
    return execFileSync(path.join(cli.binDir, "pulumi"), ["version"], {
      encoding: "utf8",
      env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
    }).trim();
  } catch {
    return "unknown";
  }
}

export function tridionConfig(emulator: EmulatorProcess): Record<string, { value: string; secret?: boolean }> {
  return {
    "tridion:accessManagementUrl": { value: emulator.accessManagementUrl },
    "tridion:addonsUrl": { value: emulator.addonsUrl },
    "tridion:clientId": { value: emulator.admin.clientId },
    "tridion:clientSecret": { value: emulator.admin.clientSecret, secret: true },
    "tridion:productVersion": { value: "10" },
  };
}

/** `count` small add-on folders (valid manifests, distinct ids) under bench/.work/addons-<prefix>/. */
export function addonFolders(prefix: string, count: number): string[] {
  const root = path.join(WORK, `addons-${prefix}`);
  fs.rmSync(root, { recursive: true, force: true });
  return Array.from({ length: count }, (_, i) => {
    const id = `${prefix}-${String(i + 1).padStart(2, "0")}`;
    const dir = path.join(root, id);
    // The sample add-on, with an id of its own and a larger event handler (distinct bytes each).
    const manifest = sampleManifest({
      id,
      version: "1.0.0",
      name: `Benchmark add-on ${i + 1}`,
      description: "Generated for the stack benchmarks",
    });
    for (const [file, content] of Object.entries(sampleFiles())) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), content);
    }
    fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
    fs.writeFileSync(path.join(dir, "CM", "Acme.EventHandler.dll"), crypto.randomBytes(16 * 1024));
    return dir;
  });
}

/** A program of AddonPackages, one per folder, with a small configuration each. */
export function addonsProgram(folders: string[]): PulumiFn {
  return async () => {
    for (const source of folders) {
      new AddonPackage(path.basename(source), {
        source,
        configuration: { configuration: { AcmeEventHandler: { threshold: 5 } }, sitesCm: { isEnabled: true } },
        activationTimeoutSeconds: 60,
      });
    }
  };
}

/** The reference: a trivial dynamic provider that does nothing but echo its inputs. */
const noopProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: String(inputs.key), outs: inputs };
  },
  async diff(_id, olds, news) {
    return { changes: JSON.stringify(olds) !== JSON.stringify(news) };
  },
};

class NoopResource extends pulumi.dynamic.Resource {
  constructor(name: string, key: string) {
    super(noopProvider, name, { key }, {});
  }
}

export function noopProgram(count: number): PulumiFn {
  return async () => {
    for (let i = 0; i < count; i++) new NoopResource(`noop-${i + 1}`, `noop-${i + 1}`);
  };
}
