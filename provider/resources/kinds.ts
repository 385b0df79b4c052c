// The resource kinds and what the engine side offers for each: the one contract between the
// serialized shim (program side, ./shim.ts) and `pulumi-tridion/dynamic` (provider/dynamic/),
// which it reaches by name at call time. Types only.
import type * as pulumi from "@pulumi/pulumi";

export type ResourceKind = "addonPackage" | "clientCredentialUser" | "serviceAccount";

/** An engine-side implementation: every method of a dynamic provider. */
export type EngineProvider = Required<pulumi.dynamic.ResourceProvider>;

/** What `pulumi-tridion/dynamic` exports for the shim: one provider per kind (provider/dynamic/index.ts satisfies it). */
export type EngineSide = Record<ResourceKind, EngineProvider>;
