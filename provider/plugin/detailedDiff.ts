// A detailed diff from what an engine's diff decided: the engine says whether anything changes
// and which keys force a replacement; this names the input properties that differ, each an
// update or a replace, as `pulumi preview` shows them. Keys the engines compare on the user's
// behalf (a package's sha256, a configuration's canonical hash) are shown as the input they come
// from (`source`, `configuration`).
import { isDeepStrictEqual } from "node:util";
import { isUnknown } from "../resources/common";
import type { ResourceKind } from "../resources/kinds";

type Props = Record<string, unknown>;

export type DiffKind = "add" | "addReplace" | "delete" | "deleteReplace" | "update" | "updateReplace";

export interface PropertyChange {
  property: string;
  kind: DiffKind;
}

interface KindRules {
  /** The input properties users set. */
  inputs: readonly string[];
  /** Keys an input is compared by instead of its own value (computed by check). */
  comparedBy?: Record<string, readonly string[]>;
  /** The input a replace key of the engine stands for. */
  replaceShownAs?: Record<string, string>;
  /** Defaults the state records when the input is unset. */
  defaults?: Props;
  /** Inputs that are also server outputs: unset means "not managed", never a change. */
  outputBacked?: readonly string[];
  /** Inputs compared as sets. */
  sets?: readonly string[];
  /**
   * Inputs an import cannot read (the service holds no add-on's `source`), by the key that stands
   * for them in imported state: without the input but with that key, the input is compared by its
   * other keys only, and a change of it is an update.
   */
  notImported?: Record<string, string>;
}

const IDENTITY = ["roles", "secretExpiresInDays", "rotateBeforeDays", "secretVersion"] as const;

const RULES: Record<ResourceKind, KindRules> = {
  addonPackage: {
    inputs: ["source", "configuration", "enabled", "activationTimeoutSeconds", "credentials", "adopt", "expectedPackageSha256"],
    comparedBy: { source: ["source", "addonId", "version", "packageSha256"], configuration: ["configurationSha256"] },
    replaceShownAs: { addonId: "source" },
    defaults: { enabled: true },
    notImported: { source: "packageSha256" },
  },
  clientCredentialUser: { inputs: ["userName", "identityProvider", ...IDENTITY], sets: ["roles"] },
  serviceAccount: { inputs: ["accountName", "clientId", "adopt", ...IDENTITY], outputBacked: ["clientId"], sets: ["roles"] },
};

const unset = (v: unknown) => v === undefined || v === null;

function normalized(rules: KindRules, key: string, value: unknown): unknown {
  if (unset(value)) return rules.defaults?.[key];
  if (rules.sets?.includes(key) && Array.isArray(value) && !isUnknown(value)) return [...value].map(String).sort();
  return value;
}

/** The input properties that differ between the state (`olds`) and the checked inputs (`news`). */
export function detailedDiff(kind: ResourceKind, olds: Props, news: Props, engineReplaces: readonly string[]): PropertyChange[] {
  const rules = RULES[kind];
  const replaced = new Set(engineReplaces.map((k) => rules.replaceShownAs?.[k] ?? k));
  const changes: PropertyChange[] = [];
  for (const property of rules.inputs) {
    if (rules.outputBacked?.includes(property) && unset(news[property])) continue;
    const standIn = rules.notImported?.[property];
    const imported = standIn !== undefined && unset(olds[property]) && !unset(olds[standIn]);
    const keys = (rules.comparedBy?.[property] ?? [property]).filter((k) => !imported || k !== property);
    const differs =
      isUnknown(news[property]) ||
      replaced.has(property) ||
      keys.some((k) => !isDeepStrictEqual(normalized(rules, k, olds[k]), normalized(rules, k, news[k])));
    if (!differs) continue;
    const before = unset(olds[property]) && !imported ? "add" : unset(news[property]) ? "delete" : "update";
    changes.push({ property, kind: replaced.has(property) ? (`${before}Replace` as DiffKind) : before });
  }
  // A replace key that stands for no input property is still shown.
  for (const key of replaced) if (!rules.inputs.includes(key)) changes.push({ property: key, kind: "updateReplace" });
  return changes;
}

/** The input properties the engine's replace keys stand for. */
export function replacedProperties(kind: ResourceKind, engineReplaces: readonly string[]): string[] {
  const rules = RULES[kind];
  return [...new Set(engineReplaces.map((k) => rules.replaceShownAs?.[k] ?? k))];
}
