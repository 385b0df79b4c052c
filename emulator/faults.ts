// Fault injection (off by default): error bursts, 429 with Retry-After, latency, dropped uploads,
// lost and hung responses, token endpoint down, short-lived tokens, late propagation of new secrets
// and grants. Test controls (/__emulator) are never faulted.
import { describeRange, inRange, maxInt32, numericOptions } from "./options";
import type { ErrorBurst, FaultSettings, LostResponses } from "./types";

export const defaultDropAfterBytes = 64 * 1024;

const faultKeys = [
  "errorBursts",
  "latencyMs",
  "dropUploads",
  "lostResponses",
  "hangResponses",
  "tokenEndpointDown",
  "tokenLifetimeSeconds",
  "propagationDelayMs",
];
const burstKeys = ["status", "count", "method", "path", "retryAfterSeconds"];
const lostKeys = ["count", "method", "path", "skip"];
const dropKeys = ["count", "afterBytes"];
const burstStatuses = [500, 502, 503, 429];
const httpMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const readme = 'see emulator/README.md, "Fault injection"';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A misspelt key would silently inject nothing: refuse it. */
function onlyKnownKeys(where: string, value: Record<string, unknown>, known: string[]) {
  const unknown = Object.keys(value).filter((k) => !known.includes(k));
  if (unknown.length)
    throw new Error(
      `Unknown fault setting ${unknown.map((k) => `${where}${k}`).join(", ")}; known: ${known.map((k) => `${where}${k}`).join(", ")} (${readme}).`,
    );
}

function integerAt(where: string, value: unknown, range: { min: number; max: number }, optional = true) {
  if (value === undefined && optional) return;
  if (!inRange(value, range)) throw new Error(`${where} must be ${describeRange(range)}, got ${JSON.stringify(value) ?? "nothing"}.`);
}

/** count, method and path: what errorBursts and lostResponses share. */
function validateMatcher(where: string, value: Record<string, unknown>) {
  integerAt(`${where}.count`, value.count, { min: 0, max: Number.MAX_SAFE_INTEGER }, false);
  if (value.method !== undefined && (typeof value.method !== "string" || !httpMethods.includes(value.method.toUpperCase()))) {
    throw new Error(`${where}.method must be one of ${httpMethods.join(", ")}, got ${JSON.stringify(value.method)}.`);
  }
  if (value.path !== undefined) {
    if (typeof value.path !== "string")
      throw new Error(`${where}.path must be a regular expression as a string, got ${JSON.stringify(value.path)}.`);
    try {
      new RegExp(value.path);
    } catch (error) {
      throw new Error(`${where}.path is not a valid regular expression (${(error as Error).message}).`, { cause: error });
    }
  }
}

function validateBurst(burst: unknown, index: number) {
  const where = `errorBursts[${index}]`;
  if (!isObject(burst)) throw new Error(`${where} must be an object like {"status": 503, "count": 1}.`);
  onlyKnownKeys(`${where}.`, burst, burstKeys);
  if (!burstStatuses.includes(burst.status as number))
    throw new Error(`${where}.status must be 500, 502, 503 or 429, got ${JSON.stringify(burst.status)}.`);
  validateMatcher(where, burst);
  integerAt(`${where}.retryAfterSeconds`, burst.retryAfterSeconds, { min: 0, max: maxInt32 });
}

function validateLost(lost: unknown, index: number, list = "lostResponses") {
  const where = `${list}[${index}]`;
  if (!isObject(lost)) throw new Error(`${where} must be an object like {"count": 1, "method": "POST", "path": "/addons$"}.`);
  onlyKnownKeys(`${where}.`, lost, lostKeys);
  validateMatcher(where, lost);
  integerAt(`${where}.skip`, lost.skip, { min: 0, max: Number.MAX_SAFE_INTEGER });
}

