// Test helpers for the Tridion Sites emulator: start one on port 0 in a temp data dir, get tokens,
// build add-on ZIPs, upload them. Usable by any test author.
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { ZipArchive } from "archiver";
import axios, { type AxiosInstance } from "axios";
import FormData from "form-data";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator";
import { rawZip } from "./rawZip";
import { sampleFiles, sampleManifest } from "./sampleAddon";

export interface TestEmulator extends RunningEmulator {
  dataDir: string;
  options: EmulatorOptions;
  /** Closes and starts again on the same data dir (same options), returning the new instance. */
  restart(overrides?: EmulatorOptions): Promise<TestEmulator>;
}

/** Any status is a result, never an exception: tests assert on status and body. */
export const http: AxiosInstance = axios.create({ validateStatus: () => true, maxBodyLength: Infinity, maxContentLength: Infinity });

/** Starts an emulator on 127.0.0.1, port 0, in a fresh temp data dir (removed by close()). */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "tridion-emulator-test-"));
  const ownsDir = options.dataDir === undefined;
  const launch = async (opts: EmulatorOptions): Promise<TestEmulator> => {
    const running = await startEmulator({ activationDelayMs: 200, ...opts, dataDir, port: opts.port ?? 0 });
    return {
      ...running,
      dataDir,
      options: opts,
      close: async () => {
        await running.close();
        if (ownsDir) fs.rmSync(dataDir, { recursive: true, force: true });
      },
      restart: async (overrides = {}) => {
        await running.close();
        return launch({ ...opts, ...overrides });
      },
    };
  };
  try {
    return await launch(options);
  } catch (error) {
    if (ownsDir) fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** A fresh emulator for one test, closed when the test ends. */
export async function emulatorFor(
  t: { teardown(fn: () => Promise<void> | void): void },
  options: EmulatorOptions = {},
): Promise<TestEmulator> {
  const emulator = await startTestEmulator(options);
  t.teardown(() => emulator.close());
  return emulator;
}

/** A port that was free a moment ago (nothing listens there: a service that is down; or fixed URLs across restarts). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs `fn` against a fresh emulator and closes it afterwards, whatever happens. */
export async function withEmulator<T>(options: EmulatorOptions, fn: (emulator: TestEmulator) => Promise<T>): Promise<T> {
  const emulator = await startTestEmulator(options);
  try {
    return await fn(emulator);
  } finally {
    await emulator.close();
  }
}

/** client_credentials grant with client_secret_post; returns the raw response. */
export function requestToken(accessManagementUrl: string, clientId: string, clientSecret: string) {
  return http.post(
    `${accessManagementUrl}/connect/token`,
    new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret }).toString(),
    { headers: { "Content-Type": "application/x-www-form-urlencoded" } },
  );
}

export async function getToken(
  emulator: Pick<RunningEmulator, "accessManagementUrl">,
  credential: { clientId: string; clientSecret: string },
): Promise<string> {
  const response = await requestToken(emulator.accessManagementUrl, credential.clientId, credential.clientSecret);
  if (response.status !== 200) throw new Error(`token request failed: ${response.status} ${JSON.stringify(response.data)}`);
  return response.data.access_token as string;
}

export const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

export interface ManifestFields {
  id?: unknown;
  [key: string]: unknown;
}

/** A valid manifest, the sample add-on's; override or delete fields to break it. */
export function manifest(fields: ManifestFields = {}): Record<string, unknown> {
  return sampleManifest(fields);
}

/** The files of a valid package for `manifest`: the sample add-on's files. */
export function packageFiles(m: Record<string, unknown> = manifest()): Record<string, string | Buffer> {
  return { "manifest.json": JSON.stringify(m, null, 2), ...sampleFiles() };
}

/** Builds a ZIP in memory (small fixtures) with archiver. Names are used verbatim. */
export function buildZip(files: Record<string, string | Buffer>, options: { store?: boolean } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const archive = new ZipArchive(options.store ? { store: true } : { zlib: { level: 1 } });
    const chunks: Buffer[] = [];
    archive.on("data", (chunk: Buffer) => chunks.push(chunk));
    archive.on("end", () => resolve(Buffer.concat(chunks)));
    archive.on("error", reject);
    for (const [name, content] of Object.entries(files)) archive.append(content, { name });
    void archive.finalize();
  });
}

/** Uploads a package (Buffer or file path) as multipart field "file"; POST to the list route or PUT to an add-on. */
export function uploadPackage(
  url: string,
  token: string | undefined,
  zip: Buffer | string,
  fileName: string,
  method: "POST" | "PUT" = "POST",
) {
  const form = new FormData();
  form.append("file", typeof zip === "string" ? fs.createReadStream(zip) : zip, { filename: fileName, contentType: "application/zip" });
  return http.request({
    url,
    method,
    data: form,
    headers: { ...form.getHeaders(), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  });
}

/** Polls until `check` returns a value (no timing asserts; gives up after `attempts`). */
export async function eventually<T>(check: () => Promise<T | undefined>, attempts = 100, intervalMs = 50): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error("condition not reached");
}

/**
 * A stored (uncompressed) ZIP written byte by byte, with entry names exactly as given: archiver
 * sanitises names, so hostile fixtures ("../x", "/etc/x") need this. A list of [name, content]
 * pairs may repeat a name (a duplicate-entry fixture).
 */
export function buildRawZip(files: Record<string, string | Buffer> | Array<[string, string | Buffer]>): Buffer {
  return rawZip((Array.isArray(files) ? files : Object.entries(files)).map(([name, data]) => ({ name, data })));
}
