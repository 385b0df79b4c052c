// Shared by the provider tests: an emulator, the provider implementation configured against it
// (as configure() would from stack config), add-on folders, and a plain admin API client to
// change things out of band and to see what the server holds.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { EmulatorOptions } from "../../emulator";
import { amAdmin } from "../helpers/accessManagement";
import { bearer, getToken, http, manifest, packageFiles, startTestEmulator, type TestEmulator } from "../helpers/emulator";

// Fast polling and retries in tests (the defaults are for real services).
process.env.TRIDION_RETRY_BASE_DELAY_MS ??= "20";
process.env.TRIDION_POLL_INTERVAL_MS ??= "50";
process.env.PULUMI_TRIDION_CACHE_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-tridion-cache-"));

export const impl = require("../../provider/dynamic") as typeof import("../../provider/dynamic");

export type Config = Record<string, string>;

export function configFor(emulator: TestEmulator, extra: Config = {}): Config {
  return {
    "tridion:accessManagementUrl": emulator.accessManagementUrl,
    "tridion:addonsUrl": emulator.addonsUrl,
    "tridion:clientId": emulator.credentials.admin.clientId,
    "tridion:clientSecret": emulator.credentials.admin.clientSecret,
    ...extra,
  };
}

/** What the dynamic-provider host hands configure(): a Config over the stack's namespaced keys. */
export function configRequest(config: Config) {
  return {
    config: {
      get: (key: string) => config[key],
      require: (key: string) => {
        if (config[key] === undefined) throw new Error(`Missing required configuration key: ${key}`);
        return config[key];
      },
    },
  };
}

export async function configure(config: Config): Promise<void> {
  await impl.configure(configRequest(config));
}

export async function start(options: EmulatorOptions = {}, extra: Config = {}): Promise<TestEmulator> {
  const emulator = await startTestEmulator(options);
  await configure(configFor(emulator, extra));
  return emulator;
}

/**
 * The admin identity talking to the real API, for out-of-band changes and server-side asserts:
 * URL helpers for both services, and `access` (Access Management as an administrator uses it).
 */
export async function adminApi(emulator: TestEmulator) {
  const token = await getToken(emulator, emulator.credentials.admin);
  const access = await amAdmin(emulator);
  const am = (p: string) => `${emulator.accessManagementUrl}/api/v1${p}`;
  const addons = (p: string) => `${emulator.addonsUrl}/api/v1/addons${p}`;
  return {
    token,
    get: async (url: string) => await http.get(url, bearer(token)),
    put: async (url: string, body: unknown) => await http.put(url, body, bearer(token)),
    patch: async (url: string, body: unknown) => await http.patch(url, body, bearer(token)),
    post: async (url: string, body: unknown) => await http.post(url, body, bearer(token)),
    del: async (url: string) => await http.delete(url, bearer(token)),
    am,
    addons,
    access,
  };
}

/** An add-on folder on disk for the manifest fields given. */
export function addonFolder(fields: Record<string, unknown> = {}, extraFiles: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tridion-addon-"));
  const files = { ...packageFiles(manifest(fields)), ...extraFiles };
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, ...name.split("/"));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return dir;
}

/** What a dynamic provider receives in preview for an input not known yet. */
export const UNKNOWN = pulumi.runtime.unknownValue;

/** Await a rejected promise and return its error (the message is what a user reads). */
export async function failure(p: Promise<unknown>): Promise<Error & { id?: string; properties?: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the operation to fail, and it succeeded");
}

/**
 * `__provider` exactly as pulumi.dynamic.Resource builds it, serialized in this process (AVA runs
 * test files in child processes, where Pulumi's closure serializer works), from the built shim
 * that the installed package exposes (dist/: run `npm run build` first). In this process the
 * implementation may already hold settings and secrets, so a shim that captured them would show it.
 */
export async function serializedProvider(kind: "addonPackage" | "clientCredentialUser" | "serviceAccount"): Promise<string> {
  const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
  const { shims } = require(
    path.resolve(__dirname, "..", "..", "provider", "dist", "resources", "shim"),
  ) as typeof import("../../provider/resources/shim");
  const provider = shims[kind];
  return (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
}

/** What the provider printed to console.error while `fn` ran (outside the engine, warnings go there). */
export async function warningsOf<T>(fn: () => Promise<T>): Promise<{ result: T; warnings: string }> {
  const original = console.error;
  const lines: string[] = [];
  console.error = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  try {
    return { result: await fn(), warnings: lines.join("\n") };
  } finally {
    console.error = original;
  }
}