export function validateFaults(value: unknown): FaultSettings {
  if (!isObject(value)) throw new Error(`Fault settings must be a JSON object (${readme}).`);
  onlyKnownKeys("", value, faultKeys);
  if (value.errorBursts !== undefined) {
    if (!Array.isArray(value.errorBursts)) throw new Error("errorBursts must be a list of bursts.");
    value.errorBursts.forEach(validateBurst);
  }
  const latency = value.latencyMs;
  if (latency !== undefined && !(typeof latency === "number" && latency >= 0 && latency <= maxInt32)) {
    throw new Error(`latencyMs must be a number from 0 to ${maxInt32}, got ${JSON.stringify(latency)}.`);
  }
  if (value.lostResponses !== undefined) {
    if (!Array.isArray(value.lostResponses)) throw new Error("lostResponses must be a list of {count, method?, path?, skip?}.");
    value.lostResponses.forEach((lost, i) => validateLost(lost, i));
  }
  if (value.hangResponses !== undefined) {
    if (!Array.isArray(value.hangResponses)) throw new Error("hangResponses must be a list of {count, method?, path?, skip?}.");
    value.hangResponses.forEach((hang, i) => validateLost(hang, i, "hangResponses"));
  }
  if (value.dropUploads !== undefined) {
    if (!isObject(value.dropUploads)) throw new Error('dropUploads must be an object like {"count": 1, "afterBytes": 65536}.');
    onlyKnownKeys("dropUploads.", value.dropUploads, dropKeys);
    integerAt("dropUploads.count", value.dropUploads.count, { min: 0, max: Number.MAX_SAFE_INTEGER }, false);
    integerAt("dropUploads.afterBytes", value.dropUploads.afterBytes, { min: 0, max: Number.MAX_SAFE_INTEGER });
  }
  if (value.tokenEndpointDown !== undefined && typeof value.tokenEndpointDown !== "boolean") {
    throw new Error(`tokenEndpointDown must be true or false, got ${JSON.stringify(value.tokenEndpointDown)}.`);
  }
  integerAt("tokenLifetimeSeconds", value.tokenLifetimeSeconds, numericOptions.tokenLifetimeSeconds);
  integerAt("propagationDelayMs", value.propagationDelayMs, { min: 0, max: maxInt32 });
  return value as FaultSettings;
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

  /** How long a new secret or a new grant takes to reach the token endpoint (0: at once). */
  propagationDelayMs(): number {
    return this.settings.propagationDelayMs ?? 0;
  }

  /** The burst that this request consumes, if any. */
  takeErrorBurst(method: string, path: string): ErrorBurst | undefined {
    const burst = (this.settings.errorBursts ?? []).find((b) => b.count > 0 && matches(b, method, path));
    if (burst) burst.count -= 1;
    return burst;
  }

  /** Whether this request's response is to be lost (it is carried out all the same). */
  takeLostResponse(method: string, path: string): boolean {
    return takeMatching(this.settings.lostResponses, method, path);
  }

  /** Whether this request is to be carried out and then never answered (the caller waits). */
  takeHungResponse(method: string, path: string): boolean {
    return takeMatching(this.settings.hangResponses, method, path);
  }

  /** Bytes after which this upload's connection is dropped, if a drop is armed. */
  takeUploadDrop(): number | undefined {
    const drop = this.settings.dropUploads;
    if (!drop || drop.count <= 0) return undefined;
    drop.count -= 1;
    return drop.afterBytes ?? defaultDropAfterBytes;
  }
}

function matches(rule: ErrorBurst | LostResponses, method: string, path: string): boolean {
  return (!rule.method || rule.method.toUpperCase() === method) && (!rule.path || new RegExp(rule.path).test(path));
}

/** Consumes one matching entry of a lost/hung list (after its `skip` matching requests pass). */
function takeMatching(list: LostResponses[] | undefined, method: string, path: string): boolean {
  const entry = (list ?? []).find((l) => l.count > 0 && matches(l, method, path));
  if (!entry) return false;
  if (entry.skip) {
    entry.skip -= 1;
    return false;
  }
  entry.count -= 1;
  return true;
}
