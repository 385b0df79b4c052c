// The demo's emulator: started in this process with its data in the demo folder, or, when a kept-up
// demo already serves that folder, reused through the endpoint file it wrote (never two emulators
// on one data dir).
import * as fs from "fs";
import * as path from "path";
import { startEmulator, type EmulatorOptions } from "tridion-sites-emulator";
import type { DemoOptions } from "./options";

export interface DemoEmulator {
  accessManagementUrl: string;
  addonsUrl: string;
  productVersion: string;
  /** Admin credentials; undefined when reusing another demo's emulator (the stack config has them). */
  admin?: { clientId: string; clientSecret: string };
  /** True when this process runs the emulator. */
  owned: boolean;
  release(): Promise<void>;
}

interface Endpoint {
  pid: number;
  accessManagementUrl: string;
  addonsUrl: string;
  productVersion: string;
}

const PRODUCT_VERSION = "9.6"; // the version where the fix is client credentials on a user
const ACTIVATION_DELAY_MS = 1500;
/**
 * The pipeline user of the quickstart. Access Management creates users when they first sign in
 * through an identity provider, so the demo's emulator starts with this one signed in.
 */
export const DEMO_PIPELINE_USER = "addon-deployer";

function endpointFile(options: DemoOptions): string {
  return path.join(options.dataDir, "emulator-endpoint.json");
}

async function reachable(endpoint: Endpoint): Promise<boolean> {
  try {
    process.kill(endpoint.pid, 0);
    const response = await fetch(`${endpoint.accessManagementUrl}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

async function attachToRunning(options: DemoOptions): Promise<DemoEmulator | undefined> {
  let endpoint: Endpoint;
  try {
    endpoint = JSON.parse(fs.readFileSync(endpointFile(options), "utf8")) as Endpoint;
  } catch {
    return undefined;
  }
  if (!(await reachable(endpoint))) return undefined;
  console.log(`Using the emulator of the demo running as process ${endpoint.pid}: ${endpoint.accessManagementUrl}`);
  return { ...endpoint, owned: false, release: async () => undefined };
}

/**
 * The ports this data dir's emulator had (Access Management's and the Add-ons Service's own): the
 * stack's provider settings name them, and `destroy` and `refresh` (which run without the program)
 * use the settings of the last `up`. So a data dir keeps its ports; a new one takes the ports
 * asked for (0 = any free one).
 */
function portFile(options: DemoOptions): string {
  return path.join(options.dataDir, "emulator-port");
}

interface Ports {
  port: number;
  addonsPort: number;
}

function recordedPorts(options: DemoOptions): Ports | undefined {
  if (!fs.existsSync(portFile(options))) return undefined;
  const text = fs.readFileSync(portFile(options), "utf8").trim();
  // An earlier demo's file holds one port (both services on it): Access Management's is kept.
  if (/^\d+$/.test(text)) return { port: Number(text), addonsPort: options.addonsPort };
  return JSON.parse(text) as Ports;
}

async function startOwn(options: DemoOptions): Promise<DemoEmulator> {
  const dataDir = path.join(options.dataDir, "emulator");
  fs.mkdirSync(dataDir, { recursive: true });
  const settings: EmulatorOptions = {
    dataDir,
    productVersion: PRODUCT_VERSION,
    activationDelayMs: ACTIVATION_DELAY_MS,
    seedUsers: [DEMO_PIPELINE_USER],
  };
  const recorded = recordedPorts(options);
  const ports = recorded ?? { port: options.port, addonsPort: options.addonsPort };
  let running;
  try {
    running = await startEmulator({ ...settings, ...ports });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    console.log(
      `Port ${ports.port} or ${ports.addonsPort} is taken; the emulator takes any free ports instead${recorded ? ": the stack's settings name the old ports, so run `npm run demo` (up) before `destroy` or `refresh`" : ""}.`,
    );
    running = await startEmulator({ ...settings, port: 0, addonsPort: 0 });
  }
  const kept: Ports = { port: Number(new URL(running.accessManagementUrl).port), addonsPort: Number(new URL(running.addonsUrl).port) };
  fs.writeFileSync(portFile(options), JSON.stringify(kept));
  const endpoint: Endpoint = {
    pid: process.pid,
    accessManagementUrl: running.accessManagementUrl,
    addonsUrl: running.addonsUrl,
    productVersion: running.productVersion,
  };
  fs.writeFileSync(endpointFile(options), JSON.stringify(endpoint, null, 2));
  console.log(`Tridion Sites ${running.productVersion} emulator up: ${running.accessManagementUrl} and ${running.addonsUrl}`);
  console.log(`The pipeline user "${DEMO_PIPELINE_USER}" has signed in once, so Access Management lists it (that is how users appear).`);
  return {
    ...endpoint,
    admin: running.credentials.admin,
    owned: true,
    release: async () => {
      fs.rmSync(endpointFile(options), { force: true });
      await running.close();
    },
  };
}

export async function attachOrStartEmulator(options: DemoOptions): Promise<DemoEmulator> {
  fs.mkdirSync(options.dataDir, { recursive: true });
  return (await attachToRunning(options)) ?? startOwn(options);
}
