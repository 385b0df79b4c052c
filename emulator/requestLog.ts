// The request log: method, path (no query string), status and caller identity. Never bodies,
// headers, secrets or tokens.
import type { RequestLogEntry } from "./types";

const maxEntries = 100_000;

export class RequestLog {
  private items: RequestLogEntry[] = [];

  add(entry: RequestLogEntry): void {
    this.items.push(entry);
    if (this.items.length > maxEntries) this.items.splice(0, this.items.length - maxEntries);
  }

  entries(): RequestLogEntry[] {
    return this.items.map((e) => ({ ...e }));
  }

  clear(): void {
    this.items = [];
  }
}
