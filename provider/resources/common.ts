// Helpers shared by the resource implementations: preview unknowns, input validation, diffs.
import { isDeepStrictEqual } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { toTridionError } from "../errors/tridionError";
import { describeJsonKind } from "../packaging";

/** What an unknown (computed, not yet known in preview) input looks like to a dynamic provider. */
export const UNKNOWN = pulumi.runtime.unknownValue;

export function isUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(isUnknown);
  if (value && typeof value === "object") return Object.values(value).some(isUnknown);
  return false;
}

/** A domain key changed: unknown counts as changed (preview cannot know better). */
export function changed(oldValue: unknown, newValue: unknown): boolean {
  if (isUnknown(newValue)) return true;
  return !isDeepStrictEqual(normalize(oldValue), normalize(newValue));
}

function normalize(v: unknown): unknown {
  return v === null ? undefined : v;
}

export function changedKeys(olds: object, news: object, keys: readonly string[]): string[] {
  const before = olds as Record<string, unknown>;
  const after = news as Record<string, unknown>;
  return keys.filter((k) => changed(before[k], after[k]));
}

export type Failures = pulumi.dynamic.CheckFailure[];

export class InputChecker {
  readonly failures: Failures = [];
  constructor(
    private readonly resource: string,
    private readonly inputs: Record<string, unknown>,
  ) {}

  fail(property: string, reason: string): void {
    this.failures.push({ property, reason });
  }

  /** A required non-empty string; unknowns pass (checked again at `up`). */
  requiredString(key: string, hint: string): void {
    const v = this.inputs[key];
    if (isUnknown(v)) return;
    if (typeof v !== "string" || v.trim() === "") this.fail(key, `${this.resource} needs \`${key}\`: ${hint}.`);
  }

  optionalString(key: string): void {
    const v = this.inputs[key];
    if (v === undefined || v === null || isUnknown(v)) return;
    if (typeof v !== "string") this.fail(key, `\`${key}\` must be a string, got ${typeof v}.`);
  }

  // Reasons name the kind of a wrong value, never the value: any input may hold a secret.
  optionalBoolean(key: string): void {
    const v = this.inputs[key];
    if (v === undefined || v === null || isUnknown(v)) return;
    if (typeof v !== "boolean") this.fail(key, `\`${key}\` must be true or false, got ${describeJsonKind(v)}.`);
  }

  optionalInteger(key: string, min: number, max: number, fallback: string): void {
    const v = this.inputs[key];
    if (v === undefined || v === null || isUnknown(v)) return;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      // a number in a numeric setting is shown (a count of days or seconds, never a secret); nothing else is
      const got = typeof v === "number" && Number.isFinite(v) ? String(v) : describeJsonKind(v);
      this.fail(key, `\`${key}\` must be a whole number from ${min} to ${max} (${fallback}), got ${got}.`);
    }
  }
}

export function withDefault<T>(value: unknown, fallback: T): T {
  return value === undefined || value === null ? fallback : (value as T);
}

/**
 * Anything our code throws reaches the engine as a TridionError (no stack traces reach the user):
 * ours (package errors included) keep their code and fix; anything else becomes INTERNAL.
 */
export async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toTridionError(e);
  }
}

/** Keep only keys whose values are defined (state must not hold `undefined`). */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
