// The emulator in its own process (`node emulator/dist/cli.js`), so what the benchmark measures in
// the provider's process is the provider's alone. Reads the JSON line it prints; talks to it over HTTP.
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import axios from "axios";
import type { RequestLogEntry } from "../emulator/types";
import { projectRoot } from "./common";

export interface Identity {
  clientId: string;
  clientSecret: string;
}

/** The emulator's request log entry, as its GET /__emulator/requests returns it. */
export type { RequestLogEntry };

export interface EmulatorProcess {
  accessManagementUrl: string;
  addonsUrl: string;
  /** Access Management's origin, where the `/__emulator` controls are (the Add-ons Service has a listener of its own). */
  origin: string;
  admin: Identity;
  pid: number;
  requestLog(): Promise<RequestLogEntry[]>;
  clearRequestLog(): Promise<void>;
  /** A token of the admin (the Add-ons Administrator role), straight from the token endpoint. */
  adminToken(): Promise<string>;
  /** Deletes an add-on as the admin; true when it was there. */
  deleteAddon(id: string): Promise<boolean>;
  stop(): Promise<void>;
}

const http = axios.create({ validateStatus: () => true, proxy: false });

export async function startEmulatorProcess(args: string[] = []): Promise<EmulatorProcess> {
  const cli = path.join(projectRoot(), "emulator", "dist", "cli.js");
  const child = spawn(process.execPath, [cli, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const line = await firstLine(child, () => stderr);
  const info = JSON.parse(line) as { accessManagementUrl: string; addonsUrl: string; credentials: { admin: Identity } };
  const origin = new URL(info.accessManagementUrl).origin;
  const admin = info.credentials.admin;
  const adminToken = async () => {
    const res = await http.post(
      `${info.accessManagementUrl}/connect/token`,
      new URLSearchParams({ grant_type: "client_credentials" }).toString(),
      {
        auth: { username: admin.clientId, password: admin.clientSecret },
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      },
    );
    if (res.status !== 200) throw new Error(`The emulator refused the admin a token: HTTP ${res.status}`);
    return String(res.data.access_token);
  };
  return {
    accessManagementUrl: info.accessManagementUrl,
    addonsUrl: info.addonsUrl,
    origin,
    admin,
    pid: child.pid!,
    async requestLog() {
      const res = await http.get(`${origin}/__emulator/requests`);
      if (res.status !== 200) throw new Error(`GET /__emulator/requests answered ${res.status}`);
      return res.data as RequestLogEntry[];
    },
    async clearRequestLog() {
      const res = await http.delete(`${origin}/__emulator/requests`);
      if (res.status !== 204) throw new Error(`DELETE /__emulator/requests answered ${res.status}`);
    },
    adminToken,
    async deleteAddon(id: string) {
      const res = await http.delete(`${info.addonsUrl}/api/v1/addons/${encodeURIComponent(id)}`, {
        headers: { Authorization: `Bearer ${await adminToken()}` },
      });
      if (res.status !== 204 && res.status !== 404) throw new Error(`Deleting the add-on ${id} answered ${res.status}`);
      return res.status === 204;
    },
    stop: () => stopProcess(child),
  };
}

function firstLine(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf("\n");
      if (newline >= 0) {
        child.stdout!.off("data", onData);
        child.stdout!.resume(); // nothing else is expected; keep the pipe drained
        resolve(out.slice(0, newline));
      }
    };
    child.stdout!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`The emulator exited (${code}) before it was up: ${stderr().trim()}`)));
    child.on("error", reject);
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
