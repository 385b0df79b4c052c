// Scanning for secrets: tests collect every secret value they know (client secrets, tokens)
// and assert that none appears in state, __provider, logs or error messages.

export class SecretScanner {
  private readonly values = new Set<string>();

  /** Remember secret values (ignores short or empty ones, which would match by accident). */
  add(...values: unknown[]): this {
    for (const v of values) if (typeof v === "string" && v.length >= 8) this.values.add(v);
    return this;
  }

  /** The secrets found in `text` (empty when clean); reports a prefix only, never the value. */
  findIn(text: string): string[] {
    return [...this.values].filter((v) => text.includes(v)).map((v) => `${v.slice(0, 3)}…(${v.length} chars)`);
  }

  /** Find them in anything JSON-serialisable (state, outputs, a request log). */
  findInValue(value: unknown): string[] {
    return this.findIn(typeof value === "string" ? value : (JSON.stringify(value) ?? ""));
  }

  get size(): number {
    return this.values.size;
  }
}
