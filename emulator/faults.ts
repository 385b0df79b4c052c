// Fault injection (off by default): error bursts, 429 with Retry-After, latency, dropped uploads,
// token endpoint down, short-lived tokens. Test controls (/__emulator) are never faulted.
import type { ErrorBurst, FaultSettings } from "./types";

export const defaultDropAfterBytes = 64 * 1024;

export function validateFaults(value: unknown): FaultSettings {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error("Fault settings must be a JSON object (see emulator/README.md, \"Fault injection\").");
  }
  const f = value as FaultSettings;
  for (const burst of f.errorBursts ?? []) {
    if (![500, 502, 503, 429].includes(burst.status)) throw new Error(`errorBursts[].status must be 500, 502, 503 or 429, got ${burst.status}.`);
    if (!Number.isInteger(burst.count) || burst.count < 0) throw new Error("errorBursts[].count must be a non-negative integer.");
    if (burst.path !== undefined) new RegExp(burst.path);
  }
  if (f.latencyMs !== undefined && !(f.latencyMs >= 0)) throw new Error("latencyMs must be >= 0.");
  if (f.tokenLifetimeSeconds !== undefined && !(f.tokenLifetimeSeconds >= 1)) throw new Error("tokenLifetimeSeconds must be >= 1.");
  if (f.dropUploads !== undefined && !(Number.isInteger(f.dropUploads.count) && f.dropUploads.count >= 0)) {
    throw new Error("dropUploads.count must be a non-negative integer.");
  }
  return f;
}

export class Faults {
  private settings: FaultSettings = {};

  constructor(initial?: FaultSettings) {
    if (initial) this.set(initial);
  }

  /** Replaces all fault settings (copies them, so counters do not touch the caller's object). */
  set(settings: FaultSettings): void {
    this.settings = JSON.parse(JSON.stringify(validateFaults(settings))) as FaultSettings;
  }

  current(): FaultSettings {
    return JSON.parse(JSON.stringify(this.settings)) as FaultSettings;
  }

  latencyMs(): number {
    return this.settings.latencyMs ?? 0;
  }

  tokenEndpointDown(): boolean {
    return this.settings.tokenEndpointDown === true;
  }

  tokenLifetimeSeconds(): number | undefined {
    return this.settings.tokenLifetimeSeconds;
  }

  /** The burst that this request consumes, if any. */
  takeErrorBurst(method: string, path: string): ErrorBurst | undefined {
    const burst = (this.settings.errorBursts ?? []).find(
      (b) => b.count > 0 && (!b.method || b.method.toUpperCase() === method) && (!b.path || new RegExp(b.path).test(path)),
    );
    if (burst) burst.count -= 1;
    return burst;
  }

  /** Bytes after which this upload's connection is dropped, if a drop is armed. */
  takeUploadDrop(): number | undefined {
    const drop = this.settings.dropUploads;
    if (!drop || drop.count <= 0) return undefined;
    drop.count -= 1;
    return drop.afterBytes ?? defaultDropAfterBytes;
  }
}
