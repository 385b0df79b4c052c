// AddonPackage's inputs and state, typed, and the named mappers between them and the Add-ons
// Service's metadata (flatten: API object -> state; the inputs a refresh reports).
import type { AddonMetadata } from "../../clients/addons";
import { TridionError } from "../../errors/tridionError";
import { compact, withDefault } from "../common";

export interface Credentials {
  clientId: string;
  clientSecret: string;
}

/** What the program sets (after check, which adds what it read from the package). */
export interface AddonPackageInputs {
  source: string;
  configuration?: Record<string, unknown> | string;
  enabled?: boolean;
  activationTimeoutSeconds?: number;
  credentials?: Credentials;
  adopt?: boolean;
  expectedPackageSha256?: string;
  /** Hidden: recognises our own add-on after an interrupted create (see ownership.ts). */
  ownerKey?: string;
  /** Read by check from the package and the configuration: they drive diff. */
  addonId?: string;
  version?: string;
  packageSha256?: string;
  packageFileName?: string;
  configurationSha256?: string;
}

export interface ExtensionState {
  name: string;
  type?: string;
  status?: string;
  message?: string;
}

/** The state: the inputs, and what the service holds. */
export interface AddonPackageState extends AddonPackageInputs {
  addonId: string;
  name?: string;
  /** WaitingForConfiguration | PendingActivation | Success | Failed | Disabled (or Unknown after a lost answer) */
  status?: string;
  statusMessage?: string;
  extensions?: ExtensionState[];
  enabled: boolean;
}

export const INPUT_KEYS = [
  "source",
  "configuration",
  "enabled",
  "activationTimeoutSeconds",
  "credentials",
  "adopt",
  "expectedPackageSha256",
  "ownerKey",
] as const;
export const CHECKED_KEYS = ["addonId", "version", "packageSha256", "packageFileName", "configurationSha256"] as const;

type Keyed = { [key: string]: unknown };

/** Only these keys, and only those with a value. */
export function pick<T extends object>(o: T, keys: readonly string[]): Partial<T> {
  return compact(Object.fromEntries(keys.map((k) => [k, (o as Keyed)[k]]))) as Partial<T>;
}

/**
 * The service's metadata, with the inputs, as the state (update must return all of it). Never a
 * state without addonId: diff would read its absence as a new id and plan a replacement.
 */
export function addonStateFromMetadata(
  inputs: AddonPackageInputs,
  meta: AddonMetadata,
  configurationSha256: string | undefined,
): AddonPackageState {
  if (typeof meta.id !== "string" || meta.id === "") {
    throw new TridionError(
      "INTERNAL",
      `The provider was about to record the add-on ${inputs.addonId ? `"${inputs.addonId}" ` : ""}without its id, and stopped instead.`,
      {
        fix: "run `npx pulumi-tridion doctor`, and report it to the provider's maintainers with the output of `npx pulumi-tridion doctor --report FILE` attached.",
      },
    );
  }
  const state = {
    ...pick(inputs, INPUT_KEYS),
    source: inputs.source,
    addonId: meta.id,
    version: meta.version ?? inputs.version,
    name: meta.name,
    status: meta.status,
    statusMessage: meta.message || undefined,
    packageSha256: meta.packageSha256 ?? inputs.packageSha256,
    packageFileName: meta.packageFileName ?? inputs.packageFileName,
    extensions: (meta.extensions ?? []).map(
      (e) => compact({ name: e.name, type: e.type, status: e.status, message: e.message || undefined }) satisfies ExtensionState,
    ),
    configurationSha256,
    enabled: withDefault(inputs.enabled, true),
  } satisfies AddonPackageState;
  return compact(state);
}

/** What the service says about enabled: Disabled means off, any other status on; no status tells nothing. */
export function enabledFromStatus(status: string | undefined, fallback: boolean | undefined): boolean {
  return status === undefined ? withDefault(fallback, true) : status !== "Disabled";
}

/** The inputs a refresh reports: those the program set, and those check reads from the package. */
export function inputsFromState(state: AddonPackageState): AddonPackageInputs {
  return { ...pick(state, [...INPUT_KEYS, ...CHECKED_KEYS]), source: state.source } satisfies AddonPackageInputs;
}
